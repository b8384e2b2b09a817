import { Injectable, Logger } from '@nestjs/common';
import { DomainException, ErrorCode } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';

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

export type Code2SessionOutcome =
  | { ok: true; openid: string; unionid: string | null }
  | { ok: false; kind: 'invalid_code' | 'upstream'; errcode: number | null };

/**
 * WeChat answers 200 with `{openid, session_key, unionid?}` or `{errcode, errmsg}`. Codes the user
 * (or a replayed/forged code) causes are `invalid_code`; anything about our appid, quota or
 * WeChat's health is `upstream`. The session_key is never kept: nothing here needs it.
 */
export function interpretCode2Session(httpStatus: number, text: string): Code2SessionOutcome {
  if (httpStatus < 200 || httpStatus >= 300) return { ok: false, kind: 'upstream', errcode: null };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, kind: 'upstream', errcode: null };
  }
  if (!body || typeof body !== 'object') return { ok: false, kind: 'upstream', errcode: null };
  const b = body as { errcode?: unknown; openid?: unknown; unionid?: unknown };
  const errcode = typeof b.errcode === 'number' ? b.errcode : null;
  if (errcode !== null && errcode !== 0) {
    // 40029 invalid code, 40163 code already used, 40226 user blocked as high-risk by WeChat
    return { ok: false, kind: [40029, 40163, 40226].includes(errcode) ? 'invalid_code' : 'upstream', errcode };
  }
  if (typeof b.openid !== 'string' || !/^[\w-]{6,128}$/.test(b.openid)) return { ok: false, kind: 'upstream', errcode };
  const unionid = typeof b.unionid === 'string' && /^[\w-]{6,128}$/.test(b.unionid) ? b.unionid : null;
  return { ok: true, openid: b.openid, unionid };
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
    if (!appid || !this.config.WECHAT_SECRET) throw new DomainException(ErrorCode.WeChatNotConfigured, 503);
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
