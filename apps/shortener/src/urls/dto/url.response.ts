import { ApiProperty } from '@nestjs/swagger';

export class ShortenedUrlResponse {
  @ApiProperty({ example: 'aZ3_k9-Q' }) short_code!: string;
  @ApiProperty({ example: 'http://localhost:3000/aZ3_k9-Q' }) short_url!: string;
  @ApiProperty({ example: 'https://opentelemetry.io/docs/' }) original_url!: string;
  @ApiProperty({ type: String, nullable: true, example: 'Documentation | OpenTelemetry' }) title!: string | null;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
}

export class UrlListItem {
  @ApiProperty() short_code!: string;
  @ApiProperty() original_url!: string;
  @ApiProperty({ type: String, nullable: true }) title!: string | null;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ example: 3 }) visit_count!: number;
}

export class ErrorResponse {
  @ApiProperty({ example: 'Invalid URL format' }) error!: string;
}
