import type { Lang, NotificationType } from './notification-types';

/**
 * What a notification says, in Chinese first (plain words; many readers are old) or English when
 * the person chose it. Facts only the recipient may know: a volunteer learns the service, the area,
 * the preferred time and how long is left — never the address or a phone; a resident learns the
 * team and its leader's masked phone.
 */
export interface MessageFacts {
  serviceName?: string;
  area?: string | null;
  /** Preferred time, already written in local time ("12月3日 上午"). */
  preferredTime?: string | null;
  minutesLeft?: number;
  teamName?: string;
  leaderPhoneMasked?: string | null;
  /** Coalesced new offers. */
  count?: number;
  /** Why an offer was withdrawn: taken_by_another_team, manual_assign, order_cancelled. */
  reason?: string | null;
  /** Outcome of an SMS reply: accepted, declined, taken, expired, no_offer, unknown, failed; for visit_concern the wellbeing mark (concern, urgent). */
  result?: string;
  /** The person a guardian or grid worker hears about (name as recorded). */
  personName?: string | null;
}

export interface Message {
  title: string;
  body: string;
}

type Writer = (f: MessageFacts) => Message;

const area = (f: MessageFacts, lang: Lang) => f.area ?? (lang === 'zh' ? '本地' : 'nearby');
const when = (f: MessageFacts, lang: Lang) => (f.preferredTime ? (lang === 'zh' ? `，时间：${f.preferredTime}` : `, time: ${f.preferredTime}`) : '');
const withdrawnWhy: Record<string, { zh: string; en: string }> = {
  taken_by_another_team: { zh: '已被其他队伍接单', en: 'another team took it' },
  manual_assign: { zh: '工作人员已改派', en: 'staff reassigned it' },
  order_cancelled: { zh: '居民已取消', en: 'the resident cancelled it' },
};
const replyText: Record<string, { zh: string; en: string }> = {
  accepted: { zh: '接单成功，地址和电话请在心愿志愿者中查看。', en: 'Accepted. Open Xinyuan Volunteer for the address and phone.' },
  declined: { zh: '已婉拒该派单，谢谢告知。', en: 'Declined. Thank you for telling us.' },
  taken: { zh: '已被其他队伍接单，谢谢您。', en: 'Another team has already taken it. Thank you.' },
  expired: { zh: '该派单已超时，已转给其他队伍。', en: 'That offer timed out and went to another team.' },
  no_offer: { zh: '您目前没有待接的派单。', en: 'You have no open offer right now.' },
  unknown: { zh: '请回复 1 接单，回复 2 婉拒。', en: 'Reply 1 to accept, 2 to decline.' },
  failed: { zh: '暂时无法接单（队伍已满或已停用），请联系工作人员。', en: 'Could not accept (team full or inactive). Please call the station.' },
  already_yours: { zh: '您的队伍已接下这一单，无需重复回复。', en: 'Your team already has this order. No need to reply again.' },
  withdrawn: { zh: '该派单已撤回，无需前往。', en: 'That offer was withdrawn. No need to go.' },
};

const ZH: Record<NotificationType, Writer> = {
  offer_new: (f) =>
    f.count && f.count > 1
      ? { title: `您有 ${f.count} 个新派单`, body: `您有 ${f.count} 个新派单，请尽快打开心愿志愿者查看。` }
      : {
          title: `新派单：${f.serviceName}`,
          body: `${area(f, 'zh')}有人需要「${f.serviceName}」${when(f, 'zh')}，请在 ${f.minutesLeft ?? 0} 分钟内接单。`,
        },
  offer_expiring: (f) => ({ title: `派单快到时间了：${f.serviceName}`, body: `${area(f, 'zh')}的「${f.serviceName}」还剩约 ${f.minutesLeft ?? 0} 分钟，请尽快接单或婉拒。` }),
  offer_withdrawn: (f) => ({ title: `派单已撤回：${f.serviceName}`, body: `${area(f, 'zh')}的「${f.serviceName}」${withdrawnWhy[f.reason ?? '']?.zh ?? '已撤回'}，无需前往。` }),
  order_cancelled: (f) => ({ title: `订单已取消：${f.serviceName}`, body: `您队伍接下的「${f.serviceName}」已取消，无需前往。` }),
  order_accepted: (f) => ({
    title: '已有志愿者接单',
    body: `${f.personName ? `${f.personName}的` : '您的'}「${f.serviceName}」已由「${f.teamName}」接单${f.leaderPhoneMasked ? `，队长电话 ${f.leaderPhoneMasked}` : ''}${when(f, 'zh')}。`,
  }),
  order_in_service: (f) => ({ title: '志愿者已到达', body: `志愿者已到达，开始为${f.personName ?? '您'}提供「${f.serviceName}」。` }),
  order_completed: (f) => ({ title: '服务已完成，请评价', body: `「${f.serviceName}」已完成。请为这次服务打个分，帮我们做得更好。` }),
  order_rejected: (f) => ({ title: '订单未通过审核', body: `您的「${f.serviceName}」未通过审核，详情请查看订单。` }),
  order_reminder: (f) => ({ title: '明天有志愿者上门', body: `提醒：「${f.teamName}」将为${f.personName ?? '您'}提供「${f.serviceName}」${when(f, 'zh')}。` }),
  order_escalated: (f) => ({ title: `需要人工派单：${f.serviceName}`, body: `${area(f, 'zh')}的「${f.serviceName}」暂无服务队接单，请尽快人工派单。` }),
  order_pending_review: (f) => ({ title: `新订单待审核：${f.serviceName}`, body: `${area(f, 'zh')}有一个「${f.serviceName}」订单等待审核。` }),
  urgent_offer_expiring: (f) => ({ title: `紧急订单快无人接了：${f.serviceName}`, body: `${area(f, 'zh')}的紧急「${f.serviceName}」派单还剩约 ${f.minutesLeft ?? 0} 分钟无人接单，请关注。` }),
  sms_reply: (f) => ({ title: '短信回复结果', body: replyText[f.result ?? 'unknown']?.zh ?? replyText.unknown.zh }),
  checkin_missed: (f) => ({ title: '今天还没有报平安', body: `${f.personName ?? '您关心的人'}今天还没有报平安，请尽快联系确认。` }),
  visit_due: (f) => ({ title: '今天有走访任务', body: `今天需要走访${f.personName ?? '服务对象'}，请记得前往。` }),
  visit_concern: (f) => ({
    title: f.result === 'urgent' ? '走访发现情况紧急' : '走访发现有情况',
    body: `走访${f.personName ?? '服务对象'}时发现${f.result === 'urgent' ? '情况紧急' : '需要关注的情况'}，请尽快查看处理。`,
  }),
};

const EN: Record<NotificationType, Writer> = {
  offer_new: (f) =>
    f.count && f.count > 1
      ? { title: `You have ${f.count} new offers`, body: `You have ${f.count} new offers. Open Xinyuan Volunteer to see them.` }
      : { title: `New offer: ${f.serviceName}`, body: `Someone in ${area(f, 'en')} needs "${f.serviceName}"${when(f, 'en')}. Please answer within ${f.minutesLeft ?? 0} min.` },
  offer_expiring: (f) => ({ title: `Offer closing soon: ${f.serviceName}`, body: `"${f.serviceName}" in ${area(f, 'en')} closes in about ${f.minutesLeft ?? 0} min. Please accept or decline.` }),
  offer_withdrawn: (f) => ({ title: `Offer withdrawn: ${f.serviceName}`, body: `"${f.serviceName}" in ${area(f, 'en')}: ${withdrawnWhy[f.reason ?? '']?.en ?? 'withdrawn'}. No need to go.` }),
  order_cancelled: (f) => ({ title: `Order cancelled: ${f.serviceName}`, body: `"${f.serviceName}" your team accepted was cancelled. No need to go.` }),
  order_accepted: (f) => ({
    title: 'A volunteer team accepted',
    body: `"${f.serviceName}" was accepted by ${f.teamName}${f.leaderPhoneMasked ? ` (leader ${f.leaderPhoneMasked})` : ''}${when(f, 'en')}.`,
  }),
  order_in_service: (f) => ({ title: 'The volunteers have arrived', body: `The volunteers have arrived for "${f.serviceName}".` }),
  order_completed: (f) => ({ title: 'Done. Please rate it', body: `"${f.serviceName}" is done. Please rate the service.` }),
  order_rejected: (f) => ({ title: 'Order not approved', body: `Your "${f.serviceName}" was not approved. See the order for details.` }),
  order_reminder: (f) => ({ title: 'Volunteers visit tomorrow', body: `Reminder: ${f.teamName} comes for "${f.serviceName}"${when(f, 'en')}.` }),
  order_escalated: (f) => ({ title: `Needs manual dispatch: ${f.serviceName}`, body: `No team accepted "${f.serviceName}" in ${area(f, 'en')}. Please assign one.` }),
  order_pending_review: (f) => ({ title: `New order to review: ${f.serviceName}`, body: `An order for "${f.serviceName}" in ${area(f, 'en')} awaits review.` }),
  urgent_offer_expiring: (f) => ({ title: `Urgent order still open: ${f.serviceName}`, body: `The urgent "${f.serviceName}" in ${area(f, 'en')} has about ${f.minutesLeft ?? 0} min left with nobody accepting.` }),
  sms_reply: (f) => ({ title: 'Your text reply', body: replyText[f.result ?? 'unknown']?.en ?? replyText.unknown.en }),
  checkin_missed: (f) => ({ title: 'No check-in today', body: `${f.personName ?? 'Your person'} has not checked in today. Please make sure they are well.` }),
  visit_due: (f) => ({ title: 'A visit is due today', body: `A visit to ${f.personName ?? 'the person'} is due today.` }),
  visit_concern: (f) => ({
    title: f.result === 'urgent' ? 'Visit: urgent' : 'Visit: a concern',
    body: `A visit to ${f.personName ?? 'the person'} found ${f.result === 'urgent' ? 'an urgent situation' : 'something to look into'}. Please see to it.`,
  }),
};

export function writeMessage(type: NotificationType, lang: Lang, facts: MessageFacts): Message {
  return (lang === 'en' ? EN : ZH)[type](facts);
}

/** Preferred time in local words: "12月3日 09:00" / "Dec 3, 09:00". */
export function formatLocalTime(instant: Date | null, lang: Lang, timeZone: string): string | null {
  if (!instant) return null;
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-US' : 'zh-CN', {
    timeZone, month: lang === 'en' ? 'short' : 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(instant);
}
