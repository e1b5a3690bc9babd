// Runs the built services as real processes, started the way the image starts them.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { VariableName } from '@snip/config-contract';
import { freePort, waitFor } from './net';

export const ROOT = resolve(import.meta.dirname, '..', '..');

export type ServiceName = 'shortener' | 'redirector';

export interface RunningService {
  readonly name: ServiceName;
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  /** Every stdout/stderr line so far; JSON log lines are parsed into `logs`. */
  readonly lines: string[];
  readonly logs: Array<Record<string, unknown>>;
  /** Sends a signal and resolves with the exit code (or signal name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
  readonly exited: Promise<number | string>;
}

/** The command the image runs: the SDK preloaded before the application's own modules. */
export function serviceCommand(name: ServiceName): string[] {
  return ['--require', join(ROOT, 'libs/telemetry/dist/register.js'), join(ROOT, `apps/${name}/dist/main.js`)];
}

type Settings = Partial<Record<VariableName | `OTEL_${string}`, string>>;

const EVERY_SERVICE = { HOST: '127.0.0.1', OTEL_SDK_DISABLED: 'true', LOG_LEVEL: 'info' } as const;

/** Settings each test service starts with (the contract's names; OTEL_* is the SDK's). */
export const SERVICE_ENV = {
  // Tests shorten many links from one address; rate-limit tests turn the limit back on.
  shortener: { ...EVERY_SERVICE, RATE_LIMIT_SHORTEN: '0' },
  redirector: EVERY_SERVICE,
} as const satisfies Record<ServiceName, Settings>;

export async function startService(
  name: ServiceName,
  env: Record<string, string | undefined>,
  options: { port?: number; waitReady?: boolean; prefix?: readonly string[] } = {},
): Promise<RunningService> {
  const port = options.port ?? (await freePort());
  // A prefix runs before Node (the benchmark's memory cgroup); it must exec, so the pid stays the service's.
  const [command, ...args] = [...(options.prefix ?? []), process.execPath, ...serviceCommand(name)];
  const child = spawn(command!, args, {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      ...SERVICE_ENV[name],
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const collect = (chunk: Buffer, rest: { text: string }) => {
    rest.text += chunk.toString('utf8');
    let i: number;
    while ((i = rest.text.indexOf('\n')) >= 0) {
      const line = rest.text.slice(0, i);
      rest.text = rest.text.slice(i + 1);
      lines.push(line);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a JSON line
      }
    }
  };
  const out = { text: '' };
  const err = { text: '' };
  child.stdout!.on('data', (c: Buffer) => collect(c, out));
  child.stderr!.on('data', (c: Buffer) => collect(c, err));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = `http://127.0.0.1:${port}`;
  const service: RunningService = {
    name,
    port,
    url,
    child,
    lines,
    logs,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (options.waitReady !== false) {
    let exitCode: number | string | undefined;
    void exited.then((c) => (exitCode = c));
    await waitFor(
      async () => {
        if (exitCode !== undefined) throw new Error(`${name} exited with ${exitCode}:\n${lines.join('\n')}`);
        return (await fetch(`${url}/health/live`)).ok;
      },
      30_000,
      `${name} to listen on ${port}`,
    ).catch((error: Error) => {
      child.kill('SIGKILL');
      throw new Error(`${error.message}\n${lines.slice(-20).join('\n')}`);
    });
  }
  return service;
}

/** Waits until a service has written no output for `quietMs`, so that log lines can be attributed to one request. */
export async function settleLogs(service: RunningService, quietMs = 300): Promise<void> {
  let last = -1;
  for (;;) {
    const seen = service.lines.length;
    if (seen === last) return;
    last = seen;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}
