/**
 * A loop that runs `step` again at once while it finds work and waits `idleMs` when it finds none
 * (or fails), until stopped. Used by the relay's consumers that poll Postgres: the outbox pump and
 * the webhook sender. `stop()` interrupts the idle wait, so shutdown never waits out a poll.
 */
export class PollLoop {
  private stopping = false;
  private running: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;

  constructor(
    /** Does one round of work; answers how much it handled (0: nothing to do). */
    private readonly step: () => Promise<number>,
    private readonly idleMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  start(): void {
    this.running ??= this.run();
  }

  /** Ends the idle wait early: there may be work now. */
  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let handled = 0;
      try {
        handled = await this.step();
      } catch (e) {
        this.onError(e as Error);
      }
      if (handled === 0 && !this.stopping) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.wakeUp?.(), this.idleMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
    });
  }
}
