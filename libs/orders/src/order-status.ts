export const ORDER_STATUSES = [
  'pending_review',
  'rejected',
  'dispatching',
  'offered',
  'escalated',
  'accepted',
  'in_service',
  'completed',
  'closed',
  'cancelled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses in which an order still waits for a team: what dispatch and the reconciler look at. */
export const OPEN_STATUSES: OrderStatus[] = ['pending_review', 'dispatching', 'offered', 'escalated'];

/** Statuses in which the order occupies one unit of its team's capacity. */
export const TEAM_HOLDING_STATUSES: OrderStatus[] = ['accepted', 'in_service'];
