// Address parsing and classification behind SSRF protection, private-address detection and CIDR lists.
import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'multicast'
  | 'unspecified'
  | 'unique-local'
  | 'reserved';

export interface ParsedAddress {
  /** 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: Uint8Array;
  readonly family: 4 | 6;
}

const stripBrackets = (input: string) => input.trim().replace(/^\[|\]$/g, '');

/**
 * Parses an IPv4 address the way HTTP clients do (the WHATWG URL host parser): one to four parts,
 * each decimal, octal (leading 0) or hex (0x), the last part filling the remaining bytes.
 * `127.1`, `2130706433`, `0x7f.0.0.1` and `0177.0.0.1` all mean 127.0.0.1.
 */
export function parseIPv4Loose(input: string): Uint8Array | null {
  const text = input.trim();
  // Only digits, x and dots: anything else (a port, a path, a name) is not an address literal.
  if (!/^[0-9a-fx.]+$/i.test(text)) return null;
  let host: string;
  try {
    host = new URL(`http://${text}/`).hostname;
  } catch {
    return null;
  }
  return isIPv4(host) ? new Uint8Array(ipaddr.IPv4.parse(host).toByteArray()) : null;
}

/** Parses an IPv6 address (with optional brackets, zone id and embedded IPv4 tail) into 16 bytes. */
export function parseIPv6(input: string): Uint8Array | null {
  const text = stripBrackets(input).replace(/%.*$/, '');
  if (!isIPv6(text)) return null;
  // The URL serialiser writes the canonical form; ipaddr.js would read `::a.b.c.d` as `::ffff:a.b.c.d`.
  const canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  return new Uint8Array(ipaddr.IPv6.parse(canonical).toByteArray());
}

/** Parses any textual IP address (strict IPv6, loose IPv4 forms). */
export function parseAddress(input: string): ParsedAddress | null {
  const text = stripBrackets(input);
  if (text.includes(':')) {
    const bytes = parseIPv6(text);
    return bytes ? { bytes, family: 6 } : null;
  }
  const bytes = parseIPv4Loose(text);
  return bytes ? { bytes, family: 4 } : null;
}

// ipaddr.js range names → Snip's classes. AS112 and AMT relays are ordinary routed addresses.
const IPV4_CLASSES: Record<string, AddressClass> = {
  broadcast: 'reserved',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'cgnat',
  private: 'private',
  reserved: 'reserved',
  as112: 'public',
  amt: 'public',
  unicast: 'public',
};

const IPV6_CLASSES: Record<string, AddressClass> = {
  unspecified: 'unspecified',
  linkLocal: 'link-local',
  multicast: 'multicast',
  loopback: 'loopback',
  uniqueLocal: 'unique-local',
  deprecatedSiteLocal: 'private',
  as112v6: 'public',
  amt: 'public',
  unicast: 'public',
};

const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96') as [ipaddr.IPv6, number];

function classifyIPv4(bytes: ArrayLike<number>): AddressClass {
  const address = ipaddr.fromByteArray(Array.from(bytes)) as ipaddr.IPv4;
  const range = address.range();
  // ipaddr.js calls all of 0.0.0.0/8 unspecified; only 0.0.0.0 itself is.
  if (range === 'unspecified') return address.toString() === '0.0.0.0' ? 'unspecified' : 'reserved';
  return IPV4_CLASSES[range] ?? 'reserved';
}

function classifyIPv6(bytes: Uint8Array): AddressClass {
  const address = ipaddr.fromByteArray(Array.from(bytes)) as ipaddr.IPv6;
  const range = address.range();
  // Forms that carry an IPv4 address are as dangerous as that address.
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d (SIIT)
      return classifyIPv4(bytes.slice(12));
    case 'rfc6052': // NAT64: the well-known /96 embeds an address, the local-use /48 is reserved
      return address.match(NAT64_WELL_KNOWN) ? classifyIPv4(bytes.slice(12)) : 'reserved';
    case '6to4': // the tunnel end point's IPv4 address
      return classifyIPv4(bytes.slice(2, 6));
    case 'unicast':
      // ::a.b.c.d (deprecated IPv4-compatible form) has no ipaddr.js range of its own.
      if (bytes.slice(0, 12).every((b) => b === 0)) return classifyIPv4(bytes.slice(12));
      return 'public';
    default:
      return IPV6_CLASSES[range] ?? 'reserved';
  }
}

/** Classifies an address; anything that cannot be parsed is treated as reserved (never public). */
export function classifyAddress(input: string): AddressClass {
  const parsed = parseAddress(input);
  if (!parsed) return 'reserved';
  return parsed.family === 4 ? classifyIPv4(parsed.bytes) : classifyIPv6(parsed.bytes);
}

export function isPublicAddress(input: string): boolean {
  return classifyAddress(input) === 'public';
}

/** Canonical text form: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes plain IPv4. */
export function normalizeAddress(input: string): string {
  const text = stripBrackets(input);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped?.[1]) return mapped[1];
  return text;
}

export function isIpLiteral(input: string): boolean {
  return isIP(input.replace(/^\[|\]$/g, '')) !== 0;
}

/** A list of addresses and CIDR ranges (`10.0.0.0/8`, `::1`, `127.0.0.1`). */
export class CidrList {
  // One list per family: a BlockList's `::/0` would also match every IPv4 address.
  private readonly v4 = new BlockList();
  private readonly v6 = new BlockList();
  readonly size: number;

  constructor(specs: readonly string[]) {
    for (const spec of specs) {
      const [address, bits, ...rest] = spec.split('/');
      const family = address !== undefined ? isIP(address) : 0;
      if (family === 0) throw new Error(`not an IP address or CIDR range: ${spec}`);
      const max = family === 4 ? 32 : 128;
      const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
      if (rest.length > 0 || !(prefix >= 0 && prefix <= max)) throw new Error(`invalid prefix length in ${spec}`);
      (family === 4 ? this.v4 : this.v6).addSubnet(address!, prefix, family === 4 ? 'ipv4' : 'ipv6');
    }
    this.size = specs.length;
  }

  contains(address: string): boolean {
    const text = stripBrackets(address);
    const family = isIP(text);
    if (family === 0) return false;
    if (family === 4) return this.v4.check(text, 'ipv4');
    const parsed = ipaddr.IPv6.parse(text);
    if (parsed.isIPv4MappedAddress()) return this.v4.check(parsed.toIPv4Address().toString(), 'ipv4');
    return this.v6.check(text, 'ipv6');
  }
}

/**
 * The form of a client address that Snip stores: IPv4 truncated to /24, IPv6 to /48. Geolocation
 * uses the full address in memory only.
 */
export function anonymizeAddress(input: string): string | null {
  const text = normalizeAddress(input);
  if (isIPv4(text)) return text.replace(/\.\d+$/, '.0');
  const bytes = isIPv6(text) ? parseIPv6(text) : null;
  if (!bytes) return null;
  const groups: string[] = [];
  for (let i = 0; i < 6; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return `${groups.join(':')}::`;
}
