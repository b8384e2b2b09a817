import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@xinyuan/config';
import { WebhookRelay } from '@xinyuan/webhooks';

/**
 * Signed webhooks in the relay: one loop turns outbox events into deliveries and sends what is due.
 * Postgres only (no queue): it polls every WEBHOOK_POLL_MS when idle and runs without pause when busy.
 */
@Injectable()
export class WebhookWorkers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookWorkers.name);
  private stopping = false;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly relay: WebhookRelay,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let busy = 0;
      try {
        busy += await this.relay.fanOut();
        busy += await this.relay.sendDue();
      } catch (e) {
        this.logger.warn(`webhooks: ${(e as Error).message}`);
      }
      if (busy === 0 && !this.stopping) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.config.WEBHOOK_POLL_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running?.catch(() => undefined);
  }
}
