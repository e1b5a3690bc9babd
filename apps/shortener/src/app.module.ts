import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { HealthModule } from '@snip/common';
import { DatabaseModule } from '@snip/data';
import { RedirectModule } from './redirect/redirect.module';
import { UiModule } from './ui/ui.module';
import { UrlsModule } from './urls/urls.module';

@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true }),
    HealthModule,
    DatabaseModule.forService('snip-shortener'),
    UiModule,
    UrlsModule,
    // Last: its `/:code` route must not shadow the routes above.
    RedirectModule,
  ],
})
export class AppModule {}
