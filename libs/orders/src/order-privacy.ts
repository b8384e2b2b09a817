import type { OrderStatus } from './order-status';

const DAY_MS = 24 * 3600 * 1000;

/**
 * What the team an order was given to sees of it. Pure, so it is unit-tested directly.
 * - while it serves (accepted, in service): everything, exact address and phone included;
 * - once completed (or closed by a rating): everything for `retentionDays` after completion, then only
 *   the coarse view — the team needs the address to come back with a forgotten tool, not for ever;
 * - in any other status (cancelled, re-dispatched …): nothing from this rule.
 */
export function teamSeesContact(status: OrderStatus, completedAt: Date | null, retentionDays: number, now: Date): 'full' | 'coarse' | 'none' {
  if (status === 'accepted' || status === 'in_service') return 'full';
  if (status !== 'completed' && status !== 'closed') return 'none';
  if (!completedAt) return 'coarse';
  return now.getTime() - completedAt.getTime() < retentionDays * DAY_MS ? 'full' : 'coarse';
}
