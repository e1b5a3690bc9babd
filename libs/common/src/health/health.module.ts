import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health.registry';

// Liveness, readiness (Terminus) and the compatibility /health route, with checks registered by feature modules.
@Global()
@Module({
  // A failed readiness check is the answer itself; Terminus logging it on every probe would only repeat it.
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [HealthRegistry],
  exports: [HealthRegistry],
})
export class HealthModule {}
