import { Injectable } from '@nestjs/common';
import { type HealthIndicatorFunction, type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

export interface DependencyCheck {
  readonly name: string;
  /** A required dependency that is down makes the service not ready (503); an optional one degrades it. */
  readonly required: boolean;
  /** Resolves when the dependency answers; the rejection's message is reported. */
  check(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 1500;

/** Dependencies that feature modules register as Terminus indicators, and whether the process is draining. */
@Injectable()
export class HealthRegistry {
  private readonly checks: HealthIndicatorFunction[] = [];
  private draining = false;

  constructor(private readonly indicators: HealthIndicatorService) {}

  register(dependency: DependencyCheck): void {
    const { name, required } = dependency;
    this.checks.push(async (): Promise<HealthIndicatorResult> => {
      const attempt = await this.indicators
        .check(name)
        .attempt(() => dependency.check())
        .withTimeout(CHECK_TIMEOUT_MS);
      const { status, ...data } = attempt[name]!;
      const session = this.indicators.check(name);
      if (status === 'up') return session.up({ ...data, required });
      // Terminus fails the whole check on `down`; an optional dependency only degrades the service.
      return required ? session.down({ ...data, required }) : session.degraded({ ...data, required });
    });
  }

  get indicatorFunctions(): readonly HealthIndicatorFunction[] {
    return this.checks;
  }

  /** From SIGTERM on, readiness answers 503 so that load balancers stop sending traffic. */
  markDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }
}
