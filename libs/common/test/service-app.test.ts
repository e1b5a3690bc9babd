// Readiness (Terminus) and trust-proxy wiring of the shared service app, without any store behind it.
import type { INestApplication } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CidrList, createServiceApp, HealthModule, HealthRegistry } from '@snip/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Detail {
  status: string;
  required: boolean;
  responseTime: number;
  message?: string;
}
interface Readiness {
  status: string;
  details: Record<string, Detail>;
}

const failure: { database?: Error; redis?: Error; hang?: boolean } = {};
let app: INestApplication;
let base: string;

const ready = async () => {
  const res = await fetch(`${base}/health/ready`);
  return { code: res.status, body: (await res.json()) as Readiness, cacheControl: res.headers.get('cache-control') };
};

beforeAll(async () => {
  app = await createServiceApp({
    service: 'test',
    module: HealthModule,
    listen: () => ({ port: 0, host: '127.0.0.1', shutdownDelayMs: 0, bodyLimit: '16kb', trustedProxies: new CidrList(['127.0.0.1']) }),
  });
  const registry = app.get(HealthRegistry);
  registry.register({
    name: 'database',
    required: true,
    check: async () => {
      if (failure.hang) await new Promise(() => undefined);
      if (failure.database) throw failure.database;
    },
  });
  registry.register({
    name: 'redis',
    required: false,
    check: async () => {
      if (failure.redis) throw failure.redis;
    },
  });
  app.getHttpAdapter().get('/whoami', (req: Request, res: Response) => res.json({ ip: req.ip }));
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
});

describe('readiness', () => {
  it('is ok with each dependency up, and not cached by anything in between', async () => {
    const { code, body, cacheControl } = await ready();
    expect(code).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.details['database']).toMatchObject({ status: 'up', required: true, responseTime: expect.any(Number) });
    expect(body.details['redis']).toMatchObject({ status: 'up', required: false });
    expect(cacheControl).toContain('no-store');
  });

  it('stays ready but degraded while an optional dependency is down', async () => {
    failure.redis = new Error('connect ECONNREFUSED');
    try {
      const { code, body } = await ready();
      expect(code).toBe(200);
      expect(body.status).toBe('degraded');
      expect(body.details['redis']).toMatchObject({ status: 'degraded', required: false, message: 'connect ECONNREFUSED' });
      expect(body.details['database']?.status).toBe('up');
    } finally {
      delete failure.redis;
    }
  });

  it('answers 503 with the reason when a required dependency is down', async () => {
    failure.database = new Error('password authentication failed');
    try {
      const { code, body } = await ready();
      expect(code).toBe(503);
      expect(body.status).toBe('error');
      expect(body.details['database']).toMatchObject({ status: 'down', required: true, message: 'password authentication failed' });
    } finally {
      delete failure.database;
    }
  });

  it('counts a dependency that does not answer as down', async () => {
    failure.hang = true;
    try {
      const { code, body } = await ready();
      expect(code).toBe(503);
      expect(body.details['database']).toMatchObject({ status: 'down', message: 'timeout of 1500ms exceeded' });
    } finally {
      delete failure.hang;
    }
  });
});

describe('client address', () => {
  it('req.ip follows X-Forwarded-For only past trusted proxies', async () => {
    const whoami = async (xff: string) =>
      ((await (await fetch(`${base}/whoami`, { headers: { 'x-forwarded-for': xff } })).json()) as { ip: string }).ip;
    // The test client is 127.0.0.1, a trusted proxy: the right-most untrusted hop is the client.
    expect(await whoami('198.51.100.1, 203.0.113.5')).toBe('203.0.113.5');
    expect(await whoami('203.0.113.5, 127.0.0.1')).toBe('203.0.113.5');
  });
});

// Last: draining cannot be undone.
describe('draining', () => {
  it('turns readiness to 503 while liveness stays up', async () => {
    app.get(HealthRegistry).markDraining();
    const { code, body } = await ready();
    expect(code).toBe(503);
    expect(body.status).toBe('shutting_down');
    expect(body.details['database']?.status).toBe('up');
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
  });
});
