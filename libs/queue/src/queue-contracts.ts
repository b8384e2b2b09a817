/**
 * The contract between producers (api, dispatcher, rating) and the dispatcher's workers: queue
 * names, job names, payloads (ids only: Postgres holds the facts) and deterministic job ids.
 */
export enum QueueName {
  Dispatch = 'dispatch',
  Maintenance = 'maintenance',
  /** The relay's: send one delivery; the periodic sweep. */
  Notify = 'notify',
}

export enum JobName {
  DispatchOrder = 'dispatch-order',
  ExpireOffer = 'expire-offer',
  DispatchBatch = 'dispatch-batch',
  Reconcile = 'reconcile',
}

/**
 * Every job carries the correlation id of the request (or job) that caused it, so its log lines
 * can be followed back to that request. Not part of the job id.
 */
export interface TracedJob {
  correlationId?: string;
}

export interface DispatchOrderJob extends TracedJob {
  orderId: string;
  /** The order version the job was made for; a job for an older version finds nothing to do. */
  version: number;
  /** Urgent orders jump the queue (BullMQ priority). */
  urgent?: boolean;
}

export interface DispatchBatchJob extends TracedJob {
  /** Start of the batching window (ms since epoch); one job per window. */
  windowStart: number;
  /** Set for the batch that serves orders waiting out their menu item's window: when it runs (ms since epoch). */
  dueAt?: number;
}

export interface ExpireOfferJob extends TracedJob {
  offerId: string;
}

export type ReconcileJob = Record<string, never>;

export interface JobPayloads {
  [JobName.DispatchOrder]: DispatchOrderJob;
  [JobName.ExpireOffer]: ExpireOfferJob;
  [JobName.DispatchBatch]: DispatchBatchJob;
  [JobName.Reconcile]: ReconcileJob;
}

/** Same order version → same id, so a retry, a second producer or the reconciler never doubles a job. */
export const jobIds = {
  dispatchOrder: (p: DispatchOrderJob) => `dispatch-${p.orderId}-v${p.version}`,
  expireOffer: (p: ExpireOfferJob) => `expire-${p.offerId}`,
  dispatchBatch: (p: DispatchBatchJob) => (p.dueAt === undefined ? `batch-${p.windowStart}` : `batch-due-${p.dueAt}`),
  reconcileScheduler: 'reconcile',
};

export const RETRY = {
  /** Transient failures (database restart, Redis blip) are retried with exponential backoff. */
  attempts: 6,
  backoff: { type: 'exponential' as const, delay: 500 },
};

/** BullMQ priorities: lower runs first. */
export const PRIORITY = { urgent: 1, normal: 10 };

export const RETENTION = {
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** Jobs of the relay (apps/relay): the dispatcher never sees them. */
export enum NotifyJobName {
  Deliver = 'deliver',
  Sweep = 'notify-sweep',
}

export interface DeliverJob {
  /** A row of notification_deliveries; Postgres holds what to send and whether it was sent. */
  deliveryId: string;
}

export type NotifySweepJob = Record<string, never>;

export interface NotifyJobPayloads {
  [NotifyJobName.Deliver]: DeliverJob;
  [NotifyJobName.Sweep]: NotifySweepJob;
}

/**
 * A delivery's job id names its attempt and due time: a retry or a held message released later is a
 * new job, a second enqueue of the same one is not. The claim in Postgres decides who sends.
 */
export const notifyJobIds = {
  deliver: (p: DeliverJob & { attempts: number; dueAt: Date }) => `deliver-${p.deliveryId}-a${p.attempts}-${new Date(p.dueAt).getTime()}`,
  sweepScheduler: 'notify-sweep',
};

/** A delivery job that throws (database away) is retried by BullMQ; provider failures are Postgres's business (back-off rows). */
export const NOTIFY_RETRY = { attempts: 3, backoff: { type: 'exponential' as const, delay: 1000 } };
/**
 * Finished delivery jobs are dropped at once, failed ones too: a kept job would make the sweep's next
 * enqueue of the same delivery (same id) a no-op while the row still waits in Postgres.
 */
export const NOTIFY_RETENTION = { removeOnComplete: true, removeOnFail: true };
