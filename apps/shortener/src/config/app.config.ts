import { registerAs } from '@nestjs/config';
import { CidrList, ConfigError, envInt, envList, envString, envUrl } from '@snip/common';

// HTTP settings of the shortener: where it listens, how it names links, which proxies it trusts.
export const appConfig = registerAs('app', () => {
  const port = envInt(process.env, 'PORT', 3000, 0, 65535);
  let trustedProxies: CidrList;
  try {
    trustedProxies = new CidrList(envList(process.env, 'TRUSTED_PROXIES'));
  } catch (error) {
    throw new ConfigError('TRUSTED_PROXIES', `must be a comma list of IP addresses or CIDR ranges (${(error as Error).message})`);
  }
  return {
    port,
    host: envString(process.env, 'HOST', '0.0.0.0'),
    publicBaseUrl: envUrl(process.env, 'PUBLIC_BASE_URL', ['http:', 'https:'], `http://localhost:${port}`),
    trustedProxies,
    shutdownDelayMs: envInt(process.env, 'SHUTDOWN_DELAY_MS', 0, 0, 60_000),
    bodyLimit: `${envInt(process.env, 'BODY_LIMIT_KB', 16, 1, 1024)}kb`,
  };
});

export type AppConfig = ReturnType<typeof appConfig>;
