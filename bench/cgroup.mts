// Memory cgroups (v1) for the benchmark: each service runs under the memory limit its manifest sets.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CGROUP_V1_MEMORY_ROOT = '/sys/fs/cgroup/memory';

export interface MemoryGroup {
  readonly path: string;
  readonly limitBytes: number | null;
  /** Command prefix that moves the process into the group before Node starts (so V8 sizes its heap from the limit). */
  readonly prefix: readonly string[];
  stats(): MemoryGroupStats;
  /** Starts a new peak (max_usage) window. */
  resetPeak(): void;
  /** Removes the group; its processes must have exited. */
  remove(): void;
}

export interface MemoryGroupStats {
  /** null: the group only measures. */
  readonly limitMiB: number | null;
  /** Peak charged memory (RSS + page cache) of the group, MiB. */
  readonly peakMiB: number;
  /** How often the group hit its limit (reclaim was forced). */
  readonly failcnt: number;
  /** Processes the kernel's OOM killer ended inside the group. */
  readonly oomKills: number;
}

/** '256Mi' / '1Gi' / '512M' / bytes → bytes (the Kubernetes quantities the manifests use). */
export function quantityBytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(quantity.trim());
  if (!match) throw new Error(`unsupported memory quantity ${JSON.stringify(quantity)}`);
  const factor = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, K: 1e3, M: 1e6, G: 1e9 }[match[2] ?? ''] ?? 1;
  return Math.round(Number(match[1]) * factor);
}

/** Why memory groups cannot be used here, or null when they can. */
export function cgroupUnavailable(root = CGROUP_V1_MEMORY_ROOT): string | null {
  if (!existsSync(join(root, 'memory.limit_in_bytes'))) return `no cgroup v1 memory controller at ${root}`;
  const probe = join(root, `snip-bench-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return null;
  } catch (error) {
    return `${root} is not writable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
}

const readNumber = (file: string) => Number(readFileSync(file, 'utf8').trim());

/**
 * Creates `<root>/<name>` limited to `limitBytes` (memory + swap where swap is accounted, so the
 * limit is the limit), or unlimited when `limitBytes` is null (the group then only measures).
 */
export function createMemoryGroup(name: string, limitBytes: number | null, root = CGROUP_V1_MEMORY_ROOT): MemoryGroup {
  const path = join(root, name);
  mkdirSync(path);
  if (limitBytes !== null) {
    writeFileSync(join(path, 'memory.limit_in_bytes'), String(limitBytes));
    const memsw = join(path, 'memory.memsw.limit_in_bytes');
    if (existsSync(memsw)) writeFileSync(memsw, String(limitBytes));
  }
  return {
    path,
    limitBytes,
    prefix: ['/bin/sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', path],
    stats() {
      const oom = /^oom_kill (\d+)$/m.exec(readFileSync(join(path, 'memory.oom_control'), 'utf8'));
      return {
        limitMiB: limitBytes === null ? null : Math.round(limitBytes / 1024 ** 2),
        peakMiB: Math.round((readNumber(join(path, 'memory.max_usage_in_bytes')) / 1024 ** 2) * 10) / 10,
        failcnt: readNumber(join(path, 'memory.failcnt')),
        oomKills: oom ? Number(oom[1]) : 0,
      };
    },
    resetPeak() {
      writeFileSync(join(path, 'memory.max_usage_in_bytes'), '0');
    },
    remove() {
      if (existsSync(path)) rmdirSync(path);
    },
  };
}
