// Runs the built services as real processes, started the way the image starts them.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { VariableName } from '@snip/config-contract';

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

/** How long a service may take to log that it listens before its start counts as failed. */
export const START_TIMEOUT_MS = 30_000;

/**
 * Starts a service on `options.port` (0 unless told: the service binds any free port) and resolves
 * once it has logged its `listening` line, with the port it reports. Rejects as soon as the process
 * exits before that, with its exit status and the tail of its stderr.
 */
export async function startService(
  name: ServiceName,
  env: Record<string, string | undefined>,
  options: { port?: number; timeoutMs?: number; prefix?: readonly string[] } = {},
): Promise<RunningService> {
  // A prefix runs before Node (the benchmark's memory cgroup); it must exec, so the pid stays the service's.
  const [command, ...args] = [...(options.prefix ?? []), process.execPath, ...serviceCommand(name)];
  const child = spawn(command!, args, {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      ...SERVICE_ENV[name],
      ...env,
      PORT: String(options.port ?? 0),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  let reportListening!: (port: number) => void;
  const listening = new Promise<number>((resolve) => (reportListening = resolve));
  const collect = (chunk: Buffer, rest: { text: string }, sink?: string[]) => {
    rest.text += chunk.toString('utf8');
    let i: number;
    while ((i = rest.text.indexOf('\n')) >= 0) {
      const line = rest.text.slice(0, i);
      rest.text = rest.text.slice(i + 1);
      lines.push(line);
      sink?.push(line);
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        // not a JSON line
      }
      if (!parsed) continue;
      logs.push(parsed);
      if (parsed['event'] === 'listening' && typeof parsed['port'] === 'number') reportListening(parsed['port']);
    }
  };
  const out = { text: '' };
  const err = { text: '' };
  child.stdout!.on('data', (c: Buffer) => collect(c, out));
  child.stderr!.on('data', (c: Buffer) => collect(c, err, stderr));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  // Once both pipes are drained, so that the tail holds the process's last words.
  const closed = new Promise<number | string>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? -1)));
  const diedEarly = closed.then((status) => {
    throw new Error(`${name} exited with ${status} before listening; its stderr ends:\n${stderr.slice(-20).join('\n')}`);
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    const timeoutMs = options.timeoutMs ?? START_TIMEOUT_MS;
    timer = setTimeout(() => reject(new Error(`${name} did not log "listening" within ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`)), timeoutMs);
  });
  let port: number;
  try {
    port = await Promise.race([listening, diedEarly, timedOut]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
    diedEarly.catch(() => undefined);
  }
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    lines,
    logs,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
