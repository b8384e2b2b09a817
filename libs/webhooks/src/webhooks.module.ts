import { Module } from '@nestjs/common';
import { OrgModule } from '@xinyuan/org';
import { OutboxModule } from '@xinyuan/outbox';
import { WebhookEndpoints } from './webhook-endpoints.service';
import { WebhookRelay } from './webhook-relay';

/** Signed webhooks (Standard Webhooks v1): endpoints and their delivery log (api), delivery from the outbox (relay). */
@Module({ imports: [OutboxModule, OrgModule], providers: [WebhookEndpoints, WebhookRelay], exports: [WebhookEndpoints, WebhookRelay] })
export class WebhooksModule {}
