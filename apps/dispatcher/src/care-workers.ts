import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CareSweep } from '@xinyuan/care';
import { Clock } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';

/** A timer may fire a moment early; waking just after the deadline finds the plans due. */
const WAKE_MARGIN_MS = 5;

/**
 * The care sweep (missed check-in deadlines → alerts, ladder steps, visit tasks for the rolling
 * window), run at start and then every CARE_SWEEP_MS — or sooner, at the next deadline or ladder step
 * when one falls before that (a county's 08:30 deadline is swept at 08:30, not up to 5 s later). It
 * reads only Postgres, where every due time is stored, and claims rows with SKIP LOCKED: a killed
 * dispatcher or a flushed Redis loses nothing, and several dispatchers share the work without doing
 * anything twice.
 */
@Injectable()
export class CareWorkers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CareWorkers.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly sweep: CareSweep,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.tick();
  }

  private tick(): void {
    if (this.stopping) return;
    this.running = this.once()
      .then(() => this.delayToNextSweep())
      .then((delay) => {
        this.running = null;
        if (!this.stopping) this.timer = setTimeout(() => this.tick(), delay);
      });
  }

  /** CARE_SWEEP_MS, or less when a deadline or ladder step falls due before then. */
  private async delayToNextSweep(): Promise<number> {
    try {
      const next = await this.sweep.nextDueAt();
      const wait = next ? next.getTime() - this.clock.now().getTime() : Infinity;
      return wait > 0 ? Math.min(this.config.CARE_SWEEP_MS, wait + WAKE_MARGIN_MS) : this.config.CARE_SWEEP_MS;
    } catch {
      return this.config.CARE_SWEEP_MS;
    }
  }

  private async once(): Promise<void> {
    try {
      const r = await this.sweep.run();
      if (r.alertsOpened || r.steps) this.logger.log(`care sweep: ${r.alertsOpened} alerts opened, ${r.steps} ladder steps, ${r.visitTasks} visit tasks`);
    } catch (e) {
      this.logger.warn(`care sweep failed, retried in ${this.config.CARE_SWEEP_MS} ms: ${(e as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }
}
