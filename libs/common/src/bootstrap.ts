// The start-up and shutdown sequence both services share: validated config, JSON errors, one SIGTERM owner.
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { validateConfigOrExit } from './config/validate';
import { HealthRegistry } from './health/health.registry';
import { JsonExceptionFilter } from './http/json-exception.filter';
import { createValidationPipe } from './http/validation.pipe';
import { createLogger, JsonLogger } from './logging/logger';
import { trustProxies } from './net/client-ip';
import type { CidrList } from './net/ip';

export interface ServiceOptions {
  /** Service name used in logs (`shortener`, `redirector`). */
  readonly service: string;
  readonly module: Type<unknown>;
  /** Config factories, run once before Nest starts so that a bad variable fails in one line. */
  readonly configs: ReadonlyArray<() => unknown>;
  /** Reads the listening port and host once the config is known to be valid. */
  readonly listen: () => { port: number; host: string; shutdownDelayMs: number; bodyLimit: string; trustedProxies?: CidrList };
  /** Extra per-service wiring (static assets, OpenAPI) before the app starts listening. */
  readonly configure?: (app: NestExpressApplication) => void;
  /** Printed once listening, e.g. the URL to open. */
  readonly announce?: (address: string) => string;
}

interface TelemetryHandle {
  shutdown(): Promise<void>;
}

/** The OpenTelemetry preload publishes its shutdown here; absent when the SDK is not loaded. */
export async function shutdownTelemetry(): Promise<void> {
  const handle = (globalThis as Record<symbol, TelemetryHandle | undefined>)[Symbol.for('snip.telemetry')];
  if (handle) await handle.shutdown();
}

/**
 * From now on every answer says `Connection: close`, so a keep-alive client does not send its next
 * request on a socket that is about to go away, and each busy socket closes after its response.
 */
function stopKeepAlive(server: Server): void {
  const lastOnSocket = (_req: unknown, res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('connection', 'close');
  };
  server.prependListener('request', lastOnSocket);
  for (const res of inFlight(server)) lastOnSocket(undefined, res);
}

/** How long in-flight requests may run after the server stops accepting (part of a pod's grace period). */
export const SERVER_CLOSE_TIMEOUT_MS = 10_000;

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    stopKeepAlive(server);
    // Idle keep-alive sockets would hold close() open; busy ones are allowed to finish their request.
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Responses still being produced, tracked from the start so that shutdown can mark them. */
const responses = new WeakMap<Server, Set<ServerResponse>>();

function trackResponses(server: Server): void {
  const open = new Set<ServerResponse>();
  responses.set(server, open);
  server.prependListener('request', (_req: unknown, res: ServerResponse) => {
    open.add(res);
    res.once('close', () => open.delete(res));
  });
}

function inFlight(server: Server): ServerResponse[] {
  return [...(responses.get(server) ?? [])];
}

/** Creates a fully wired application without listening; tests use this too. */
export async function createServiceApp(
  options: Pick<ServiceOptions, 'module' | 'configure' | 'service' | 'listen'>,
  logger: JsonLogger = new JsonLogger(createLogger(options.service)),
): Promise<NestExpressApplication> {
  const { bodyLimit, trustedProxies } = options.listen();
  const app = await NestFactory.create<NestExpressApplication>(options.module, {
    logger,
    bodyParser: false,
    abortOnError: false,
  });
  app.disable('x-powered-by');
  // req.ip, req.ips and req.protocol believe X-Forwarded-* only from these peers.
  app.set('trust proxy', trustedProxies ? trustProxies(trustedProxies) : false);
  app.set('etag', false);
  app.useBodyParser('json', { limit: bodyLimit });
  app.useGlobalFilters(new JsonExceptionFilter());
  app.useGlobalPipes(createValidationPipe());
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      crossOriginEmbedderPolicy: false,
      strictTransportSecurity: false,
    }),
  );
  options.configure?.(app);
  return app;
}

export async function runService(options: ServiceOptions): Promise<INestApplication> {
  validateConfigOrExit(options.service, options.configs);
  const { port, host, shutdownDelayMs } = options.listen();
  const logger = new JsonLogger(createLogger(options.service));
  const app = await createServiceApp(options, logger);
  const server = app.getHttpServer() as Server;
  trackResponses(server);
  await app.listen(port, host);
  // Longer than common load-balancer idle timeouts so the proxy, not Node, closes idle connections.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // PORT=0 binds any free port: the line reports the one actually bound, which is what callers read.
  const bound = (server.address() as AddressInfo).port;
  const address = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  // Where the service listens is printed at every level but `silent` (LOG_LEVEL=warn still says it).
  const announcer = logger.pino.level === 'silent' || logger.pino.isLevelEnabled('info') ? logger.pino : logger.pino.child({}, { level: 'info' });
  announcer.info({ event: 'listening', port: bound, host }, options.announce ? options.announce(address) : `listening on ${address}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.pino.info({ event: 'shutdown', signal }, 'shutting down: draining requests');
    try {
      app.get(HealthRegistry).markDraining();
      if (shutdownDelayMs > 0) {
        // Still serving while the load balancer notices, but clients move off their pooled sockets.
        stopKeepAlive(server);
        await new Promise((r) => setTimeout(r, shutdownDelayMs));
      }
      await closeServer(server, SERVER_CLOSE_TIMEOUT_MS);
      await app.close();
      logger.pino.info({ event: 'stopped', duration_ms: Date.now() - started }, 'stopped');
      await shutdownTelemetry();
      process.exit(0);
    } catch (error) {
      logger.pino.error({ err: error }, 'shutdown failed');
      await shutdownTelemetry().catch(() => undefined);
      process.exit(1);
    }
  };
  // This is the only SIGTERM/SIGINT handler: it drains HTTP, runs Nest's hooks, then flushes telemetry.
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  return app;
}
