import { registerAs } from '@nestjs/config';
import { CidrList, ConfigError, readInt, readList } from '@snip/common';

// Limits of the title/description fetch and the SSRF allow-list (empty in production).
export const metadataConfig = registerAs('metadata', () => {
  let allowlist: CidrList;
  try {
    allowlist = new CidrList(readList('SSRF_ALLOWLIST'));
  } catch (error) {
    throw new ConfigError('SSRF_ALLOWLIST', `must be a comma list of IP addresses or CIDR ranges (${(error as Error).message})`);
  }
  return {
    timeoutMs: readInt('METADATA_TIMEOUT_MS'),
    maxBytes: readInt('METADATA_MAX_BYTES'),
    maxRedirects: readInt('METADATA_MAX_REDIRECTS'),
    allowlist,
    dnsServers: readList('METADATA_DNS_SERVERS'),
    userAgent: 'SnipBot/0.1 (+https://github.com/snip-shortener/snip; link preview)',
  };
});

export type MetadataConfig = ReturnType<typeof metadataConfig>;
