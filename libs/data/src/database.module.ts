import { Logger, Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigModule } from '@nestjs/config';
import { HealthRegistry } from '@snip/common';
import { DataSource } from 'typeorm';
import { databaseConfig, type DatabaseConfig } from './database.config';
import { dataSourceOptions, QueryLogger } from './data-source';
import { boundedQuery } from './query';

// Owns the PostgreSQL pool of a service (closed by @nestjs/typeorm on shutdown) and its readiness check.
@Module({})
export class DatabaseModule implements OnModuleInit {
  static forService(applicationName: string) {
    return {
      module: DatabaseModule,
      imports: [
        ConfigModule.forFeature(databaseConfig),
        TypeOrmModule.forRootAsync({
          imports: [ConfigModule.forFeature(databaseConfig)],
          inject: [databaseConfig.KEY],
          useFactory: (config: DatabaseConfig) => {
            const logger = new Logger('Database');
            return {
              ...dataSourceOptions(config, applicationName, config.logQueries ? new QueryLogger((e) => logger.log(e)) : undefined),
              retryAttempts: 10,
              retryDelay: 1000,
            };
          },
        }),
      ],
    };
  }

  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register({
      name: 'database',
      required: true,
      // Bounded like every statement: a probe left waiting on a silent connection would hold it for good.
      check: async () => {
        await boundedQuery(this.dataSource, 'SELECT 1');
      },
    });
  }
}
