/** zh-CN first, English second: labels every front end shows for backend values. */
export type Lang = 'zh' | 'en';
type Labels = Record<string, { zh: string; en: string }>;

export const STATUS_LABELS: Labels = {
  pending_review: { zh: '待审核', en: 'Awaiting review' },
  rejected: { zh: '未通过', en: 'Rejected' },
  dispatching: { zh: '派单中', en: 'Dispatching' },
  offered: { zh: '等待接单', en: 'Offered' },
  escalated: { zh: '需人工派单', en: 'Escalated' },
  accepted: { zh: '已接单', en: 'Accepted' },
  in_service: { zh: '服务中', en: 'In service' },
  completed: { zh: '已完成', en: 'Completed' },
  closed: { zh: '已评价', en: 'Closed' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
};

export const EVENT_LABELS: Labels = {
  placed: { zh: '下单', en: 'Placed' },
  approve: { zh: '审核通过', en: 'Approved' },
  reject: { zh: '审核未通过', en: 'Rejected' },
  offer: { zh: '派单', en: 'Offered' },
  assign: { zh: '人工派单', en: 'Assigned by staff' },
  decline: { zh: '服务队婉拒', en: 'Declined' },
  offer_declined: { zh: '服务队婉拒', en: 'Declined' },
  expire_offer: { zh: '派单超时', en: 'Offer expired' },
  offer_expired: { zh: '派单超时', en: 'Offer expired' },
  offer_withdrawn: { zh: '撤回派单', en: 'Offer withdrawn' },
  escalate: { zh: '转人工', en: 'Escalated' },
  widen: { zh: '扩大派单范围', en: 'Search widened' },
  accept: { zh: '接单', en: 'Accepted' },
  check_in: { zh: '到达签到', en: 'Checked in' },
  check_in_location: { zh: '签到定位', en: 'Check-in location' },
  complete: { zh: '服务完成', en: 'Completed' },
  rate: { zh: '评价', en: 'Rated' },
  auto_close: { zh: '自动结单', en: 'Closed automatically' },
  cancel: { zh: '取消', en: 'Cancelled' },
};

/**
 * The order's history as the resident reads it: plain words, no staff jargon. Every step of finding
 * a team (offers, declines, timeouts, widening, escalation, a manual assignment) is one thing to a
 * resident: we are looking for a team.
 */
export const RESIDENT_EVENT_LABELS: Labels = {
  placed: { zh: '您已下单', en: 'You placed the order' },
  approve: { zh: '工作人员已审核通过', en: 'Approved by staff' },
  reject: { zh: '没有通过审核', en: 'Not approved' },
  offer: { zh: '正在为您联系服务队…', en: 'Finding a team for you…' },
  assign: { zh: '正在为您联系服务队…', en: 'Finding a team for you…' },
  decline: { zh: '正在为您联系服务队…', en: 'Finding a team for you…' },
  offer_declined: { zh: '正在为您联系服务队…', en: 'Finding a team for you…' },
  expire_offer: { zh: '正在为您联系服务队…', en: 'Finding a team for you…' },
  offer_expired: { zh: '正在为您联系服务队…', en: 'Finding a team for you…' },
  widen: { zh: '正在为您联系服务队…', en: 'Finding a team for you…' },
  escalate: { zh: '工作人员正在为您安排服务队', en: 'Staff are arranging a team for you' },
  accept: { zh: '服务队已接单', en: 'A team has taken it' },
  check_in: { zh: '志愿者已到达', en: 'The volunteer has arrived' },
  complete: { zh: '服务已完成', en: 'Service done' },
  rate: { zh: '您已评价', en: 'You rated it' },
  auto_close: { zh: '订单已结束', en: 'Order closed' },
  cancel: { zh: '订单已取消', en: 'Order cancelled' },
};

/**
 * The timeline a resident sees: plain words, internal steps (the check-in location) left out, and a
 * run of the same words ("正在为您联系服务队…" after each decline) shown once, at its first time.
 */
export function residentTimeline<E extends { type: string; at: string }>(events: readonly E[], lang: Lang): { at: string; text: string }[] {
  const out: { at: string; text: string }[] = [];
  for (const e of events) {
    if (e.type === 'check_in_location') continue;
    const text = RESIDENT_EVENT_LABELS[e.type]?.[lang] ?? (lang === 'zh' ? '订单有更新' : 'Order updated');
    if (out[out.length - 1]?.text !== text) out.push({ at: e.at, text });
  }
  return out;
}

/** 派单方式 of a menu item. */
export const OFFER_MODE_LABELS: Labels = {
  offer: { zh: '逐队派单', en: 'One team at a time' },
  grab: { zh: '抢单', en: 'First to accept' },
};

export const SCORE_PART_LABELS: Labels = {
  proximity: { zh: '距离', en: 'Proximity' },
  skillCoverage: { zh: '技能覆盖', en: 'Skill coverage' },
  spareCapacity: { zh: '空闲程度', en: 'Spare capacity' },
  reputation: { zh: '口碑', en: 'Reputation' },
  continuity: { zh: '服务连续性', en: 'Continuity' },
  fairness: { zh: '派单均衡', en: 'Fairness' },
  jurisdiction: { zh: '属地', en: 'Jurisdiction' },
};

export const SCORE_PART_HELP: Labels = {
  proximity: { zh: '离服务队越近越高（队伍服务半径内线性递减）', en: '1 at the team base, 0 at the edge of its radius' },
  skillCoverage: { zh: '具备所需技能的队员比例', en: 'Share of members holding the required skills' },
  spareCapacity: { zh: '1 − 在办订单 / 容量', en: '1 − active orders / capacity' },
  reputation: { zh: '居民评分（贝叶斯平均）映射到 0–1', en: 'Bayesian rating 1..5 mapped to 0..1' },
  continuity: { zh: '曾服务过该居民且获好评为 1', en: '1 if it served this resident before and was rated ≥ 4★' },
  fairness: { zh: '近期派单越少越高', en: 'Fewer recent offers → higher' },
  jurisdiction: { zh: '本站 1，本镇 0.6，本县 0.3', en: 'Station 1, township 0.6, county 0.3' },
};

export const ROLE_LABELS: Labels = {
  resident: { zh: '居民', en: 'Resident' },
  grid_worker: { zh: '网格员', en: 'Grid worker' },
  volunteer: { zh: '志愿者', en: 'Volunteer' },
  dispatcher: { zh: '调度员', en: 'Dispatcher' },
  admin: { zh: '管理员', en: 'Admin' },
  system: { zh: '系统', en: 'System' },
  leader: { zh: '队长', en: 'Leader' },
  member: { zh: '队员', en: 'Member' },
};

export const REASON_LABELS: Labels = {
  pending_review: { zh: '待审核', en: 'Review' },
  escalated: { zh: '无人接单', en: 'Escalated' },
  expiring: { zh: '即将超时', en: 'Offer expiring' },
};

/** 一人一档: the fixed vocabulary of official classifications (libs/beneficiaries BENEFICIARY_TAGS). */
export const BENEFICIARY_TAG_LABELS: Labels = {
  living_alone: { zh: '独居老人', en: 'Living alone' },
  empty_nest: { zh: '空巢老人', en: 'Empty-nest elder' },
  left_behind_child: { zh: '留守儿童', en: 'Left-behind child' },
  vulnerable_child: { zh: '困境儿童', en: 'Child in difficulty' },
  disability: { zh: '残疾', en: 'Disability' },
  low_income: { zh: '低保', en: 'Low income (dibao)' },
  extreme_poverty: { zh: '特困', en: 'Extreme poverty' },
  veteran: { zh: '优抚对象', en: 'Veteran / entitled group' },
};

export const AGE_BAND_LABELS: Labels = {
  under_18: { zh: '18 岁以下', en: 'Under 18' },
  '18_59': { zh: '18–59 岁', en: '18–59' },
  '60_69': { zh: '60–69 岁', en: '60–69' },
  '70_79': { zh: '70–79 岁', en: '70–79' },
  '80_plus': { zh: '80 岁及以上', en: '80 and over' },
};

export function label(table: Labels, key: string | null | undefined, lang: Lang): string {
  if (!key) return '';
  return table[key]?.[lang] ?? key;
}
