import { Injectable, Logger } from '@nestjs/common';
import { maskPhone } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import type { WeChatTemplate } from './notify-settings';

/** A provider refused or could not be reached. `quota`: WeChat says the person has no subscription left. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly quota = false,
  ) {
    super(message);
  }
}

/**
 * A text message the way Chinese SMS APIs take it: an approved template and its parameters, the
 * signature (签名), and our out-id — the delivery id, the same on every attempt, which the provider
 * echoes in its delivery report. `text` is the rendered message for gateways that send free text.
 */
export interface SmsMessage {
  phone: string;
  template: string;
  params: Record<string, string>;
  text: string;
  signName: string;
  outId: string;
}

export abstract class SmsProvider {
  /** The provider's message id; throws ProviderError when the message was not accepted. */
  abstract send(message: SmsMessage): Promise<string>;
}

/**
 * `POST SMS_HTTP_URL` with `{phone, template, params, text, signName, outId}` (Authorization: Bearer
 * SMS_HTTP_TOKEN) — the same gateway that takes login codes. Any 2xx is accepted; the answer's
 * `messageId` (or `bizId`, Aliyun's name) is the provider's id.
 */
@Injectable()
export class HttpSmsProvider extends SmsProvider {
  constructor(private readonly config: AppConfig) {
    super();
  }

  async send(message: SmsMessage): Promise<string> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.config.SMS_HTTP_TOKEN) headers.authorization = `Bearer ${this.config.SMS_HTTP_TOKEN}`;
    let res: Response;
    try {
      res = await fetch(this.config.SMS_HTTP_URL!, {
        method: 'POST', headers, body: JSON.stringify(message), signal: AbortSignal.timeout(this.config.AUTH_UPSTREAM_TIMEOUT_MS),
      });
    } catch (e) {
      throw new ProviderError(`unreachable: ${(e as Error).name}`);
    }
    const body = (await res.json().catch(() => ({}))) as { messageId?: string; bizId?: string; BizId?: string; code?: string; Code?: string };
    if (!res.ok) throw new ProviderError(`HTTP ${res.status} ${body.code ?? body.Code ?? ''}`.trim());
    return String(body.messageId ?? body.bizId ?? body.BizId ?? message.outId);
  }
}

/** Development: the message goes to the log, with the phone masked. */
export class LogSmsProvider extends SmsProvider {
  private readonly logger = new Logger('SmsProvider');

  async send(message: SmsMessage): Promise<string> {
    this.logger.warn(`[dev SMS] ${maskPhone(message.phone)} ${message.template} ${message.text}`);
    return `log-${message.outId}`;
  }
}

export function createSmsProvider(config: AppConfig): SmsProvider {
  return config.SMS_PROVIDER === 'http' ? new HttpSmsProvider(config) : new LogSmsProvider();
}

/**
 * WeChat mini-program subscribe messages (订阅消息): `GET cgi-bin/token` (the access token is kept
 * and renewed before it expires, or when WeChat says it is stale) and `POST
 * cgi-bin/message/subscribe/send`, against WECHAT_API_BASE_URL.
 */
@Injectable()
export class WeChatSubscribeSender {
  private token: { value: string; expiresAt: number } | null = null;
  private fetching: Promise<string> | null = null;

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return Boolean(this.config.WECHAT_APPID && this.config.WECHAT_SECRET);
  }

  /** The message id; throws ProviderError (with `quota` for errcode 43101: no subscription left). */
  async send(openid: string, template: WeChatTemplate, page: string | null, values: Record<string, string>, lang: 'zh' | 'en'): Promise<string> {
    const data = Object.fromEntries(Object.entries(template.fields).map(([keyword, fact]) => [keyword, { value: fit(keyword, values[fact] ?? '') }]));
    const body = { touser: openid, template_id: template.id, page: page ?? undefined, data, miniprogram_state: this.config.WECHAT_MINIPROGRAM_STATE, lang: lang === 'en' ? 'en_US' : 'zh_CN' };
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken(attempt > 0);
      const answer = await this.call(`/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(token)}`, { method: 'POST', body: JSON.stringify(body) });
      const errcode = Number(answer.errcode ?? 0);
      if (errcode === 0) return String(answer.msgid ?? `wx-${Date.now()}`);
      if ([40001, 40014, 42001].includes(errcode) && attempt === 0) continue; // stale token: fetch a new one once
      throw new ProviderError(`errcode ${errcode}`, errcode === 43101);
    }
  }

  private async accessToken(renew: boolean): Promise<string> {
    if (!renew && this.token && this.token.expiresAt > Date.now()) return this.token.value;
    this.fetching ??= (async () => {
      try {
        const url = `/cgi-bin/token?grant_type=client_credential&appid=${encodeURIComponent(this.config.WECHAT_APPID ?? '')}&secret=${encodeURIComponent(this.config.WECHAT_SECRET ?? '')}`;
        const answer = await this.call(url, { method: 'GET' });
        if (!answer.access_token) throw new ProviderError(`token errcode ${answer.errcode ?? '?'}`);
        // renewed five minutes before WeChat's expiry (2 hours)
        this.token = { value: String(answer.access_token), expiresAt: Date.now() + (Number(answer.expires_in ?? 7200) - 300) * 1000 };
        return this.token.value;
      } finally {
        this.fetching = null;
      }
    })();
    return this.fetching;
  }

  private async call(path: string, init: { method: string; body?: string }): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.config.WECHAT_API_BASE_URL), {
        ...init, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(this.config.AUTH_UPSTREAM_TIMEOUT_MS),
      });
    } catch (e) {
      // the URL carries the secret or the token: only the kind of failure is told
      throw new ProviderError(`WeChat unreachable: ${(e as Error).name}`);
    }
    if (!res.ok) throw new ProviderError(`WeChat HTTP ${res.status}`);
    return (await res.json().catch(() => ({}))) as Record<string, unknown>;
  }
}

/** WeChat's limits per keyword kind: thing ≤ 20 characters, phrase ≤ 5, others ≤ 32. */
function fit(keyword: string, value: string): string {
  const max = keyword.startsWith('thing') ? 20 : keyword.startsWith('phrase') ? 5 : 32;
  const chars = [...value];
  return chars.length <= max ? value : chars.slice(0, max - 1).join('') + '…';
}
