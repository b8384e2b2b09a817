import { col, nullable, Row, table } from '@xinyuan/common';

export const CREDIT_STATUSES = ['pending', 'verified', 'rejected'] as const;
export type CreditStatus = (typeof CREDIT_STATUSES)[number];

/**
 * Why a credit is still pending: the recipient has not confirmed yet; the check-in was overridden
 * far from the place; fraud checks (overlapping intervals, impossible travel, a resident confirming
 * many services in a day); the recipient said it did not happen.
 */
export const PENDING_REASONS = ['unconfirmed', 'checkin_override', 'overlap', 'impossible_travel', 'many_confirmations', 'recipient_denied', 'checkout_far'] as const;
export type PendingReason = (typeof PENDING_REASONS)[number];
/** The pending reasons that are fraud flags: staff review them (GET /api/v1/service-credits?flagged=true). */
export const FRAUD_FLAGS: readonly PendingReason[] = ['overlap', 'impossible_travel', 'many_confirmations'];

/**
 * One volunteer's minutes for one service (order) or activity: claimed, then verified (and entered
 * in the ledger), or rejected. The only mutable part of the record; `(volunteer, source)` is unique.
 */
export const SERVICE_CREDITS = table('service_credits', {
  id: col.uuid(),
  volunteer_id: col.uuid(),
  source_type: col.text<'order' | 'activity'>(),
  source_id: col.uuid(),
  region_id: nullable(col.uuid()),
  team_id: nullable(col.uuid()),
  service_code: nullable(col.text()),
  content: col.text(),
  minutes: col.int(),
  started_at: col.timestamptz(),
  ended_at: col.timestamptz(),
  status: col.text<CreditStatus>(),
  pending_reasons: col.textArray<PendingReason>(),
  recipient_confirmed_at: nullable(col.timestamptz()),
  recipient_id: nullable(col.uuid()),
  reviewed_by: nullable(col.uuid()),
  reviewed_at: nullable(col.timestamptz()),
  review_note: nullable(col.text()),
  created_at: col.timestamptz(),
});
export type ServiceCreditRow = Row<typeof SERVICE_CREDITS>;

export const LEDGER_KINDS = ['credit', 'reversal', 'correction'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/**
 * The append-only ledger (台账) of credited minutes: a trigger refuses UPDATE, DELETE and TRUNCATE.
 * A volunteer's verified minutes are the sum of their rows; a correction is a `reversal` (minus the
 * entry it names) plus a `correction` with the right minutes, each with a reason and an actor.
 */
export const SERVICE_LEDGER = table('service_ledger', {
  id: col.bigint(),
  volunteer_id: col.uuid(),
  credit_id: nullable(col.uuid()),
  kind: col.text<LedgerKind>(),
  minutes: col.int(),
  content: col.text(),
  service_code: nullable(col.text()),
  source_type: col.text<'order' | 'activity' | 'correction'>(),
  source_id: nullable(col.uuid()),
  region_id: nullable(col.uuid()),
  organiser: col.text(),
  confirmation: col.text(),
  reverses_id: nullable(col.bigint()),
  reason: nullable(col.text()),
  actor_id: nullable(col.uuid()),
  served_at: col.timestamptz(),
  recorded_at: col.timestamptz(),
});
export type ServiceLedgerRow = Row<typeof SERVICE_LEDGER>;

/** A volunteer asks for a ledger entry to be corrected; staff of the entry's jurisdiction decide. */
export const CORRECTION_REQUESTS = table('correction_requests', {
  id: col.uuid(),
  volunteer_id: col.uuid(),
  entry_id: col.bigint(),
  minutes: col.int(),
  reason: col.text(),
  status: col.text<'open' | 'approved' | 'rejected'>(),
  decided_by: nullable(col.uuid()),
  decided_at: nullable(col.timestamptz()),
  decision_note: nullable(col.text()),
  created_at: col.timestamptz(),
});
export type CorrectionRequestRow = Row<typeof CORRECTION_REQUESTS>;

/** A numbered 志愿服务记录证明: what it said when issued; publicly verifiable; staff may revoke it. */
export const CERTIFICATES = table('certificates', {
  number: col.text(),
  volunteer_id: col.uuid(),
  holder_masked: col.text(),
  verified_minutes: col.int(),
  issuer: col.text(),
  issued_at: col.timestamptz(),
  region_id: nullable(col.uuid()),
  revoked_at: nullable(col.timestamptz()),
  revoked_by: nullable(col.uuid()),
  revoke_reason: nullable(col.text()),
});
export type CertificateRow = Row<typeof CERTIFICATES>;

/** Wallet accounts: a volunteer's `points` and `time_bank`, and the system accounts (owner NULL) movements come from and go to. */
export const WALLET_ACCOUNTS = table('wallet_accounts', {
  id: col.uuid(),
  owner_id: nullable(col.uuid()),
  kind: col.text(),
  balance: col.bigint(),
  created_at: col.timestamptz(),
});
export type WalletAccountRow = Row<typeof WALLET_ACCOUNTS>;

/** Double-entry movements (append-only): one account debited, one credited, one positive amount. */
export const WALLET_MOVEMENTS = table('wallet_movements', {
  id: col.bigint(),
  type: col.text(),
  debit_account: col.uuid(),
  credit_account: col.uuid(),
  amount: col.bigint(),
  ref: nullable(col.text()),
  actor_id: nullable(col.uuid()),
  at: col.timestamptz(),
});
export type WalletMovementRow = Row<typeof WALLET_MOVEMENTS>;

/** Who names whom as family for the time bank: a transfer needs both directions (the recipient's naming confirms). */
export const TIME_BANK_RELATIVES = table('time_bank_relatives', {
  owner_id: col.uuid(),
  relative_id: col.uuid(),
  relation: col.text(),
  created_at: col.timestamptz(),
});
export type TimeBankRelativeRow = Row<typeof TIME_BANK_RELATIVES>;

/** Points earned together, spent first-to-expire first, expiring together. */
export const POINT_LOTS = table('point_lots', {
  id: col.uuid(),
  account_id: col.uuid(),
  amount: col.int(),
  remaining: col.int(),
  earned_at: col.timestamptz(),
  expires_at: col.timestamptz(),
  credit_id: nullable(col.uuid()),
});
export type PointLotRow = Row<typeof POINT_LOTS>;

/** 爱心超市 exchanges: paid when made, collected with the pickup code. */
export const REDEMPTIONS = table('redemptions', {
  id: col.uuid(),
  volunteer_id: col.uuid(),
  item: col.text(),
  points: col.int(),
  pickup_code: col.text(),
  status: col.text<'reserved' | 'collected'>(),
  region_id: nullable(col.uuid()),
  created_at: col.timestamptz(),
  collected_at: nullable(col.timestamptz()),
  collected_by: nullable(col.uuid()),
  /** The catalogue item (NULL only for redemptions made before the catalogue). */
  item_id: nullable(col.uuid()),
  quantity: col.int(),
  /** The request's Idempotency-Key and a hash of its body: the same key answers this redemption. */
  idempotency_key: nullable(col.text()),
  request_hash: nullable(col.text()),
});
export type RedemptionRow = Row<typeof REDEMPTIONS>;

/** 爱心超市 catalogue: an item a region offers (to volunteers of that region and below) at a points price set by its staff. */
export const REDEMPTION_ITEMS = table('redemption_items', {
  id: col.uuid(),
  region_id: col.uuid(),
  name: col.text(),
  points: col.int(),
  created_by: col.uuid(),
  created_at: col.timestamptz(),
  updated_at: col.timestamptz(),
  retired_at: nullable(col.timestamptz()),
  retired_by: nullable(col.uuid()),
});
export type RedemptionItemRow = Row<typeof REDEMPTION_ITEMS>;

/** A themed activity (月月有主题); `qr_token` is what the venue's QR code holds (staff see it). */
export const ACTIVITIES = table('activities', {
  id: col.uuid(),
  region_id: col.uuid(),
  theme: col.text(),
  description: nullable(col.text()),
  starts_at: col.timestamptz(),
  ends_at: col.timestamptz(),
  location: col.geography(),
  address: col.text(),
  capacity: col.int(),
  credited_minutes: col.int(),
  qr_token: col.text(),
  created_by: col.uuid(),
  created_at: col.timestamptz(),
});
export type ActivityRow = Row<typeof ACTIVITIES>;

/** Sign-ups: confirmed within the capacity, waiting beyond it (promoted in order when a place frees), cancelled; attendance. */
export const ACTIVITY_SIGNUPS = table('activity_signups', {
  activity_id: col.uuid(),
  volunteer_id: col.uuid(),
  status: col.text<'confirmed' | 'waiting' | 'cancelled'>(),
  signed_up_at: col.timestamptz(),
  attended_at: nullable(col.timestamptz()),
  attendance: nullable(col.text<'qr' | 'staff'>()),
});
export type ActivitySignupRow = Row<typeof ACTIVITY_SIGNUPS>;
