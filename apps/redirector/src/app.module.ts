import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { HealthModule } from '@snip/common';
import { DatabaseModule } from '@snip/data';
import { ResolveModule } from './resolve/resolve.module';

@Module({
  imports: [ConfigModule.forRoot({ ignoreEnvFile: true }), HealthModule, DatabaseModule.forService('snip-redirector'), ResolveModule],
})
export class AppModule {}
