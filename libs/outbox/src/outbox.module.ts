import { Module } from '@nestjs/common';
import { OutboxReader } from './outbox-reader';

/** The transactional outbox: what changed, for every consumer (notifications; webhooks next). */
@Module({ providers: [OutboxReader], exports: [OutboxReader] })
export class OutboxModule {}
