import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthService, AuthUser, ClientInfo, CurrentUser, IdentityService, Public } from '@xinyuan/identity';
import { ChangePasswordDto, LoginDto, RefreshDto, RegisterDto, ResetPasswordDto, SmsLoginDto, SmsSendDto, WeChatLoginDto } from './auth.dto';
import { MeView, NewOrExistingSessionView, SessionView, SmsSentView } from './identity.views';

type Client = { ip: string | null; userAgent: string | null };

@ApiTags('identity 身份')
@Controller('api/v1')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly identity: IdentityService,
  ) {}

  @Public()
  @Post('auth/register')
  @ApiCreatedResponse({ type: SessionView, description: 'a resident account, signed in' })
  @ApiOperation({
    summary: '注册居民账号（需短信验证码）',
    description: '先 POST /auth/sms/send 取得验证码。验证码错误 401 OTP_INVALID（无论手机号是否已注册，回答相同）；验证码正确而手机号已有账号 409 PHONE_TAKEN',
  })
  register(@Body() dto: RegisterDto, @ClientInfo() client: Client) {
    return this.auth.register(dto, client);
  }

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionView })
  @ApiOperation({
    summary: '手机号 + 密码登录（工作人员、志愿者、居民）',
    description: '连续失败会被锁定（429 LOGIN_LOCKED，retryAfterSeconds）。STAFF_SECOND_FACTOR=sms 时工作人员不带 smsCode 登录：401 SECOND_FACTOR_REQUIRED 并发送验证码，再带 smsCode 登录',
  })
  login(@Body() dto: LoginDto, @ClientInfo() client: Client) {
    return this.auth.passwordLogin(dto, client);
  }

  @Public()
  @Post('auth/sms/send')
  @HttpCode(200)
  @ApiOkResponse({ type: SmsSentView })
  @ApiOperation({
    summary: '发送短信验证码',
    description: '无论手机号是否注册，回答都相同。冷却期内 429 OTP_RESEND_COOLDOWN，24 小时上限 429 OTP_DAILY_LIMIT（均带 retryAfterSeconds 与 Retry-After）',
  })
  smsSend(@Body() dto: SmsSendDto, @ClientInfo() client: Client) {
    return this.auth.sendSmsCode(dto.phone, client).then((sent) => ({ sent: true, ...sent }));
  }

  @Public()
  @Post('auth/sms/login')
  @HttpCode(200)
  @ApiOkResponse({ type: NewOrExistingSessionView })
  @ApiOperation({ summary: '手机号 + 短信验证码登录（居民、志愿者；首次登录即注册为居民）', description: '工作人员账号不能只凭验证码登录：401 PASSWORD_LOGIN_REQUIRED' })
  smsLogin(@Body() dto: SmsLoginDto, @ClientInfo() client: Client) {
    return this.auth.smsLogin(dto, client);
  }

  @Public()
  @Post('auth/wechat/login')
  @HttpCode(200)
  @ApiOkResponse({ type: NewOrExistingSessionView })
  @ApiOperation({ summary: '微信小程序登录（wx.login code → jscode2session）' })
  wechatLogin(@Body() dto: WeChatLoginDto, @ClientInfo() client: Client) {
    return this.auth.wechatLogin(dto.code, client);
  }

  @Public()
  @Post('auth/refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionView })
  @ApiOperation({ summary: '用 refreshToken 换新的 accessToken 与 refreshToken（旧 refreshToken 作废；重复使用会注销该会话）' })
  refresh(@Body() dto: RefreshDto) {
    return this.auth.refresh(dto.refreshToken);
  }

  @Public()
  @Post('auth/password/reset')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the password is set; every session of the account has ended' })
  @ApiOperation({
    summary: '凭短信验证码重设密码（居民、志愿者）',
    description: '先 POST /auth/sms/send。成功后该账号所有设备都要重新登录。无论手机号是否注册，回答相同；工作人员的密码由管理员重置（401 PASSWORD_LOGIN_REQUIRED）',
  })
  async resetPassword(@Body() dto: ResetPasswordDto, @ClientInfo() client: Client): Promise<void> {
    await this.auth.resetPassword(dto, client);
  }

  @ApiBearerAuth()
  @Post('auth/password')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the password is changed; every other session of the caller has ended' })
  @ApiOperation({ summary: '修改密码（需当前密码）', description: '当前密码错误 403 CURRENT_PASSWORD_WRONG（计入登录失败锁定）。成功后其他设备上的登录全部失效' })
  async changePassword(@CurrentUser() user: AuthUser, @Body() dto: ChangePasswordDto, @ClientInfo() client: Client): Promise<void> {
    await this.auth.changePassword(user.id, user.sessionId, dto, client);
  }

  @ApiBearerAuth()
  @Post('auth/logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'signed out' })
  @ApiOperation({ summary: '退出登录：该会话的 refreshToken 与 accessToken 立即失效' })
  async logout(@CurrentUser() user: AuthUser): Promise<void> {
    await this.auth.logout(user.sessionId);
  }

  @ApiBearerAuth()
  @Get('me')
  @ApiOkResponse({ type: MeView })
  me(@CurrentUser() user: AuthUser) {
    return this.identity.me(user.id);
  }
}
