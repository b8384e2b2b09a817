import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, IdentityService, Public } from '@xinyuan/identity';
import { LoginDto, RegisterDto } from './auth.dto';

@ApiTags('identity 身份')
@Controller('api/v1')
export class AuthController {
  constructor(private readonly identity: IdentityService) {}

  @Public()
  @Post('auth/register')
  register(@Body() dto: RegisterDto) {
    return this.identity.register(dto);
  }

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  login(@Body() dto: LoginDto) {
    return this.identity.login(dto);
  }

  @ApiBearerAuth()
  @Get('me')
  me(@CurrentUser() user: AuthUser) {
    return this.identity.me(user.id);
  }
}
