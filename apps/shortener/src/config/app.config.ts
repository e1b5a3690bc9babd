import { registerAs } from '@nestjs/config';
import { CidrList, ConfigError, readInt, readList, readOptionalUrl, readString } from '@snip/common';

// HTTP settings of the shortener: where it listens, how it names links, which proxies it trusts.
export const appConfig = registerAs('app', () => {
  const port = readInt('PORT', 'shortener');
  let trustedProxies: CidrList;
  try {
    trustedProxies = new CidrList(readList('TRUSTED_PROXIES'));
  } catch (error) {
    throw new ConfigError('TRUSTED_PROXIES', `must be a comma list of IP addresses or CIDR ranges (${(error as Error).message})`);
  }
  return {
    port,
    host: readString('HOST'),
    publicBaseUrl: readOptionalUrl('PUBLIC_BASE_URL') ?? `http://localhost:${port}`,
    trustedProxies,
    shutdownDelayMs: readInt('SHUTDOWN_DELAY_MS'),
    bodyLimit: `${readInt('BODY_LIMIT_KB')}kb`,
  };
});

export type AppConfig = ReturnType<typeof appConfig>;
