import type { EntityManager } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import type { PendingReason, ServiceLedgerRow } from './record.tables';
import { updateReturning } from './record-sql';
import { correctForCredit, earnForCredit, RulePacks } from './wallet';

export { updateReturning };

/**
 * The writes every part of the service record shares, as plain functions on the caller's
 * transaction (the order lifecycle, the rating app and the record's own use cases call them), so a
 * credit, its verification and its ledger row never change without the step that caused them.
 */

export interface ServiceFacts {
  sourceType: 'order' | 'activity';
  sourceId: string;
  regionId: string | null;
  teamId: string | null;
  serviceCode: string | null;
  /** What was done, in words (the service's name, the activity's theme). */
  content: string;
  volunteerIds: string[];
  minutes: number;
  startedAt: Date;
  endedAt: Date;
  /** Reasons every participant's minutes stay pending (override, impossible travel …). */
  reasons: PendingReason[];
}

/**
 * One credit per participant, pending. Overlap check: another credit of the same volunteer whose
 * interval shares time with this one flags both (rejected credits excepted). A credit the volunteer
 * already has for this source is left as it is (nothing doubled).
 */
export async function creditService(m: EntityManager, f: ServiceFacts): Promise<void> {
  for (const volunteerId of f.volunteerIds) {
    const reasons = new Set<PendingReason>(f.reasons);
    const clashing: { id: string }[] = await m.query(
      `SELECT id FROM service_credits
        WHERE volunteer_id = $1 AND status <> 'rejected' AND started_at < $3 AND ended_at > $2
          AND NOT (source_type = $4 AND source_id = $5)`,
      [volunteerId, f.startedAt, f.endedAt, f.sourceType, f.sourceId],
    );
    if (clashing.length) {
      reasons.add('overlap');
      await m.query(
        `UPDATE service_credits SET pending_reasons = array_append(pending_reasons, 'overlap')
          WHERE id = ANY($1::uuid[]) AND status = 'pending' AND NOT ('overlap' = ANY(pending_reasons))`,
        [clashing.map((c) => c.id)],
      );
    }
    await m.query(
      `INSERT INTO service_credits (volunteer_id, source_type, source_id, region_id, team_id, service_code, content, minutes,
                                    started_at, ended_at, pending_reasons)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text[])
       ON CONFLICT (volunteer_id, source_type, source_id) DO NOTHING`,
      [volunteerId, f.sourceType, f.sourceId, f.regionId, f.teamId, f.serviceCode, f.content, f.minutes, f.startedAt, f.endedAt, [...reasons]],
    );
  }
}

/**
 * The recipient (the resident who placed the order, or the grid worker who placed it for a
 * beneficiary) says whether the service happened, when rating. Confirmed credits with no other
 * pending reason are verified at once (ledger row); a recipient confirming more than `dayMax`
 * services on one local day flags the further ones; "did not happen" keeps them pending for staff.
 */
export async function confirmByRecipient(
  m: EntityManager,
  input: { orderId: string; recipientId: string; happened: boolean; dayMax: number; timeZone: string; rules: RulePacks },
): Promise<void> {
  const extra: PendingReason[] = [];
  if (!input.happened) extra.push('recipient_denied');
  else {
    const [{ n }]: { n: number }[] = await m.query(
      `SELECT count(DISTINCT c.source_id)::int AS n FROM service_credits c
        WHERE c.recipient_id = $1 AND c.source_type = 'order' AND c.source_id <> $2
          AND (c.recipient_confirmed_at AT TIME ZONE $3)::date = (now() AT TIME ZONE $3)::date`,
      [input.recipientId, input.orderId, input.timeZone],
    );
    if (n + 1 > input.dayMax) extra.push('many_confirmations');
  }
  const updated = await updateReturning<{ id: string; pending_reasons: PendingReason[] }>(m,
    `UPDATE service_credits
        SET recipient_confirmed_at = now(), recipient_id = $2,
            pending_reasons = array_cat(array_remove(pending_reasons, 'unconfirmed'), $3::text[])
      WHERE source_type = 'order' AND source_id = $1 AND status = 'pending'
      RETURNING id, pending_reasons`,
    [input.orderId, input.recipientId, extra],
  );
  for (const c of updated) {
    if (c.pending_reasons.length === 0) await verifyCredit(m, c.id, 'recipient', null, undefined, { rules: input.rules, timeZone: input.timeZone });
  }
}

/**
 * Pending → verified, the ledger's `credit` row, and the wallet's points and banked minutes, in the
 * caller's transaction. `null` when the
 * credit is not pending (already verified or rejected: nothing doubled).
 */
export async function verifyCredit(
  m: EntityManager,
  creditId: string,
  confirmation: 'recipient' | 'staff' | 'organiser',
  actorId: string | null,
  note: string | undefined,
  wallet: { rules: RulePacks; timeZone: string },
): Promise<ServiceLedgerRow | null> {
  const [credit] = await updateReturning(m,
    `UPDATE service_credits SET status = 'verified', pending_reasons = '{}',
            reviewed_by = COALESCE($2, reviewed_by), reviewed_at = CASE WHEN $2::uuid IS NULL THEN reviewed_at ELSE now() END,
            review_note = COALESCE($3, review_note)
      WHERE id = $1 AND status = 'pending' RETURNING *`,
    [creditId, actorId, note ?? null],
  );
  if (!credit) return null;
  const [entry] = await m.query(
    `INSERT INTO service_ledger (volunteer_id, credit_id, kind, minutes, content, service_code, source_type, source_id, region_id,
                                 organiser, confirmation, actor_id, served_at)
     VALUES ($1, $2, 'credit', $3, $4, $5, $6, $7, $8,
             concat_ws(' · ', (SELECT name FROM regions WHERE id = $8), (SELECT name FROM teams WHERE id = $9)),
             $10, $11, $12)
     RETURNING *`,
    [credit.volunteer_id, credit.id, credit.minutes, credit.content, credit.service_code, credit.source_type, credit.source_id, credit.region_id,
      credit.team_id, confirmation, actorId, credit.started_at],
  );
  // points by the region's rule pack, and the minutes banked in the time bank
  await earnForCredit(m, wallet.rules, wallet.timeZone, credit);
  return entry;
}

/**
 * A correction: a `reversal` row (minus the entry's minutes, naming it) and a `correction` row with
 * the right minutes, both carrying the reason and the actor. The entry must not be a reversal nor
 * already reversed (a unique index backs the check against concurrent corrections).
 */
export async function correctEntry(
  m: EntityManager,
  entryId: string,
  input: { minutes: number; reason: string; actorId: string },
  wallet?: { rules: RulePacks },
): Promise<{ reversal: ServiceLedgerRow; correction: ServiceLedgerRow }> {
  const [entry]: ServiceLedgerRow[] = await m.query(`SELECT * FROM service_ledger WHERE id = $1 FOR UPDATE`, [entryId]);
  if (!entry) throw DomainException.notFound(ErrorCode.LedgerEntryNotFound);
  const [reversed] = await m.query(`SELECT 1 FROM service_ledger WHERE reverses_id = $1`, [entryId]);
  if (entry.kind === 'reversal' || reversed) throw DomainException.conflict(ErrorCode.EntryAlreadyReversed);
  const insert = `INSERT INTO service_ledger (volunteer_id, credit_id, kind, minutes, content, service_code, source_type, source_id, region_id,
                                              organiser, confirmation, reverses_id, reason, actor_id, served_at)
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *`;
  const common = (kind: string, minutes: number, reversesId: string | null) => [
    entry.volunteer_id, entry.credit_id, kind, minutes, entry.content, entry.service_code, entry.source_type, entry.source_id, entry.region_id,
    entry.organiser, 'staff', reversesId, input.reason, input.actorId, entry.served_at,
  ];
  const [reversal] = await m.query(insert, common('reversal', -entry.minutes, entry.id));
  const [correction] = await m.query(insert, common('correction', input.minutes, null));
  // the points and banked minutes the entry earned follow the correction (a reversing movement)
  if (wallet && entry.credit_id) {
    await correctForCredit(m, wallet.rules, { id: entry.credit_id, volunteer_id: entry.volunteer_id, region_id: entry.region_id }, entry.minutes, input.minutes, input.actorId);
  }
  if (input.minutes < entry.minutes) await revokeCertificatesAbove(m, entry.volunteer_id, input.actorId);
  return { reversal, correction };
}

/**
 * A certificate must not vouch for more hours than the record now holds: after a correction that
 * lowers the total, the holder's valid certificates above it are revoked (the public check answers
 * "revoked", reason 记录已更正) and a new one can be downloaded with the right hours.
 */
async function revokeCertificatesAbove(m: EntityManager, volunteerId: string, actorId: string): Promise<void> {
  await m.query(
    `UPDATE certificates SET revoked_at = now(), revoked_by = $2, revoke_reason = '记录已更正，请重新开具'
      WHERE volunteer_id = $1 AND revoked_at IS NULL
        AND verified_minutes > (SELECT COALESCE(sum(minutes), 0) FROM service_ledger WHERE volunteer_id = $1)`,
    [volunteerId, actorId],
  );
}
