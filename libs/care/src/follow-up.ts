import type { EntityManager } from 'typeorm';

/**
 * 回访 after a poor rating (1–2 stars, or "not solved"): a follow-up task for the station staff of
 * the order's region, due within `dueHours`, with the rating attached. Called by the rating use case
 * on the transaction that writes the rating (one per order: unique on source_order_id). Plain SQL,
 * so the rating app needs nothing else of the care context.
 */
export function needsFollowUp(stars: number, solved: boolean): boolean {
  return stars <= 2 || !solved;
}

export async function openFollowUp(
  m: EntityManager,
  input: { orderId: string; ratingId: string; stars: number; solved: boolean; comment: string | null; dueHours: number },
): Promise<string | null> {
  const rows: { id: string }[] = await m.query(
    `INSERT INTO care_visits (beneficiary_id, region_id, kind, reason, due_at, time_zone, source_order_id, data)
     SELECT o.beneficiary_id, o.region_id, 'followup', '评价不满意，请回访', now() + make_interval(hours => $2::int), 'Asia/Shanghai', o.id,
            jsonb_build_object('ratingId', $3::text, 'stars', $4::int, 'solved', $5::boolean, 'comment', $6::text, 'teamId', o.team_id)
       FROM orders o WHERE o.id = $1
     ON CONFLICT (source_order_id) WHERE kind = 'followup' DO NOTHING RETURNING id`,
    [input.orderId, input.dueHours, input.ratingId, input.stars, input.solved, input.comment],
  );
  return rows[0]?.id ?? null;
}
