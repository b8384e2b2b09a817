import { Module } from '@nestjs/common';
import { AppConfig } from '@xinyuan/config';
import { OrgModule } from '@xinyuan/org';
import { OutboxModule } from '@xinyuan/outbox';
import { NotificationComposer } from './composer';
import { DeliveryLog } from './delivery-log';
import { DeliveryService } from './delivery';
import { NotificationTimers, OutboxFanout } from './fanout';
import { InboxService } from './inbox';
import { NotifySettings } from './notify-settings';
import { NotificationPreferences } from './preferences';
import { createSmsProvider, SmsProvider, WeChatSubscribeSender } from './providers';
import { RelayWork } from './relay-work';
import { SmsCallbacks } from './sms-callbacks';

const providers = [
  { provide: NotifySettings, inject: [AppConfig], useFactory: (config: AppConfig) => new NotifySettings(config) },
  { provide: SmsProvider, inject: [AppConfig], useFactory: createSmsProvider },
  WeChatSubscribeSender, NotificationComposer, OutboxFanout, NotificationTimers, DeliveryService, RelayWork,
  InboxService, NotificationPreferences, SmsCallbacks, DeliveryLog,
];

/**
 * Reaching out: notifications made from the outbox (relay), sent by SMS and WeChat, kept in each
 * person's in-app inbox; settings, provider callbacks and the staff's delivery log (api).
 */
@Module({ imports: [OutboxModule, OrgModule], providers, exports: [NotifySettings, SmsProvider, WeChatSubscribeSender, NotificationComposer,
  OutboxFanout, NotificationTimers, DeliveryService, RelayWork, InboxService, NotificationPreferences, SmsCallbacks, DeliveryLog] })
export class NotificationsModule {}
