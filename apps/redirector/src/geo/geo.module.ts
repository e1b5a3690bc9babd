import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { geoConfig } from '../config/geo.config';
import { GeoService } from './geo.service';

// IP geolocation with a per-address cache.
@Module({
  imports: [ConfigModule.forFeature(geoConfig)],
  providers: [GeoService],
  exports: [GeoService],
})
export class GeoModule {}
