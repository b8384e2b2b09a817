import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

export const PHONE_PATTERN = /^1[3-9]\d{9}$/;

export class RegisterDto {
  @ApiProperty({ example: '13700000099', description: '中国大陆 11 位手机号' })
  @IsString()
  @Matches(PHONE_PATTERN, { message: 'phone must be an 11-digit mainland mobile number' })
  phone: string;

  @ApiProperty({ minLength: 8, maxLength: 72 })
  @IsString()
  @Length(8, 72)
  password: string;

  @ApiProperty({ example: '王阿姨' })
  @IsString()
  @Length(1, 50)
  name: string;
}

export class LoginDto {
  @ApiProperty({ example: '13700000001' })
  @IsString()
  @MaxLength(20)
  phone: string;

  @ApiProperty()
  @IsString()
  @MaxLength(72)
  password: string;
}

export class SmsSendDto {
  @ApiProperty({ example: '13700000099', description: '中国大陆 11 位手机号' })
  @IsString()
  @Matches(PHONE_PATTERN, { message: 'phone must be an 11-digit mainland mobile number' })
  phone: string;
}

export class SmsLoginDto extends SmsSendDto {
  @ApiProperty({ example: '123456', description: '6 位短信验证码' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code: string;

  @ApiPropertyOptional({ example: '王阿姨', description: '首次登录时的称呼（之后忽略）' })
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
