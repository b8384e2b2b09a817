import { Logger } from '@nestjs/common';
import { DomainException, ErrorCode, maskPhone } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { otpLogLine } from './otp-code';

/** Delivers a login code. Pluggable: chosen by SMS_PROVIDER. */
export abstract class SmsSender {
  /** Throws DomainException SMS_SEND_FAILED (502) when the message could not be handed over. */
  abstract sendLoginCode(phone: string, code: string, ttlSeconds: number): Promise<void>;
}

/**
 * Development only (refused in production by the config check): writes the code to the app log
 * with the phone masked. The e2e tests read it from the started app's output.
 */
export class LogSmsSender extends SmsSender {
  private readonly logger = new Logger('SmsSender');

  async sendLoginCode(phone: string, code: string, ttlSeconds: number): Promise<void> {
    // warn, so it shows under NODE_ENV=test too (which logs warnings and errors only)
    this.logger.warn(otpLogLine(maskPhone(phone)!, code, ttlSeconds));
  }
}

/**
 * Hands the code to an SMS gateway: `POST SMS_HTTP_URL` with JSON `{phone, code, ttlSeconds,
 * template}` and `Authorization: Bearer SMS_HTTP_TOKEN`; any 2xx is success. A small adapter in
 * front of the vendor (Aliyun, Tencent Cloud …) keeps vendor SDKs and their keys out of this app.
 */
export class HttpSmsSender extends SmsSender {
  private readonly logger = new Logger('SmsSender');

  constructor(private readonly config: AppConfig) {
    super();
  }

  async sendLoginCode(phone: string, code: string, ttlSeconds: number): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.config.SMS_HTTP_TOKEN) headers.authorization = `Bearer ${this.config.SMS_HTTP_TOKEN}`;
    let status: number;
    try {
      const res = await fetch(this.config.SMS_HTTP_URL!, {
        method: 'POST',
        headers,
        body: JSON.stringify({ phone, code, ttlSeconds, template: this.config.SMS_HTTP_TEMPLATE ?? null }),
        signal: AbortSignal.timeout(this.config.AUTH_UPSTREAM_TIMEOUT_MS),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      this.logger.warn(`SMS gateway unreachable (${maskPhone(phone)}): ${(e as Error)?.name ?? 'error'}`);
      throw new DomainException(ErrorCode.SmsSendFailed, 502);
    }
    if (status < 200 || status >= 300) {
      this.logger.warn(`SMS gateway answered ${status} (${maskPhone(phone)})`);
      throw new DomainException(ErrorCode.SmsSendFailed, 502);
    }
  }
}

export function createSmsSender(config: AppConfig): SmsSender {
  return config.SMS_PROVIDER === 'http' ? new HttpSmsSender(config) : new LogSmsSender();
}
