import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PollLoop } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { WebhookRelay } from '@xinyuan/webhooks';

/**
 * Signed webhooks in the relay: one loop turns outbox events into deliveries and sends what is due.
 * Postgres only (no queue): it polls every WEBHOOK_POLL_MS when idle and runs without pause when busy.
 */
@Injectable()
export class WebhookWorkers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookWorkers.name);
  private readonly loop: PollLoop;

  constructor(config: AppConfig, relay: WebhookRelay) {
    this.loop = new PollLoop(
      async () => (await relay.fanOut()) + (await relay.sendDue()),
      config.WEBHOOK_POLL_MS,
      (e) => this.logger.warn(`webhooks: ${e.message}`),
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}
