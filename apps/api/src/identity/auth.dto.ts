import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

export const PHONE_PATTERN = /^1[3-9]\d{9}$/;

/** Obviously made-up numbers for the examples (the 100 block is not issued to subscribers). */
const EXAMPLE_PHONE = '13100000000';

export class RegisterDto {
  @ApiProperty({ example: EXAMPLE_PHONE, description: '中国大陆 11 位手机号' })
  @IsString()
  @Matches(PHONE_PATTERN, { message: 'phone must be an 11-digit mainland mobile number' })
  phone: string;

  @ApiProperty({ minLength: 8, maxLength: 72, example: 'example-Passw0rd' })
  @IsString()
  @Length(8, 72)
  password: string;

  @ApiProperty({ example: '示例用户' })
  @IsString()
  @Length(1, 50)
  name: string;

  @ApiProperty({ example: '000000', description: '发到该手机号的 6 位短信验证码（POST /auth/sms/send），证明手机号归本人所有' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'smsCode must be 6 digits' })
  smsCode: string;
}

export class LoginDto {
  @ApiProperty({ example: EXAMPLE_PHONE })
  @IsString()
  @MaxLength(20)
  phone: string;

  @ApiProperty({ example: 'example-Passw0rd' })
  @IsString()
  @MaxLength(72)
  password: string;

  @ApiPropertyOptional({
    example: '000000',
    description: '工作人员的第二步验证（STAFF_SECOND_FACTOR=sms）：先不带它登录，收到 401 SECOND_FACTOR_REQUIRED 和短信后，带上验证码再登录一次',
  })
  @IsOptional()
  @IsString()
  @Matches(/^\d{6}$/, { message: 'smsCode must be 6 digits' })
  smsCode?: string;
}

export class ChangePasswordDto {
  @ApiProperty({ description: '当前密码' })
  @IsString()
  @MaxLength(72)
  currentPassword: string;

  @ApiProperty({ minLength: 8, maxLength: 72, example: 'example-N3w-passw0rd' })
  @IsString()
  @Length(8, 72)
  newPassword: string;
}

export class ResetPasswordDto {
  @ApiProperty({ example: EXAMPLE_PHONE, description: '中国大陆 11 位手机号' })
  @IsString()
  @Matches(PHONE_PATTERN, { message: 'phone must be an 11-digit mainland mobile number' })
  phone: string;

  @ApiProperty({ example: '000000', description: '发到该手机号的 6 位短信验证码（POST /auth/sms/send）' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'smsCode must be 6 digits' })
  smsCode: string;

  @ApiProperty({ minLength: 8, maxLength: 72, example: 'example-N3w-passw0rd' })
  @IsString()
  @Length(8, 72)
  newPassword: string;
}

export class SmsSendDto {
  @ApiProperty({ example: EXAMPLE_PHONE, description: '中国大陆 11 位手机号' })
  @IsString()
  @Matches(PHONE_PATTERN, { message: 'phone must be an 11-digit mainland mobile number' })
  phone: string;
}

export class SmsLoginDto extends SmsSendDto {
  @ApiProperty({ example: '000000', description: '6 位短信验证码' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code: string;

  @ApiPropertyOptional({ example: '示例用户', description: '首次登录时的称呼（之后忽略）' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  name?: string;
}

export class WeChatLoginDto {
  @ApiProperty({ description: '小程序 wx.login() 得到的 code' })
  @IsString()
  @Matches(/^[\w-]{1,128}$/, { message: 'code must be the code returned by wx.login()' })
  code: string;
}

export class RefreshDto {
  @ApiProperty({ description: '登录时得到的 refreshToken；每次刷新后换新，旧的作废' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{20,200}$/, { message: 'refreshToken is not a refresh token' })
  refreshToken: string;
}
