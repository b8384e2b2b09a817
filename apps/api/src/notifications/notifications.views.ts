import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageOf } from '@xinyuan/common';
import { DELIVERY_STATUSES, NOTIFICATION_TYPES } from '@xinyuan/notifications';

/** Response shapes of notifications (OpenAPI; the front ends' types are generated from them). */

export class NotificationFactsView {
  @ApiPropertyOptional() serviceName?: string;
  @ApiPropertyOptional({ type: String, nullable: true }) area?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'preferred time in the recipient\'s zone' }) preferredTime?: string | null;
  @ApiPropertyOptional() minutesLeft?: number;
  @ApiPropertyOptional() teamName?: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'masked: 139****1234' }) leaderPhoneMasked?: string | null;
  @ApiPropertyOptional() count?: number;
  @ApiPropertyOptional({ type: String, nullable: true }) reason?: string | null;
  @ApiPropertyOptional() result?: string;
  @ApiPropertyOptional({ type: String, nullable: true }) personName?: string | null;
}

export class NotificationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: NOTIFICATION_TYPES, enumName: 'NotificationType' }) type: string;
  @ApiProperty() title: string;
  @ApiProperty() body: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) orderId: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) offerId: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'where to act on it: /console/#/…, /h5/volunteer/#/…, /h5/resident/#/…' }) link: string | null;
  @ApiProperty() urgent: boolean;
  @ApiProperty({ type: NotificationFactsView, nullable: true, description: 'what the message was made of (no phone, no address)' }) data: NotificationFactsView | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) readAt: string | null;
}

export class NotificationPage {
  @ApiProperty({ type: [NotificationView] }) items: NotificationView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
  @ApiProperty({ description: 'unread entries of the whole inbox' }) unreadCount: number;
}

export class ReadAllView {
  @ApiProperty() updated: number;
}

export class QuietHoursView {
  @ApiProperty({ example: '22:00' }) start: string;
  @ApiProperty({ example: '07:00' }) end: string;
}

class SettingsChannelsView {
  @ApiProperty({ enum: [true] }) inApp: true;
  @ApiProperty() sms: boolean;
  @ApiProperty() wechat: boolean;
}

class ReachableView {
  @ApiProperty({ description: 'a phone number is on file' }) sms: boolean;
  @ApiProperty({ description: 'a WeChat mini-program account is linked' }) wechat: boolean;
}

export class NotificationSettingsView {
  @ApiProperty({ type: SettingsChannelsView }) channels: SettingsChannelsView;
  @ApiProperty({ type: [String], description: 'types that send no text message (still in the inbox)' }) mutedTypes: string[];
  @ApiProperty({ type: QuietHoursView, nullable: true }) quietHours: QuietHoursView | null;
  @ApiProperty({ example: 'Asia/Shanghai' }) timeZone: string;
  @ApiProperty({ enum: ['zh', 'en'] }) lang: 'zh' | 'en';
  @ApiProperty({ type: ReachableView }) reachable: ReachableView;
}

export class WeChatGrantView {
  @ApiProperty() templateId: string;
  @ApiProperty({ description: 'messages this template may still carry' }) remaining: number;
}

export class WeChatGrantsView {
  @ApiProperty({ type: [WeChatGrantView] }) items: WeChatGrantView[];
}

class DeliveryRecipientView {
  @ApiProperty({ enum: ['user', 'guardian'] }) kind: 'user' | 'guardian';
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty({ type: String, nullable: true }) role: string | null;
}

export class DeliveryLogItemView {
  @ApiProperty({ format: 'uuid' }) notificationId: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) deliveryId: string | null;
  @ApiProperty({ enum: NOTIFICATION_TYPES, enumName: 'NotificationType' }) type: string;
  @ApiProperty({ type: DeliveryRecipientView }) recipient: DeliveryRecipientView;
  @ApiProperty({ enum: ['in_app', 'sms', 'wechat'] }) channel: string;
  @ApiProperty({ enum: [...DELIVERY_STATUSES, 'stored', 'read'] }) status: string;
  @ApiProperty({ type: String, nullable: true, description: 'masked phone (138****1234) or "openid"' }) destination: string | null;
  @ApiProperty() attempts: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) sentAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) deliveredAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) failedAt: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'quiet_hours, cap, coalescing, retry …' }) heldReason: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'offer_closed, no_phone, no_quota …' }) skipReason: string | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) orderId: string | null;
}

export class DeliveryLogView {
  @ApiProperty({ type: [DeliveryLogItemView] }) items: DeliveryLogItemView[];
}

export const DeadLetterPage = PageOf(DeliveryLogItemView, 'DeadLetterPage');

export class CallbackAnswerView {
  @ApiProperty() ok: boolean;
  @ApiPropertyOptional() recorded?: number;
  @ApiPropertyOptional({ description: 'inbound: what the reply did (accepted, declined, taken, expired, no_offer, unknown, duplicate …)' }) result?: string;
}
