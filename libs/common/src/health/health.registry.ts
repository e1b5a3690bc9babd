import { Injectable } from '@nestjs/common';

export interface DependencyCheck {
  readonly name: string;
  /** A required dependency that is down makes the service not ready (503). */
  readonly required: boolean;
  check(): Promise<void>;
}

export interface DependencyStatus {
  status: 'up' | 'down';
  required: boolean;
  latency_ms: number;
  error?: string;
}

const CHECK_TIMEOUT_MS = 1500;

/** Dependencies that feature modules register for the readiness report. */
@Injectable()
export class HealthRegistry {
  private readonly checks: DependencyCheck[] = [];
  private draining = false;

  register(check: DependencyCheck): void {
    this.checks.push(check);
  }

  markDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async readiness(): Promise<{ ready: boolean; checks: Record<string, DependencyStatus> }> {
    const results = await Promise.all(this.checks.map((c) => this.run(c)));
    const checks: Record<string, DependencyStatus> = {};
    this.checks.forEach((c, i) => (checks[c.name] = results[i]!));
    const ready = !this.draining && results.every((r) => r.status === 'up' || !r.required);
    return { ready, checks };
  }

  private async run(check: DependencyCheck): Promise<DependencyStatus> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        check.check(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
        }),
      ]);
      return { status: 'up', required: check.required, latency_ms: Math.round(performance.now() - started) };
    } catch (error) {
      return {
        status: 'down',
        required: check.required,
        latency_ms: Math.round(performance.now() - started),
        error: error instanceof Error ? error.message : String(error),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
