import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Response shapes of 评单 (OpenAPI; the front ends' types are generated from them). */

export class Reputation {
  @ApiProperty() ratingCount: number;
  @ApiProperty({ type: Number, nullable: true, description: 'plain average of the stars; null before the first rating' }) average: number | null;
  @ApiProperty({ description: 'Bayesian average: (weight·mean + Σstars) / (weight + n)' }) score: number;
}

export class TeamReputation extends Reputation {
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty({ type: Number, nullable: true, description: '0..1; null before the first rating' }) solvedRate: number | null;
}

export class RatingDimensions {
  @ApiPropertyOptional({ minimum: 1, maximum: 5 }) attitude?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 5 }) timeliness?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 5 }) quality?: number;
}

export class RatingView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty({ minimum: 1, maximum: 5 }) stars: number;
  @ApiProperty() solved: boolean;
  @ApiProperty({ type: String, nullable: true }) comment: string | null;
  @ApiProperty({ type: RatingDimensions, nullable: true }) dimensions: RatingDimensions | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ enum: ['closed'] }) orderStatus: 'closed';
  @ApiProperty({ type: Reputation, description: 'the team\'s reputation after this rating' }) reputation: Reputation;
}

export class RatingHealth {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
  @ApiProperty({ enum: ['rating'] }) app: 'rating';
}
