import { BATCH_DUE_BUCKET_MS, batchDueAt, batchJobAt, isDueForBatch } from './batch-window';

describe('batch window (who waits for batch matching, and until when)', () => {
  const now = Date.parse('2026-11-30T08:00:00.000Z');
  const imminentMs = 30 * 60_000;
  const order = { urgent: false, preferredStart: null, placedAt: now, windowSeconds: 30 };

  it("keeps a non-urgent order without a preferred time waiting its item's window from placement", () => {
    expect(batchDueAt(order, now, imminentMs)).toBe(now + 30_000);
    // asked again later (the reconciler re-enqueued it): the same due time, not a new wait
    expect(batchDueAt(order, now + 12_000, imminentMs)).toBe(now + 30_000);
  });

  it('decides at once: urgent orders, items without a window, imminent preferred starts, and orders past their window', () => {
    expect(batchDueAt({ ...order, urgent: true }, now, imminentMs)).toBeNull();
    expect(batchDueAt({ ...order, windowSeconds: 0 }, now, imminentMs)).toBeNull();
    expect(batchDueAt({ ...order, preferredStart: now + 29 * 60_000 }, now, imminentMs)).toBeNull();
    expect(batchDueAt({ ...order, preferredStart: now - 5 * 60_000 }, now, imminentMs)).toBeNull();
    // placed 31 s ago: dispatched again after a decline, it does not wait a second time
    expect(batchDueAt({ ...order, placedAt: now - 31_000 }, now, imminentMs)).toBeNull();
  });

  it('lets an order whose preferred start is far enough away wait', () => {
    expect(batchDueAt({ ...order, preferredStart: now + 31 * 60_000 }, now, imminentMs)).toBe(now + 30_000);
    expect(batchDueAt({ ...order, preferredStart: now + 2 * 86_400_000 }, now, imminentMs)).toBe(now + 30_000);
  });

  it('never waits more than 60 s, whatever the row says', () => {
    expect(batchDueAt({ ...order, windowSeconds: 3600 }, now, imminentMs)).toBe(now + 60_000);
  });

  it('serves a due time with the batch of the next whole second, and that batch commits it', () => {
    const dueAt = now + 30_250;
    const at = batchJobAt(dueAt);
    expect(at).toBe(now + 31_000);
    expect(batchJobAt(now + 31_000)).toBe(now + 31_000);
    expect(isDueForBatch(dueAt, at)).toBe(true);
    // a job that fires a little early on another host's clock still commits it
    expect(isDueForBatch(dueAt, at - 300)).toBe(true);
    // an earlier batch (another order's) only holds it
    expect(isDueForBatch(dueAt, dueAt - BATCH_DUE_BUCKET_MS - 1)).toBe(false);
    expect(isDueForBatch(null, now)).toBe(true);
  });
});
