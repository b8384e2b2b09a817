import { Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';

export const SIGNATURE_HEADER = 'x-sms-signature';
export const TIMESTAMP_HEADER = 'x-sms-timestamp';

/** `v1=` + hex HMAC-SHA256 of `{timestamp}.{raw body}` keyed by SMS_CALLBACK_SECRET. */
export function signCallback(secret: string, timestamp: string, rawBody: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

export interface DeliveryReport {
  outId?: string | null;
  messageId: string;
  status: 'delivered' | 'failed';
  errorCode?: string | null;
  reportedAt?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What the SMS provider posts back: delivery reports (状态报告) and replies (上行短信). Both are
 * signed; an unsigned, badly signed or stale callback is refused with 401 before anything is read.
 */
@Injectable()
export class SmsCallbacks {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  verify(rawBody: string | undefined, timestamp: string | undefined, signature: string | undefined): void {
    const secret = this.config.SMS_CALLBACK_SECRET;
    const refuse = () => new DomainException(ErrorCode.CallbackSignatureInvalid, 401);
    if (!secret || !rawBody || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) throw refuse();
    // the provider signs with the real time, whatever clock the rules read
    const age = Math.abs(Date.now() / 1000 - Number(timestamp));
    if (age > this.config.SMS_CALLBACK_TOLERANCE_SECONDS) throw refuse();
    const expected = Buffer.from(signCallback(secret, timestamp, rawBody));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw refuse();
  }

  /** Records each report once (a re-posted report changes nothing) and moves the delivery to delivered or failed. */
  async recordReports(reports: DeliveryReport[]): Promise<{ recorded: number }> {
    let recorded = 0;
    await this.dataSource.transaction(async (m) => {
      for (const r of reports) {
        const [delivery]: { id: string }[] = await m.query(
          r.outId && UUID.test(r.outId)
            ? `SELECT id FROM notification_deliveries WHERE id = $1`
            : `SELECT id FROM notification_deliveries WHERE provider_message_id = $1 LIMIT 1`,
          [r.outId && UUID.test(r.outId) ? r.outId : r.messageId],
        );
        const reportedAt = r.reportedAt && !Number.isNaN(Date.parse(r.reportedAt)) ? new Date(r.reportedAt) : null;
        const inserted = await m.query(
          `INSERT INTO notification_receipts (delivery_id, provider_message_id, status, error_code, reported_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (provider_message_id, status) DO NOTHING RETURNING id`,
          [delivery?.id ?? null, r.messageId, r.status, r.errorCode ?? null, reportedAt],
        );
        if (inserted.length === 0 || !delivery) continue;
        recorded++;
        if (r.status === 'delivered') {
          await m.query(
            `UPDATE notification_deliveries SET status = 'delivered', delivered_at = COALESCE($2, now()) WHERE id = $1 AND status IN ('sending', 'sent')`,
            [delivery.id, reportedAt],
          );
        } else {
          await m.query(
            `UPDATE notification_deliveries SET status = 'failed', failed_at = COALESCE($2, now()), last_error = $3 WHERE id = $1 AND status IN ('sending', 'sent')`,
            [delivery.id, reportedAt, `report ${r.errorCode ?? 'failed'}`],
          );
        }
      }
    });
    return { recorded };
  }
}
