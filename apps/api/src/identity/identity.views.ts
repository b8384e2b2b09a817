import { ApiProperty } from '@nestjs/swagger';
import { ROLES, Role } from '@xinyuan/identity';

/** Response shapes of sign-in and the caller's account (OpenAPI; the front ends' types are generated from them). */

export class UserView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, nullable: true, description: 'masked (138****1234); null for an account without a phone (WeChat only)' }) phone: string | null;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES, enumName: 'Role', isArray: true }) roles: Role[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'jurisdiction of staff and grid workers' }) regionId: string | null;
}

/** `GET /me`: the only answer with the caller's phone in clear. */
export class MeView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, nullable: true, description: 'in clear; null for an account without a phone (WeChat only)' }) phone: string | null;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES, enumName: 'Role', isArray: true }) roles: Role[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) regionId: string | null;
  @ApiProperty({ type: [String], description: 'teams the caller is a member of' }) teamIds: string[];
}

export class SessionView {
  @ApiProperty({ type: UserView }) user: UserView;
  @ApiProperty() accessToken: string;
  @ApiProperty() refreshToken: string;
  @ApiProperty({ description: 'seconds the access token is valid' }) expiresIn: number;
  @ApiProperty({ enum: ['Bearer'] }) tokenType: 'Bearer';
}

/** SMS and WeChat sign-in: the first one creates a resident account. */
export class NewOrExistingSessionView extends SessionView {
  @ApiProperty() isNewUser: boolean;
}

export class SmsSentView {
  @ApiProperty({ enum: [true] }) sent: true;
  @ApiProperty() expiresInSeconds: number;
  @ApiProperty() resendAfterSeconds: number;
}
