import { describe, expect, it } from 'vitest';
import {
  anonymizeAddress,
  CidrList,
  classifyAddress,
  isIpLiteral,
  isPublicAddress,
  normalizeAddress,
  parseAddress,
  parseIPv4Loose,
  parseIPv6,
} from './ip';

const v4 = (input: string) => {
  const bytes = parseIPv4Loose(input);
  return bytes ? Array.from(bytes).join('.') : null;
};

const v6words = (input: string) => {
  const bytes = parseIPv6(input);
  if (!bytes) return null;
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return words.join(':');
};

describe('parseIPv4Loose', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0X7F000001', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['0', '0.0.0.0'],
    ['0x', '0.0.0.0'],
    ['10.1', '10.0.0.1'],
    ['169.254.43518', '169.254.169.254'],
    ['0xa9fea9fe', '169.254.169.254'],
    ['2852039166', '169.254.169.254'],
    ['0251.0376.0251.0376', '169.254.169.254'],
    ['192.168.257', '192.168.1.1'],
    ['4294967295', '255.255.255.255'],
    ['8.8.8.8', '8.8.8.8'],
    ['1.2.3.4.', '1.2.3.4'],
    [' 10.0.0.1 ', '10.0.0.1'],
  ])('%s → %s', (input, expected) => {
    expect(v4(input)).toBe(expected);
  });

  it.each([
    '',
    '   ',
    '4294967296', // 2^32
    '256.0.0.1',
    '1.256.0.1',
    '1.2.3.256',
    '1.2.65536',
    '1.16777216',
    '1.2.3.4.5',
    '1..2.3',
    '1.2.3.4..',
    '.1.2.3',
    '08.0.0.1', // 8 is not an octal digit
    '09',
    '0x1g',
    '-1',
    '1.2.3.-4',
    '1e3',
    'localhost',
    '0xffffffffffffffffffff',
    '99999999999999999999999',
  ])('rejects %j', (input) => {
    expect(parseIPv4Loose(input)).toBeNull();
  });
});

describe('parseIPv6', () => {
  it.each([
    ['::', '0:0:0:0:0:0:0:0'],
    ['::1', '0:0:0:0:0:0:0:1'],
    ['[::1]', '0:0:0:0:0:0:0:1'],
    ['fe80::1%eth0', 'fe80:0:0:0:0:0:0:1'],
    ['2001:db8::8a2e:370:7334', '2001:db8:0:0:0:8a2e:370:7334'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1::', '1:0:0:0:0:0:0:0'],
    ['::ffff:127.0.0.1', '0:0:0:0:0:ffff:7f00:1'],
    ['::FFFF:7F00:1', '0:0:0:0:0:ffff:7f00:1'],
    ['::127.0.0.1', '0:0:0:0:0:0:7f00:1'],
    ['1:2:3:4:5:6:10.0.0.1', '1:2:3:4:5:6:a00:1'],
    ['64:ff9b::192.168.0.1', '64:ff9b:0:0:0:0:c0a8:1'],
  ])('%s → %s', (input, expected) => {
    expect(v6words(input)).toBe(expected);
  });

  it.each(['', '127.0.0.1', '1:2:3:4:5:6:7:8:9', ':::1', '1::2::3', 'gggg::1', '::ffff:256.0.0.1', 'example.com'])(
    'rejects %j',
    (input) => {
      expect(parseIPv6(input)).toBeNull();
    },
  );
});

describe('parseAddress', () => {
  it('tells the families apart', () => {
    expect(parseAddress('127.1')?.family).toBe(4);
    expect(parseAddress('[::1]')?.family).toBe(6);
    expect(parseAddress('::1')?.bytes).toHaveLength(16);
    expect(parseAddress('1.2.3.4')?.bytes).toHaveLength(4);
    expect(parseAddress('nope')).toBeNull();
  });
});

describe('classifyAddress', () => {
  it.each([
    // loopback in every IPv4 spelling an HTTP client may accept
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['127.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['017700000001', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    // unspecified
    ['0', 'unspecified'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['0.1.2.3', 'reserved'],
    // private
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['012.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['192.168.257', 'private'],
    // link-local and cloud metadata
    ['169.254.0.1', 'link-local'],
    ['169.254.169.254', 'link-local'],
    ['2852039166', 'link-local'],
    ['0xa9fea9fe', 'link-local'],
    ['0251.0376.0251.0376', 'link-local'],
    ['169.254.43518', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    // CGNAT 100.64.0.0/10
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    // multicast
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['ff05::1:3', 'multicast'],
    // unique-local fc00::/7
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    // deprecated site-local
    ['fec0::1', 'private'],
    // IPv4-mapped
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::FFFF:7F00:0001', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:100.64.0.1', 'cgnat'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['0:0:0:0:0:ffff:c0a8:101', 'private'],
    // IPv4-compatible (deprecated)
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['::10.0.0.1', 'private'],
    ['::169.254.169.254', 'link-local'],
    // SIIT ::ffff:0:a.b.c.d
    ['::ffff:0:127.0.0.1', 'loopback'],
    // NAT64
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['64:ff9b:1::1', 'reserved'],
    // 6to4 carries the tunnel end point's IPv4 address
    ['2002:7f00:1::', 'loopback'],
    ['2002:a00:1::1', 'private'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['2002:808:808::1', 'public'],
    // documentation, benchmarking and other reserved ranges
    ['192.0.2.1', 'reserved'],
    ['198.51.100.7', 'reserved'],
    ['203.0.113.9', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'], // Teredo
    ['100::1', 'reserved'], // discard-only
    ['2001:2::1', 'reserved'], // benchmarking
    ['2001:20::1', 'reserved'], // ORCHIDv2
    ['3fff::1', 'reserved'], // documentation (RFC 9637)
    ['5f00::1', 'reserved'], // segment routing
    ['0.0.0.1', 'reserved'],
    // public
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['93.184.215.14', 'public'],
    ['172.15.255.255', 'public'],
    ['172.32.0.0', 'public'],
    ['100.63.255.255', 'public'],
    ['100.128.0.0', 'public'],
    ['169.253.255.255', 'public'],
    ['11.0.0.1', 'public'],
    ['223.255.255.255', 'public'],
    ['2606:4700::1111', 'public'],
    ['2001:4860:4860::8888', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['192.175.48.1', 'public'], // AS112 anycast DNS
    ['2620:4f:8000::1', 'public'],
  ])('%s is %s', (input, expected) => {
    expect(classifyAddress(input)).toBe(expected);
  });

  it.each(['', 'localhost', 'example.com', '1.2.3.4.5', '256.1.1.1', '::g', 'fe80::1::2', '127.0.0.1:80'])(
    'never calls unparseable %j public',
    (input) => {
      expect(classifyAddress(input)).toBe('reserved');
      expect(isPublicAddress(input)).toBe(false);
    },
  );

  it('isPublicAddress agrees with classifyAddress', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2606:4700::1111')).toBe(true);
    expect(isPublicAddress('::ffff:7f00:1')).toBe(false);
    expect(isPublicAddress('0x7f.1')).toBe(false);
  });
});

describe('isIpLiteral', () => {
  it.each([
    ['127.0.0.1', true],
    ['::1', true],
    ['[::1]', true],
    ['127.1', false],
    ['2130706433', false],
    ['example.com', false],
    ['', false],
  ])('%j → %s', (input, expected) => {
    expect(isIpLiteral(input)).toBe(expected);
  });
});

describe('normalizeAddress', () => {
  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:203.0.113.5', '203.0.113.5'],
    ['[::ffff:10.0.0.1]', '10.0.0.1'],
    [' 1.2.3.4 ', '1.2.3.4'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['::1', '::1'],
    ['8.8.8.8', '8.8.8.8'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });
});

describe('CidrList', () => {
  const list = new CidrList(['10.0.0.0/8', '192.168.1.0/24', '127.0.0.1', '2001:db8::/32', '::1', '172.16.0.0/12']);

  it('counts its entries', () => {
    expect(list.size).toBe(6);
    expect(new CidrList([]).size).toBe(0);
  });

  it.each([
    ['10.0.0.1', true],
    ['10.255.255.255', true],
    ['11.0.0.0', false],
    ['192.168.1.200', true],
    ['192.168.2.1', false],
    ['127.0.0.1', true],
    ['127.0.0.2', false],
    ['172.31.0.1', true],
    ['172.32.0.1', false],
    ['::ffff:10.1.2.3', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['2001:db8:ffff::1', true],
    ['2001:db9::1', false],
    ['::1', true],
    ['[::1]', true],
    ['::2', false],
    ['garbage', false],
    ['127.1', false], // only strict literals: a peer address is never written loosely
    ['', false],
  ])('contains(%j) is %s', (address, expected) => {
    expect(list.contains(address)).toBe(expected);
  });

  it('never matches across families', () => {
    expect(new CidrList(['0.0.0.0/0']).contains('::1')).toBe(false);
    expect(new CidrList(['::/0']).contains('8.8.8.8')).toBe(false);
    expect(new CidrList(['0.0.0.0/0']).contains('8.8.8.8')).toBe(true);
  });

  it('an empty list contains nothing', () => {
    expect(new CidrList([]).contains('127.0.0.1')).toBe(false);
  });

  it.each([
    'localhost',
    '',
    '10.0.0.0/33',
    '::/129',
    '10.0.0.0/-1',
    '10.0.0.0/8x',
    '10.0.0.0/0x8',
    '10.0.0.0/8.5',
    '10.0.0.0/',
    '10.0.0.0/8/9',
    '127.0.0.1/32/0',
    '127.1',
    '2130706433',
    '300.0.0.1/8',
    'fe80::1::/64',
  ])('rejects the spec %j', (spec) => {
    expect(() => new CidrList([spec])).toThrow(/not an IP address|invalid prefix length/);
  });

  it('a malformed prefix never widens an entry to match every address', () => {
    for (const spec of ['127.0.0.1/', '127.0.0.1/32/0']) {
      let list: CidrList | undefined;
      try {
        list = new CidrList([spec]);
      } catch {
        list = undefined;
      }
      expect(list?.contains('8.8.8.8') ?? false, spec).toBe(false);
    }
  });

  it('names the bad spec in the error', () => {
    expect(() => new CidrList(['127.0.0.1', '10.0.0.0/40'])).toThrow('10.0.0.0/40');
  });
});

describe('anonymizeAddress', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0'],
    ['8.8.8.8', '8.8.8.0'],
    ['::ffff:198.51.100.9', '198.51.100.0'],
    ['2001:db8:abcd:1234:5678::1', '2001:db8:abcd::'],
    ['2606:4700:4700::1111', '2606:4700:4700::'],
    ['[2a00:1450:4001:81c::200e]', '2a00:1450:4001::'],
  ])('%s → %s', (input, expected) => {
    expect(anonymizeAddress(input)).toBe(expected);
  });

  it('keeps nothing past /48 of an IPv6 address', () => {
    const stored = anonymizeAddress('2001:db8:1:ffff:ffff:ffff:ffff:ffff');
    expect(parseIPv6(stored!)).toEqual(parseIPv6('2001:db8:1::'));
  });

  it.each(['', 'unknown', '127.1', '1.2.3.4.5'])('returns null for %j', (input) => {
    expect(anonymizeAddress(input)).toBeNull();
  });
});
