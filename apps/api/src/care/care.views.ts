import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageOf } from '@xinyuan/common';

/** Response shapes of proactive care (OpenAPI). */

export class CareCheckInRuleView {
  @ApiProperty() dailyBy: string;
  @ApiProperty() graceMinutes: number;
  @ApiProperty() timeZone: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextDeadlineAt: string | null;
}

export class CareDutyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['visit', 'call', 'delivery'] }) kind: string;
  @ApiProperty() rrule: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) assigneeUserId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) teamId: string | null;
  @ApiProperty({ type: String, nullable: true }) serviceCode: string | null;
}

export class CarePlanView {
  @ApiProperty({ format: 'uuid' }) beneficiaryId: string;
  @ApiProperty({ type: CareCheckInRuleView, nullable: true }) checkIn: CareCheckInRuleView | null;
  @ApiProperty() timeZone: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) awayUntil: string | null;
  @ApiProperty({ type: [CareDutyView] }) visits: CareDutyView[];
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class CareCheckInView {
  @ApiProperty() id: string;
  @ApiProperty({ format: 'uuid' }) beneficiaryId: string;
  @ApiProperty() source: string;
  @ApiProperty({ example: '2026-12-01' }) localDay: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: [String], description: 'missed-check-in alerts this check-in resolved' }) resolvedAlertIds: string[];
}

export class CareStatusAlertView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() stage: number;
  @ApiProperty({ format: 'date-time' }) openedAt: string;
}

export class CareStatusView {
  @ApiProperty({ format: 'uuid' }) beneficiaryId: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) dailyBy: string | null;
  @ApiProperty() timeZone: string;
  @ApiProperty() today: string;
  @ApiProperty() checkedInToday: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastCheckInAt: string | null;
  @ApiProperty({ type: CareStatusAlertView, nullable: true }) openAlert: CareStatusAlertView | null;
}

export class CareDeviceKeyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'shown once; the device sends it as X-Device-Key' }) key: string;
}

export class CareDeviceKeyListItemView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '智能水表' }) name: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'set once revoked: the device\'s check-ins are refused' }) revokedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastCheckInAt: string | null;
}

export class CareAlertView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) beneficiaryId: string;
  @ApiProperty() beneficiaryName: string;
  @ApiProperty({ type: String, nullable: true }) area: string | null;
  @ApiProperty({ enum: ['checkin_missed', 'visit_concern'] }) kind: string;
  @ApiProperty({ description: '1 reminded, 2 grid worker and volunteer, 3 urgent order' }) stage: number;
  @ApiProperty({ enum: ['open', 'resolved'] }) status: string;
  @ApiProperty({ type: String, nullable: true }) localDay: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deadlineAt: string | null;
  @ApiProperty({ format: 'date-time' }) openedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextStepAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) acknowledgedAt: string | null;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'every step, timed' }) steps: Record<string, unknown>[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) orderId: string | null;
  @ApiProperty({ type: String, nullable: true }) outcome: string | null;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resolvedAt: string | null;
}
export const CareAlertPage = PageOf(CareAlertView, 'CareAlertPage');

export class CareVisitView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null for a 回访 about an order placed by a resident for themself' }) beneficiaryId: string | null;
  @ApiProperty({ type: String, nullable: true }) beneficiaryName: string | null;
  @ApiProperty({ type: String, nullable: true }) area: string | null;
  @ApiProperty({ enum: ['visit', 'call', 'delivery', 'check', 'followup'] }) kind: string;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ format: 'date-time' }) dueAt: string;
  @ApiProperty() localDay: string;
  @ApiProperty() overdue: boolean;
  @ApiProperty({ enum: ['open', 'done', 'cancelled'] }) status: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) assigneeUserId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) teamId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) alertId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) sourceOrderId: string | null;
  @ApiProperty({ type: String, nullable: true }) wellbeing: string | null;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) orderId: string | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: '回访: the rating (stars, solved, comment) and the outcome' }) data: Record<string, unknown> | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'the campaign (走访活动) that made the task' }) campaignId: string | null;
}
export const CareVisitPage = PageOf(CareVisitView, 'CareVisitPage');

class CareRateView {
  @ApiProperty() people: number;
  @ApiProperty() visited: number;
  @ApiProperty({ description: '0..1' }) rate: number;
}
class CareDailyCheckInView {
  @ApiProperty() people: number;
  @ApiProperty() checkedInToday: number;
  @ApiProperty({ description: '0..1' }) rate: number;
}
class CarePolicyView {
  @ApiProperty({ type: CareRateView, description: '特困: a done visit in the last 30 days' }) extremePovertyMonthly: CareRateView;
  @ApiProperty({ type: CareRateView, description: '独居: a done visit in the last 7 days' }) livingAloneWeekly: CareRateView;
}
class CareAlertCountsView {
  @ApiProperty() open: number;
  @ApiProperty() openedLast30Days: number;
  @ApiProperty({ type: Number, nullable: true }) medianMinutesToResolve: number | null;
}
class CareFollowUpCountsView {
  @ApiProperty() open: number;
  @ApiProperty() overdue: number;
  @ApiProperty() redo: number;
}
class CareNotSeenView {
  @ApiProperty({ format: 'uuid' }) beneficiaryId: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) area: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSeenAt: string | null;
  @ApiProperty({ type: Number, nullable: true }) days: number | null;
}
export class CareCoverageView {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty() people: number;
  @ApiProperty() withPlan: number;
  @ApiProperty({ description: '0..1' }) planShare: number;
  @ApiProperty({ type: CareDailyCheckInView }) dailyCheckIn: CareDailyCheckInView;
  @ApiProperty({ type: CarePolicyView }) policy: CarePolicyView;
  @ApiProperty({ type: CareAlertCountsView }) alerts: CareAlertCountsView;
  @ApiProperty({ type: CareFollowUpCountsView }) followUps: CareFollowUpCountsView;
  @ApiProperty({ type: [CareNotSeenView], description: 'longest without a check-in or a done visit first' }) notSeen: CareNotSeenView[];
}

class CareTemplateCheckInView {
  @ApiProperty() dailyBy: string;
  @ApiProperty() graceMinutes: number;
  @ApiProperty() timeZone: string;
}

class CareTemplateDutyView {
  @ApiProperty({ enum: ['visit', 'call', 'delivery'] }) kind: string;
  @ApiProperty() rrule: string;
  @ApiProperty({ type: String, nullable: true }) serviceCode: string | null;
}

export class CareTemplateView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) countyId: string;
  @ApiProperty({ description: 'the beneficiary tag (living_alone 独居老人, extreme_poverty 特困, left_behind_child 留守儿童, …)' }) tag: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: CareTemplateCheckInView, nullable: true }) checkIn: CareTemplateCheckInView | null;
  @ApiProperty({ type: [CareTemplateDutyView] }) visits: CareTemplateDutyView[];
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class CareTemplateList {
  @ApiProperty({ type: [CareTemplateView] }) items: CareTemplateView[];
}

class CareCampaignProgressView {
  @ApiProperty() total: number;
  @ApiProperty() done: number;
  @ApiProperty() open: number;
  @ApiProperty({ description: 'open tasks past dueAt' }) overdue: number;
  @ApiProperty({ description: 'done with concern or urgent' }) concerns: number;
  @ApiProperty({ description: 'tasks with neither an assignee nor a team (no grid worker found)' }) unassigned: number;
}

export class CareCampaignView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) regionId: string;
  @ApiProperty({ type: String, nullable: true }) regionName: string | null;
  @ApiProperty({ enum: ['cold_snap', 'heat_wave', 'festival', 'other'] }) reason: string;
  @ApiProperty() title: string;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ type: [String] }) ageBands: string[];
  @ApiProperty({ format: 'date-time' }) dueAt: string;
  @ApiProperty({ format: 'uuid' }) createdBy: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: CareCampaignProgressView }) progress: CareCampaignProgressView;
}

export class CareCampaignList {
  @ApiProperty({ type: [CareCampaignView] }) items: CareCampaignView[];
}
