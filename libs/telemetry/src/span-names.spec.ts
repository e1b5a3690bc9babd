import { describe, expect, it } from 'vitest';
import { clientSpanName, isProbe, peersFromEnv, serviceFromMainPath } from './span-names';

describe('client span names', () => {
  const peers = peersFromEnv({ REDIRECTOR_URL: 'http://redirector:3001', GEO_API_URL: 'http://127.0.0.1:9999' });

  it('names the redirector and its path template, never the code', () => {
    expect(clientSpanName('GET', 'http://redirector:3001', '/resolve/aB3xY9k?visit=0', peers)).toBe('GET redirector /resolve/:code');
  });

  it('names the geolocation API as ip-api.com wherever GEO_API_URL points, never the IP', () => {
    expect(clientSpanName('GET', 'http://127.0.0.1:9999', '/json/8.8.8.8?fields=status', peers)).toBe('GET ip-api.com /json/:ip');
    expect(clientSpanName('get', 'http://ip-api.com', '/json/1.1.1.1', peersFromEnv({}))).toBe('GET ip-api.com /json/:ip');
  });

  it('names any other host a target page, and a known peer without a template by itself', () => {
    expect(clientSpanName('GET', 'https://example.com', '/article/42', peers)).toBe('GET target-page');
    expect(clientSpanName('HEAD', 'http://redirector:3001/', '/other', peers)).toBe('HEAD redirector');
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
