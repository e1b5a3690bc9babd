// Address parsing and classification behind SSRF protection, private-address detection and CIDR lists.
import { isIPv4, isIPv6 } from 'node:net';

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

/**
 * Parses an IPv4 address the way inet_aton (and therefore many HTTP clients) does: one to four
 * parts, each decimal, octal (leading 0) or hex (0x), the last part filling the remaining bytes.
 * `127.1`, `2130706433`, `0x7f.0.0.1` and `0177.0.0.1` all mean 127.0.0.1.
 */
export function parseIPv4Loose(input: string): Uint8Array | null {
  const text = input.trim();
  if (text === '' || text.endsWith('..')) return null;
  const parts = text.replace(/\.$/, '').split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) value = parseInt(part, 8);
    else if (/^[1-9][0-9]*$/.test(part)) value = parseInt(part, 10);
    else return null;
    if (!Number.isSafeInteger(value)) return null;
    numbers.push(value);
  }
  const last = numbers.pop() as number;
  for (const n of numbers) if (n > 255) return null;
  const lastMax = 2 ** (8 * (4 - numbers.length)) - 1;
  if (last > lastMax) return null;
  const bytes = new Uint8Array(4);
  numbers.forEach((n, i) => (bytes[i] = n));
  // Integer division: values above 2^31 cannot use bit shifts.
  let rest = last;
  for (let i = 3; i >= numbers.length; i--) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return bytes;
}

/** Parses an IPv6 address (with optional zone id and embedded IPv4 tail) into 16 bytes. */
export function parseIPv6(input: string): Uint8Array | null {
  const text = input.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!isIPv6(text)) return null;
  let head = text;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const b = v4[1].split('.').map(Number);
    tail = [((b[0] ?? 0) << 8) | (b[1] ?? 0), ((b[2] ?? 0) << 8) | (b[3] ?? 0)];
    head = text.slice(0, text.length - v4[1].length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)) : []);
  const l = groups(left);
  const r = [...groups(right), ...tail];
  const missing = 8 - l.length - r.length;
  const words = right === undefined && !head.includes('::') ? [...l, ...tail] : [...l, ...new Array<number>(missing).fill(0), ...r];
  if (words.length !== 8) return null;
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[i * 2] = (w >> 8) & 0xff;
    bytes[i * 2 + 1] = w & 0xff;
  });
  return bytes;
}

/** Parses any textual IP address (strict IPv6, loose IPv4 forms). */
export function parseAddress(input: string): ParsedAddress | null {
  const text = input.trim().replace(/^\[|\]$/g, '');
  if (text.includes(':')) {
    const bytes = parseIPv6(text);
    return bytes ? { bytes, family: 6 } : null;
  }
  const bytes = parseIPv4Loose(text);
  return bytes ? { bytes, family: 4 } : null;
}

function inRange(bytes: Uint8Array, prefix: readonly number[], bits: number): boolean {
  for (let bit = 0; bit < bits; bit++) {
    const byte = Math.floor(bit / 8);
    const mask = 0x80 >> bit % 8;
    if ((bytes[byte]! & mask) !== ((prefix[byte] ?? 0) & mask)) return false;
  }
  return true;
}

const IPV4_RANGES: ReadonlyArray<[number[], number, AddressClass]> = [
  [[0, 0, 0, 0], 32, 'unspecified'],
  [[0], 8, 'reserved'],
  [[10], 8, 'private'],
  [[100, 64], 10, 'cgnat'],
  [[127], 8, 'loopback'],
  [[169, 254], 16, 'link-local'],
  [[172, 16], 12, 'private'],
  [[192, 0, 0], 24, 'reserved'],
  [[192, 0, 2], 24, 'reserved'],
  [[192, 88, 99], 24, 'reserved'],
  [[192, 168], 16, 'private'],
  [[198, 18], 15, 'reserved'],
  [[198, 51, 100], 24, 'reserved'],
  [[203, 0, 113], 24, 'reserved'],
  [[224], 4, 'multicast'],
  [[240], 4, 'reserved'],
];

function classifyIPv4(bytes: Uint8Array): AddressClass {
  for (const [prefix, bits, kind] of IPV4_RANGES) if (inRange(bytes, prefix, bits)) return kind;
  return 'public';
}

function embeddedIPv4(bytes: Uint8Array, offset: number): Uint8Array {
  return bytes.slice(offset, offset + 4);
}

function classifyIPv6(bytes: Uint8Array): AddressClass {
  const zeroUntil = (n: number) => bytes.slice(0, n).every((b) => b === 0);
  if (zeroUntil(16)) return 'unspecified';
  if (zeroUntil(15) && bytes[15] === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (deprecated compatible form) carry an IPv4 address.
  if (zeroUntil(10) && bytes[10] === 0xff && bytes[11] === 0xff) return classifyIPv4(embeddedIPv4(bytes, 12));
  if (zeroUntil(12)) return classifyIPv4(embeddedIPv4(bytes, 12));
  // ::ffff:0:a.b.c.d (SIIT translated) and 64:ff9b::/96 (NAT64) do too.
  if (zeroUntil(8) && bytes[8] === 0xff && bytes[9] === 0xff && bytes[10] === 0 && bytes[11] === 0) {
    return classifyIPv4(embeddedIPv4(bytes, 12));
  }
  if (inRange(bytes, [0x00, 0x64, 0xff, 0x9b], 96)) return classifyIPv4(embeddedIPv4(bytes, 12));
  if (inRange(bytes, [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48)) return 'reserved';
  // 6to4 embeds the IPv4 address of the tunnel end point.
  if (inRange(bytes, [0x20, 0x02], 16)) {
    const inner = classifyIPv4(embeddedIPv4(bytes, 2));
    return inner === 'public' ? 'public' : inner;
  }
  if (inRange(bytes, [0xfc], 7)) return 'unique-local';
  if (inRange(bytes, [0xfe, 0x80], 10)) return 'link-local';
  if (inRange(bytes, [0xfe, 0xc0], 10)) return 'private';
  if (inRange(bytes, [0xff], 8)) return 'multicast';
  if (inRange(bytes, [0x01, 0x00, 0, 0, 0, 0, 0, 0], 64)) return 'reserved';
  if (inRange(bytes, [0x20, 0x01, 0x0d, 0xb8], 32)) return 'reserved';
  if (inRange(bytes, [0x20, 0x01, 0x00, 0x00], 32)) return 'reserved';
  return 'public';
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
  const text = input.trim().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped?.[1]) return mapped[1];
  return text;
}

export function isIpLiteral(input: string): boolean {
  const text = input.replace(/^\[|\]$/g, '');
  return isIPv4(text) || isIPv6(text);
}

/** A list of addresses and CIDR ranges (`10.0.0.0/8`, `::1`, `127.0.0.1`). */
export class CidrList {
  private readonly entries: ReadonlyArray<{ bytes: Uint8Array; bits: number; family: 4 | 6 }>;

  constructor(specs: readonly string[]) {
    this.entries = specs.map((spec) => {
      const [addr, bitsText] = spec.split('/');
      const parsed = addr !== undefined && isIpLiteral(addr) ? parseAddress(addr) : null;
      if (!parsed) throw new Error(`not an IP address or CIDR range: ${spec}`);
      const max = parsed.family === 4 ? 32 : 128;
      const bits = bitsText === undefined ? max : Number(bitsText);
      if (!/^[^/]*(\/\d+)?$/.test(spec) || !Number.isInteger(bits) || bits < 0 || bits > max) {
        throw new Error(`invalid prefix length in ${spec}`);
      }
      return { bytes: parsed.bytes, bits, family: parsed.family };
    });
  }

  get size(): number {
    return this.entries.length;
  }

  contains(address: string): boolean {
    if (this.entries.length === 0) return false;
    const parsed = parseAddress(normalizeAddress(address));
    if (!parsed) return false;
    return this.entries.some(
      (e) => e.family === parsed.family && inRange(parsed.bytes, Array.from(e.bytes), e.bits),
    );
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
