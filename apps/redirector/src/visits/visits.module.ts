import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { redisConfig } from '@snip/cache';
import { geoConfig } from '../config/geo.config';
import { visitsConfig } from '../config/visits.config';
import { GeoModule } from '../geo/geo.module';
import { VisitQueue } from './visit-queue';
import { VisitStream } from './visit-stream';
import { VisitWriter } from './visit-writer';
import { VisitsService } from './visits.service';

// Visit recording: a Redis Stream shared by the replicas, an in-memory fallback, idempotent batched writes.
@Module({
  imports: [ConfigModule.forFeature(visitsConfig), ConfigModule.forFeature(geoConfig), ConfigModule.forFeature(redisConfig), GeoModule],
  providers: [VisitWriter, VisitQueue, VisitStream, VisitsService],
  exports: [VisitsService],
})
export class VisitsModule {}
