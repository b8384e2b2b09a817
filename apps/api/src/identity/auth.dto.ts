import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches, MaxLength } from 'class-validator';

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
