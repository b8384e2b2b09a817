import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ProbeComponent {
  @ApiProperty({ enum: ['up', 'down'] }) status: 'up' | 'down';
  @ApiPropertyOptional() message?: string;
  @ApiPropertyOptional() responseTime?: number;
}

export class ProbeResult {
  @ApiProperty({ enum: ['ok', 'error'], description: 'ok: 200; error: 503 (not ready — the load balancer sends no traffic)' }) status: 'ok' | 'error';
  @ApiProperty({ description: 'the app', example: 'api' }) app: string;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/ProbeComponent' }, description: 'each dependency checked (postgres, redis, shutdown)' })
  details: Record<string, ProbeComponent>;
}
