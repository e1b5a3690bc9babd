import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { geoConfig } from '../config/geo.config';
import { visitsConfig } from '../config/visits.config';
import { GeoModule } from '../geo/geo.module';
import { VisitsService } from './visits.service';

// Visit recording: in-memory queue, batched writes, drained on shutdown.
@Module({
  imports: [ConfigModule.forFeature(visitsConfig), ConfigModule.forFeature(geoConfig), GeoModule],
  providers: [VisitsService],
  exports: [VisitsService],
})
export class VisitsModule {}
