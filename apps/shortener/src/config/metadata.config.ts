import { registerAs } from '@nestjs/config';
import { CidrList, ConfigError, envInt, envList } from '@snip/common';

// Limits of the title/description fetch and the SSRF allow-list (empty in production).
export const metadataConfig = registerAs('metadata', () => {
  let allowlist: CidrList;
  try {
    allowlist = new CidrList(envList(process.env, 'SSRF_ALLOWLIST'));
  } catch (error) {
    throw new ConfigError('SSRF_ALLOWLIST', `must be a comma list of IP addresses or CIDR ranges (${(error as Error).message})`);
  }
  const dnsServers = envList(process.env, 'METADATA_DNS_SERVERS');
  return {
    timeoutMs: envInt(process.env, 'METADATA_TIMEOUT_MS', 5000, 100, 60_000),
    maxBytes: envInt(process.env, 'METADATA_MAX_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    maxRedirects: envInt(process.env, 'METADATA_MAX_REDIRECTS', 5, 0, 20),
    allowlist,
    dnsServers,
    userAgent: 'SnipBot/0.1 (+https://github.com/snip-shortener/snip; link preview)',
  };
});

export type MetadataConfig = ReturnType<typeof metadataConfig>;
