import { Injectable, Logger } from '@nestjs/common';
import { DomainException, ErrorCode } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { interpretCode2Session } from './wechat-response';

/** Who the mini-program user is, as WeChat says: openid per mini-program, unionid across the open platform. */
export interface WeChatIdentity {
  appid: string;
  openid: string;
  unionid: string | null;
}

/**
 * Turns the `code` of `wx.login()` into the user's identity. Pluggable: the HTTP adapter calls
 * WeChat's `jscode2session`; another deployment could go through a WeChat gateway of its own.
 */
export abstract class WeChatAuthAdapter {
  abstract readonly enabled: boolean;
  /** Throws DomainException WECHAT_CODE_INVALID (401) or WECHAT_UNAVAILABLE (502). */
  abstract codeToIdentity(code: string): Promise<WeChatIdentity>;
}

/** WeChat's `GET /sns/jscode2session` (base URL from WECHAT_API_BASE_URL). */
@Injectable()
export class HttpWeChatAdapter extends WeChatAuthAdapter {
  private readonly logger = new Logger('WeChat');

  constructor(private readonly config: AppConfig) {
    super();
  }

  get enabled(): boolean {
    return Boolean(this.config.WECHAT_APPID && this.config.WECHAT_SECRET);
  }

  async codeToIdentity(code: string): Promise<WeChatIdentity> {
    const appid = this.config.WECHAT_APPID;
    if (!appid || !this.config.WECHAT_SECRET) throw new DomainException(ErrorCode.WeChatNotConfigured, 404);
    const url = new URL('/sns/jscode2session', this.config.WECHAT_API_BASE_URL);
    url.searchParams.set('appid', appid);
    url.searchParams.set('secret', this.config.WECHAT_SECRET);
    url.searchParams.set('js_code', code);
    url.searchParams.set('grant_type', 'authorization_code');
    let status: number;
    let text: string;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.config.AUTH_UPSTREAM_TIMEOUT_MS) });
      status = res.status;
      text = await res.text();
    } catch (e) {
      // the URL carries the secret: log only the kind of failure
      this.logger.warn(`jscode2session unreachable: ${(e as Error)?.name ?? 'error'}`);
      throw new DomainException(ErrorCode.WeChatUnavailable, 502);
    }
    const outcome = interpretCode2Session(status, text);
    if (outcome.ok) return { appid, openid: outcome.openid, unionid: outcome.unionid };
    if (outcome.kind === 'invalid_code') {
      throw new DomainException(ErrorCode.WeChatCodeInvalid, 401, undefined, undefined, { wechatErrcode: outcome.errcode });
    }
    this.logger.warn(`jscode2session failed: HTTP ${status}, errcode ${outcome.errcode ?? '-'}`);
    throw new DomainException(ErrorCode.WeChatUnavailable, 502, undefined, undefined, { wechatErrcode: outcome.errcode });
  }
}
