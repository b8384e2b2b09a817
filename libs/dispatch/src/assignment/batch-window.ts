/**
 * When an order waits for batch matching, and until when. Plain functions over the clock the caller
 * passes: the dispatcher (DispatchOrderUseCase, DispatchBatchUseCase) and the quality benchmark's
 * simulation use the same rules.
 */

/** The longest wait a menu item may ask for (also a CHECK on services.batch_window_seconds). */
export const BATCH_WINDOW_MAX_SECONDS = 60;

/**
 * Batch jobs for due orders run on whole seconds, so orders due within the same second share one
 * matching; a batch counts an order due when its due time is at most this far ahead (the job may
 * fire a little early on another machine's clock, and nobody would wait for a later job).
 */
export const BATCH_DUE_BUCKET_MS = 1000;

export interface BatchWaitOrder {
  urgent: boolean;
  /** the resident's preferred start (epoch ms), null when they gave none */
  preferredStart: number | null;
  /** when the order was placed (epoch ms): the wait counts from there, not from each new attempt */
  placedAt: number;
  /** its menu item's window (services.batch_window_seconds) */
  windowSeconds: number;
}

/**
 * The moment (epoch ms) an order is due for matching, or null when it is decided now: urgent
 * orders, items without a window, a preferred start within `imminentMs` of now, and orders that have
 * already waited their window (placed long ago, or dispatched again after a decline or expiry).
 */
export function batchDueAt(order: BatchWaitOrder, now: number, imminentMs: number): number | null {
  if (order.urgent || order.windowSeconds <= 0) return null;
  if (order.preferredStart !== null && order.preferredStart - now < imminentMs) return null;
  const due = order.placedAt + Math.min(order.windowSeconds, BATCH_WINDOW_MAX_SECONDS) * 1000;
  return due > now ? due : null;
}

/** The start of the batch job that serves an order due at `dueAt`: the first whole second at or after it. */
export function batchJobAt(dueAt: number): number {
  return Math.ceil(dueAt / BATCH_DUE_BUCKET_MS) * BATCH_DUE_BUCKET_MS;
}

/** Whether a batch running at `now` commits an order due at `dueAt` (null: due at once). */
export function isDueForBatch(dueAt: number | null, now: number): boolean {
  return dueAt === null || dueAt <= now + BATCH_DUE_BUCKET_MS;
}
