// Waiting in tests: poll a condition, and stop at once when what it waits on can no longer succeed.
import { createServer } from 'node:net';

/**
 * A port that was free a moment ago, for programs that cannot bind port 0 and report it
 * (embedded PostgreSQL, redis-server). Snip's own services bind port 0 instead (services.ts).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface WaitOptions {
  /** Rejects when waiting is pointless (e.g. the process being waited for exited): the wait fails with its error at once. */
  readonly abandon?: Promise<unknown>;
  /** Poll interval, 50 ms unless told. */
  readonly intervalMs?: number;
}

/** Polls `check` until it returns true; fails after `timeoutMs` with the last error `check` threw, or as soon as `abandon` rejects. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
  options: WaitOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let abandoned: unknown;
  let gone = false;
  options.abandon?.then(
    () => undefined,
    (error: unknown) => {
      gone = true;
      abandoned = error;
    },
  );
  let lastError: unknown;
  for (;;) {
    if (gone) throw abandoned instanceof Error ? abandoned : new Error(String(abandoned));
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (gone) throw abandoned instanceof Error ? abandoned : new Error(String(abandoned));
    if (Date.now() > deadline) {
      const last = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    }
    const pause = new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
    await (options.abandon ? Promise.race([pause, options.abandon.catch(() => undefined)]) : pause);
  }
}
