import { describe, expect, it } from 'vitest';
import { clientSpanName, isProbe, peer, registerPeer, serviceFromMainPath } from './span-names';

describe('client span names', () => {
  const peers = [peer('http://redirector:3001', 'redirector', ['/resolve/:code']), peer('http://127.0.0.1:9999', 'ip-api.com', ['/json/:ip'])];

  it('names the redirector and its path template, never the code', () => {
    expect(clientSpanName('GET', 'http://redirector:3001', '/resolve/aB3xY9k?visit=0', peers)).toBe('GET redirector /resolve/:code');
    expect(clientSpanName('GET', 'http://redirector:3001', '/resolve/aB3xY9k', peers)).toBe('GET redirector /resolve/:code');
  });

  it('names the geolocation API after its registered name wherever it points, never the IP', () => {
    expect(clientSpanName('GET', 'http://127.0.0.1:9999', '/json/8.8.8.8?fields=status', peers)).toBe('GET ip-api.com /json/:ip');
  });

  it('matches routes under the path of the base URL, and only whole routes', () => {
    const prefixed = [peer('http://redirector:3001/internal/', 'redirector', ['/resolve/:code'])];
    expect(clientSpanName('GET', 'http://redirector:3001', '/internal/resolve/abc?visit=0', prefixed)).toBe('GET redirector /resolve/:code');
    expect(clientSpanName('GET', 'http://redirector:3001', '/resolve/abc', prefixed)).toBe('GET redirector');
    expect(clientSpanName('GET', 'http://redirector:3001', '/internal/resolve/abc/more', prefixed)).toBe('GET redirector');
    expect(clientSpanName('GET', 'http://redirector:3001', '/internal/resolve/', prefixed)).toBe('GET redirector');
  });

  it('names any other host a target page, and a known peer without a template by itself', () => {
    expect(clientSpanName('GET', 'https://example.com', '/article/42', peers)).toBe('GET target-page');
    expect(clientSpanName('HEAD', 'http://redirector:3001/', '/other', peers)).toBe('HEAD redirector');
    expect(clientSpanName(undefined, 'not a url', '/', peers)).toBe('GET target-page');
  });

  it('uses the peers registered by the clients, the latest registration of an origin winning', () => {
    expect(clientSpanName('GET', 'http://geo.test:8080', '/json/1.1.1.1')).toBe('GET target-page');
    registerPeer(peer('http://geo.test:8080', 'geo', ['/json/:ip']));
    expect(clientSpanName('get', 'http://geo.test:8080', '/json/1.1.1.1')).toBe('GET geo /json/:ip');
    registerPeer(peer('http://geo.test:8080/', 'ip-api.com', ['/json/:ip']));
    expect(clientSpanName('GET', 'http://geo.test:8080', '/json/1.1.1.1')).toBe('GET ip-api.com /json/:ip');
  });
});

describe('service name and probes', () => {
  it('derives the service from the start path', () => {
    expect(serviceFromMainPath('/app/apps/redirector/dist/main.js')).toBe('redirector');
    expect(serviceFromMainPath('apps/shortener/dist/main.js')).toBe('shortener');
    expect(serviceFromMainPath('/usr/lib/node_modules/x/cli.js')).toBeUndefined();
  });

  it('recognises health probes only', () => {
    expect(['/health', '/health/live', '/health/ready?x=1'].every(isProbe)).toBe(true);
    expect(['/healthy', '/api/health', '/abc'].some(isProbe)).toBe(false);
  });
});
