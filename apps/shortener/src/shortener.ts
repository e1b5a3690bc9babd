import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { redisConfig } from '@snip/cache';
import { scenariosConfig, type ServiceOptions } from '@snip/common';
import { databaseConfig } from '@snip/data';
import { join } from 'node:path';
import { AppModule } from './app.module';
import { appConfig } from './config/app.config';
import { metadataConfig } from './config/metadata.config';
import { rateLimitConfig } from './config/rate-limit.config';
import { redirectorConfig } from './config/redirector.config';
import { PUBLIC_DIR } from './ui/public-dir';

/** Static UI assets and the OpenAPI page (interactive at /api/docs, JSON at /api/docs/json). */
function configure(app: NestExpressApplication): void {
  app.useStaticAssets(join(PUBLIC_DIR, 'assets'), { prefix: '/assets/', maxAge: '1h', index: false });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Snip shortener API')
      .setDescription('Shorten URLs, list recent links, follow short links.')
      .setVersion('0.1.0')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/json', yamlDocumentUrl: 'api/docs/yaml' });
}

/** How the shortener is assembled; main.ts runs it, the tests build it the same way. */
export const shortenerService: ServiceOptions = {
  service: 'shortener',
  module: AppModule,
  configs: [appConfig, databaseConfig, redisConfig, redirectorConfig, metadataConfig, rateLimitConfig, scenariosConfig],
  listen: () => appConfig(),
  announce: (address) => `shortener listening on ${address}; open ${appConfig().publicBaseUrl}/`,
  configure,
};
