import { AppConfig } from '@xinyuan/config';
import type { Channel, NotificationType } from './notification-types';

/** A WeChat subscribe-message template and which of our facts fills each of its keywords. */
export interface WeChatTemplate {
  id: string;
  /** keyword (thing1, time2 …) → fact (service, area, time, team, phone, minutes, title, body) */
  fields: Record<string, string>;
}

/** `offer_new=SMS_1,order_accepted=SMS_2` → map; a type not listed uses `XY_<TYPE>`. */
export function parseSmsTemplates(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [type, code] = entry.split('=').map((s) => s.trim());
    if (type && code) out.set(type, code);
  }
  return out;
}

/** `order_accepted=TMPL:thing1=service,time2=time;offer_new=TMPL2:thing1=service` → map. */
export function parseWeChatTemplates(value: string): Map<string, WeChatTemplate> {
  const out = new Map<string, WeChatTemplate>();
  for (const entry of value.split(';').map((s) => s.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    if (eq < 0) continue;
    const type = entry.slice(0, eq).trim();
    const [id, fieldList = ''] = entry.slice(eq + 1).split(':');
    const fields: Record<string, string> = {};
    for (const pair of fieldList.split(',').map((s) => s.trim()).filter(Boolean)) {
      const [keyword, fact] = pair.split('=').map((s) => s.trim());
      if (keyword && fact) fields[keyword] = fact;
    }
    if (type && id) out.set(type, { id: id.trim(), fields });
  }
  return out;
}

/** The notification settings of this deployment, read once from the environment. */
export class NotifySettings {
  readonly smsTemplates: Map<string, string>;
  readonly wechatTemplates: Map<string, WeChatTemplate>;

  constructor(readonly config: AppConfig) {
    this.smsTemplates = parseSmsTemplates(config.SMS_TEMPLATES);
    this.wechatTemplates = config.WECHAT_APPID ? parseWeChatTemplates(config.WECHAT_TEMPLATES) : new Map();
  }

  smsTemplate(type: NotificationType, lang: 'zh' | 'en'): string {
    const key = lang === 'en' ? `${type}.en` : type;
    return this.smsTemplates.get(key) ?? this.smsTemplates.get(type) ?? `XY_${type.toUpperCase()}${lang === 'en' ? '_EN' : ''}`;
  }

  wechatTemplate(type: NotificationType): WeChatTemplate | null {
    return this.wechatTemplates.get(type) ?? null;
  }

  /** What the mini-programs ask consent for: type → template id. */
  wechatTemplateIds(): Record<string, string> {
    return Object.fromEntries([...this.wechatTemplates].map(([type, t]) => [type, t.id]));
  }

  link(path: string | null): string | null {
    return path ? this.config.PUBLIC_WEB_URL.replace(/\/$/, '') + path : null;
  }

  channelsOf(_type: NotificationType): Channel[] {
    return ['sms', 'wechat'];
  }
}
