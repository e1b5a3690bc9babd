import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { clientAddress } from './client-ip';
import { CidrList } from './ip';

/** A request as Node hands it over: repeated X-Forwarded-For headers arrive joined by ", ". */
const request = (peer: string | undefined, xff: string | string[] | undefined) =>
  ({
    headers: xff === undefined ? {} : { 'x-forwarded-for': Array.isArray(xff) ? xff.join(', ') : xff },
    socket: { remoteAddress: peer } as Socket,
  }) as IncomingMessage;

const addressOf = (peer: string | undefined, xff: string | string[] | undefined, trusted: CidrList) =>
  clientAddress(request(peer, xff), trusted);

const none = new CidrList([]);
const proxies = new CidrList(['10.0.0.0/8', '::1', '127.0.0.1']);

describe('clientAddress', () => {
  describe('with no trusted proxies', () => {
    it.each([
      ['203.0.113.9', undefined, '203.0.113.9'],
      ['203.0.113.9', '1.2.3.4', '203.0.113.9'],
      ['203.0.113.9', '1.2.3.4, 5.6.7.8', '203.0.113.9'],
      ['::ffff:203.0.113.9', '1.2.3.4', '203.0.113.9'],
      ['2001:db8::7', '1.2.3.4', '2001:db8::7'],
    ])('peer %s with X-Forwarded-For %j is %s', (peer, xff, expected) => {
      expect(addressOf(peer, xff, none)).toBe(expected);
    });
  });

  describe('spoofing from an untrusted peer', () => {
    it.each([
      ['a single forged address', '8.8.8.8'],
      ['a forged chain ending in a trusted proxy', '8.8.8.8, 10.0.0.1'],
      ['a loopback claim', '127.0.0.1'],
      ['garbage', 'not-an-ip'],
    ])('ignores %s', (_label, xff) => {
      expect(addressOf('198.51.100.20', xff, proxies)).toBe('198.51.100.20');
    });

    it('ignores every header of an array', () => {
      expect(addressOf('198.51.100.20', ['8.8.8.8', '9.9.9.9'], proxies)).toBe('198.51.100.20');
    });
  });

  describe('behind trusted proxies', () => {
    it.each([
      ['the client of one proxy', '10.0.0.1', '203.0.113.5', '203.0.113.5'],
      ['the right-most untrusted hop of a comma list', '10.0.0.1', '8.8.8.8, 203.0.113.5', '203.0.113.5'],
      ['past a chain of trusted proxies', '10.0.0.1', '203.0.113.5, 10.0.0.3, 10.0.0.2', '203.0.113.5'],
      ['a client-forged left part is not believed', '10.0.0.1', '127.0.0.1, 8.8.8.8, 203.0.113.5', '203.0.113.5'],
      ['with no spaces', '10.0.0.1', '8.8.8.8,203.0.113.5,10.0.0.2', '203.0.113.5'],
      ['with extra spaces and empty entries', '10.0.0.1', ' , 203.0.113.5 ,, ', '203.0.113.5'],
      ['an IPv4-mapped hop is normalised', '10.0.0.1', '::ffff:203.0.113.5', '203.0.113.5'],
      ['an IPv6 client', '10.0.0.1', '2001:db8::42', '2001:db8::42'],
      ['a bracketed IPv6 client', '10.0.0.1', '[2001:db8::42]', '2001:db8::42'],
      ['an IPv4-mapped peer is recognised as trusted', '::ffff:10.0.0.1', '203.0.113.5', '203.0.113.5'],
      ['an IPv6 loopback peer', '::1', '203.0.113.5', '203.0.113.5'],
      ['the left-most address when every hop is trusted', '10.0.0.1', '10.0.0.9, 10.0.0.2', '10.0.0.9'],
    ])('finds %s', (_label, peer, xff, expected) => {
      expect(addressOf(peer, xff, proxies)).toBe(expected);
    });

    it.each([
      ['no header', undefined],
      ['an empty header', ''],
      ['only commas', ' , ,'],
    ])('falls back to the peer with %s', (_label, xff) => {
      expect(addressOf('10.0.0.1', xff, proxies)).toBe('10.0.0.1');
    });

    it.each([
      ['a host name', 'client.example.com'],
      ['an address with a port', '203.0.113.5:4711'],
      ['an out-of-range address', '300.1.1.1'],
      ['a loose IPv4 form', '2130706433'],
      ['an HTML payload', '<script>alert(1)</script>'],
    ])('stops at %s and keeps the last address a trusted hop vouched for', (_label, garbage) => {
      expect(addressOf('10.0.0.1', garbage, proxies)).toBe('10.0.0.1');
      expect(addressOf('10.0.0.1', `${garbage}, 10.0.0.2`, proxies)).toBe('10.0.0.2');
      expect(addressOf('10.0.0.1', `203.0.113.5, ${garbage}`, proxies)).toBe('10.0.0.1');
    });

    it('treats several headers as one comma list in order', () => {
      expect(addressOf('10.0.0.1', ['8.8.8.8, 203.0.113.5', '10.0.0.2'], proxies)).toBe('203.0.113.5');
      expect(addressOf('10.0.0.1', ['203.0.113.5', '198.51.100.1'], proxies)).toBe('198.51.100.1');
    });
  });

  it.each([
    [undefined, 'unknown'],
    ['', 'unknown'],
  ])('answers %j for a missing peer, ignoring the header', (peer, expected) => {
    expect(addressOf(peer, '203.0.113.5', proxies)).toBe(expected);
  });
});
