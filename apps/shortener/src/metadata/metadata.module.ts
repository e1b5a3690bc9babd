import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { metadataConfig } from '../config/metadata.config';
import { MetadataService } from './metadata.service';

// Title/description extraction from target pages, behind SSRF protection.
@Module({
  imports: [ConfigModule.forFeature(metadataConfig)],
  providers: [MetadataService],
  exports: [MetadataService],
})
export class MetadataModule {}
