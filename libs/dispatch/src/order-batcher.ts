/**
 * Groups the dispatch jobs a dispatcher runs at the same time into shared transactions: a job hands
 * in its order and waits for that order's outcome. `capture` takes what the submitting job's context
 * holds (its correlation id) and hands it to the group with the order, so each order of a group can be
 * worked on under its own job's id. At most `maxRunning` groups run at once; an order
 * handed in while they all run waits for the next group, which takes up to `maxOrders` of the waiting
 * ones. No timer: an order handed in while a group is free starts at once, alone, so an idle
 * dispatcher answers as fast as before and only a backlog makes groups larger.
 */
export class OrderBatcher<R, C = undefined> {
  private readonly waiting: { orderId: string; context: C | undefined; settle: (r: R | Error) => void }[] = [];
  private running = 0;

  constructor(
    /** Runs one group; returns every order's outcome or error (never rejects for one order). */
    private readonly runGroup: (orderIds: string[], contexts: ReadonlyMap<string, C | undefined>) => Promise<Map<string, R | Error>>,
    private readonly maxOrders: number,
    private readonly maxRunning: number,
    private readonly capture: () => C | undefined = () => undefined,
  ) {}

  submit(orderId: string): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ orderId, context: this.capture(), settle: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
      this.pump();
    });
  }

  /** Up to `maxOrders` waiting orders, each once (a second job for the same order waits for the next group). */
  private takeGroup(): typeof this.waiting {
    const group: typeof this.waiting = [];
    const ids = new Set<string>();
    for (let i = 0; i < this.waiting.length && group.length < this.maxOrders; ) {
      if (ids.has(this.waiting[i].orderId)) {
        i++;
        continue;
      }
      ids.add(this.waiting[i].orderId);
      group.push(...this.waiting.splice(i, 1));
    }
    return group;
  }

  private pump(): void {
    while (this.running < this.maxRunning && this.waiting.length > 0) {
      const group = this.takeGroup();
      this.running++;
      this.runGroup(group.map((g) => g.orderId), new Map(group.map((g) => [g.orderId, g.context])))
        .then(
          (results) => group.forEach((g) => g.settle(results.get(g.orderId) ?? new Error(`no outcome for order ${g.orderId}`))),
          (e: unknown) => group.forEach((g) => g.settle(e instanceof Error ? e : new Error(String(e)))),
        )
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }
}
