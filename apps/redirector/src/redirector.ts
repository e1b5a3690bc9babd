import { redisConfig } from '@snip/cache';
import { scenariosConfig, type ServiceOptions } from '@snip/common';
import { databaseConfig } from '@snip/data';
import { AppModule } from './app.module';
import { appConfig } from './config/app.config';
import { geoConfig } from './config/geo.config';
import { resolveConfig } from './config/resolve.config';
import { visitsConfig } from './config/visits.config';

/** How the redirector is assembled; main.ts runs it, the tests build it the same way. */
export const redirectorService: ServiceOptions = {
  service: 'redirector',
  module: AppModule,
  configs: [appConfig, databaseConfig, redisConfig, resolveConfig, geoConfig, visitsConfig, scenariosConfig],
  listen: () => appConfig(),
};
