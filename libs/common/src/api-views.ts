import { Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/** One bad field of a validation error. */
@ApiSchema({ name: 'ApiFieldError' })
export class ApiFieldErrorView {
  @ApiProperty({ example: 'phone' }) field: string;
  @ApiProperty({ type: [String] }) messages: string[];
}

/** OFFER_PENDING: an offer still waiting for a team's answer. */
@ApiSchema({ name: 'ApiPendingOffer' })
export class ApiPendingOfferView {
  @ApiProperty({ format: 'uuid' }) offerId: string;
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty() teamName: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
}

/**
 * The error body every app answers with (HttpExceptionFilter): published once as the `ApiError`
 * schema and as the `default` response of every operation. Some codes add details of their own
 * (the schema admits further properties).
 */
@ApiSchema({ name: 'ApiError' })
export class ApiErrorView {
  @ApiProperty({ example: 404 }) statusCode: number;
  @ApiProperty({ example: 'Not Found' }) error: string;
  @ApiProperty({ description: 'for people (Chinese)', example: '订单不存在' }) message: string;
  @ApiProperty({ description: 'stable, machine-readable', example: 'ORDER_NOT_FOUND' }) code: string;
  @ApiPropertyOptional({ type: [ApiFieldErrorView], description: 'validation errors: each bad field' }) fields?: ApiFieldErrorView[];
  @ApiPropertyOptional({ format: 'uuid', description: 'unexpected errors (500): the id logged with the failure' }) correlationId?: string;
  @ApiPropertyOptional({ description: '429 / 503: when to come back (also the Retry-After header)' }) retryAfterSeconds?: number;
  @ApiPropertyOptional({ enum: ['missing', 'expired', 'invalid', 'revoked'], description: 'UNAUTHENTICATED: why the token was refused' }) reason?: string;
  @ApiPropertyOptional({ description: 'OTP_INVALID: tries left for this code' }) attemptsLeft?: number;
  @ApiPropertyOptional({ type: [String], description: 'TEAM_LACKS_SKILLS: skills the team does not have' }) missingSkills?: string[];
  @ApiPropertyOptional({ description: 'OPEN_ORDER_LIMIT: open orders allowed per resident' }) limit?: number;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'WECHAT_*: the errcode WeChat answered' }) wechatErrcode?: number | null;
  @ApiPropertyOptional({ type: [ApiPendingOfferView], description: 'OFFER_PENDING: the offers to name in withdrawOfferIds' }) pendingOffers?: ApiPendingOfferView[];
  @ApiPropertyOptional({ format: 'uuid', description: 'TEAM_ALREADY_OFFERED: the team\'s pending offer' }) offerId?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'TEAM_ALREADY_OFFERED: when that offer expires' }) expiresAt?: string;
  @ApiPropertyOptional({ description: 'MINUTES_EXCEED_SERVICE_TIME: the most minutes that may be reported now' }) maxMinutes?: number;
}

/** The response schema of a keyset-paginated list of `item`: `{ items, nextCursor }`, one class (and schema) per item type. */
export function PageOf<T>(item: Type<T>, name = `${item.name.replace(/View$/, '')}Page`): Type<{ items: T[]; nextCursor: string | null }> {
  class Page {
    @ApiProperty({ type: [item] }) items: T[];
    @ApiProperty({ type: String, nullable: true, description: 'cursor of the next page; null on the last page' }) nextCursor: string | null;
  }
  Object.defineProperty(Page, 'name', { value: name });
  return Page;
}
