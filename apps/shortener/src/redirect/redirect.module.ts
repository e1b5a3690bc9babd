import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { appConfig } from '../config/app.config';
import { redirectorConfig } from '../config/redirector.config';
import { RedirectController } from './redirect.controller';
import { RedirectorClient } from './redirector.client';

// `GET|HEAD /:code`, answered by asking the redirector service.
@Module({
  imports: [ConfigModule.forFeature(appConfig), ConfigModule.forFeature(redirectorConfig)],
  controllers: [RedirectController],
  providers: [RedirectorClient],
})
export class RedirectModule {}
