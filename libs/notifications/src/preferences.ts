import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import { isTimeZone } from '@xinyuan/common/local-time';
import type { Lang } from './notification-types';
import { DomainException } from '@xinyuan/common';

export interface NotificationSettingsView {
  channels: { inApp: true; sms: boolean; wechat: boolean };
  mutedTypes: string[];
  /** Local times; null: no quiet hours. */
  quietHours: { start: string; end: string } | null;
  timeZone: string;
  lang: Lang;
  /** The person has a phone on file / a linked WeChat mini-program account. */
  reachable: { sms: boolean; wechat: boolean };
}

export interface NotificationSettingsInput {
  sms?: boolean;
  wechat?: boolean;
  mutedTypes?: string[];
  quietHours?: { start: string; end: string } | null;
  timeZone?: string;
  lang?: Lang;
}

/** A person's notification choices (the "我的" page): channels, muted types, quiet hours, zone, language. */
@Injectable()
export class NotificationPreferences {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async get(userId: string): Promise<NotificationSettingsView> {
    const [r] = await this.dataSource.query(
      `SELECT u.phone_enc IS NOT NULL AS has_phone,
              EXISTS (SELECT 1 FROM wechat_accounts w WHERE w.user_id = u.id AND w.appid = $2) AS has_openid,
              p.user_id IS NOT NULL AS has_prefs, p.sms, p.wechat, p.muted_types, p.quiet_start, p.quiet_end, p.time_zone, p.lang
         FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id WHERE u.id = $1`,
      [userId, this.config.WECHAT_APPID ?? ''],
    );
    const [defaultStart, defaultEnd] = this.config.NOTIFY_QUIET_HOURS !== 'off' ? this.config.NOTIFY_QUIET_HOURS.split('-') : [null, null];
    const quiet = r?.has_prefs ? (r.quiet_start ? { start: r.quiet_start, end: r.quiet_end } : null) : defaultStart ? { start: defaultStart, end: defaultEnd! } : null;
    return {
      channels: { inApp: true, sms: r?.sms ?? true, wechat: r?.wechat ?? true },
      mutedTypes: r?.muted_types ?? [],
      quietHours: quiet,
      timeZone: r?.time_zone ?? this.config.NOTIFY_TIME_ZONE,
      lang: r?.lang ?? 'zh',
      reachable: { sms: !!r?.has_phone, wechat: !!r?.has_openid },
    };
  }

  async update(userId: string, input: NotificationSettingsInput): Promise<NotificationSettingsView> {
    if (input.timeZone !== undefined && !isTimeZone(input.timeZone)) {
      throw DomainException.validation([{ field: 'timeZone', messages: ['timeZone must be an IANA time zone such as Asia/Shanghai'] }]);
    }
    const current = await this.get(userId);
    const quiet = input.quietHours === undefined ? current.quietHours : input.quietHours;
    await this.dataSource.query(
      `INSERT INTO notification_preferences (user_id, sms, wechat, muted_types, quiet_start, quiet_end, time_zone, lang, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
       ON CONFLICT (user_id) DO UPDATE SET sms = EXCLUDED.sms, wechat = EXCLUDED.wechat, muted_types = EXCLUDED.muted_types,
         quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end, time_zone = EXCLUDED.time_zone, lang = EXCLUDED.lang, updated_at = now()`,
      [
        userId, input.sms ?? current.channels.sms, input.wechat ?? current.channels.wechat, [...new Set(input.mutedTypes ?? current.mutedTypes)],
        quiet?.start ?? null, quiet?.end ?? null, input.timeZone ?? current.timeZone, input.lang ?? current.lang,
      ],
    );
    return this.get(userId);
  }

  /**
   * What the mini-program reported after `wx.requestSubscribeMessage`: each accepted template grants
   * one message. Templates this deployment does not use are ignored.
   */
  async recordWeChatConsent(userId: string, results: Record<string, string>, known: Set<string>): Promise<{ templateId: string; remaining: number }[]> {
    const accepted = Object.entries(results).filter(([id, answer]) => answer === 'accept' && known.has(id)).map(([id]) => id);
    if (accepted.length === 0) return [];
    return (
      await this.dataSource.query(
        `INSERT INTO wechat_subscriptions (user_id, template_id, remaining, updated_at) SELECT $1, unnest($2::text[]), 1, now()
         ON CONFLICT (user_id, template_id) DO UPDATE SET remaining = wechat_subscriptions.remaining + 1, updated_at = now()
         RETURNING template_id, remaining`,
        [userId, accepted],
      )
    ).map((r: { template_id: string; remaining: number }) => ({ templateId: r.template_id, remaining: r.remaining }));
  }
}
