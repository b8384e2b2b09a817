import { col, nullable, Row, table } from '@xinyuan/common';
import type { ScoreBreakdown } from './candidate-ranking';

export const OFFER_STATUSES = ['pending', 'accepted', 'declined', 'expired', 'withdrawn'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

/**
 * An offer of an order to a team (派单), with the score that chose it. At most one pending offer per
 * order in `offer` mode (unique partial index); several at once in `grab` mode (抢单).
 */
export const OFFERS = table('offers', {
  id: col.uuid(),
  order_id: col.uuid(),
  team_id: col.uuid(),
  status: col.text<OfferStatus>(),
  source: col.text<'auto' | 'manual'>(),
  score: col.double(),
  score_breakdown: col.jsonb<ScoreBreakdown>(),
  distance_m: nullable(col.double()),
  expires_at: col.timestamptz(),
  created_at: col.timestamptz(),
  responded_at: nullable(col.timestamptz()),
  responded_by: nullable(col.uuid()),
  reason: nullable(col.text()),
  mode: col.text<'offer' | 'grab'>(),
});
export type OfferRow = Row<typeof OFFERS>;
