import { OrderStatus } from './order-status';

/**
 * Every way an order can change status. The lifecycle (docs/architecture.md), as data:
 *
 *   pending_review ─approve→ dispatching ─offer→ offered ─accept→ accepted ─check_in→ in_service
 *   ─complete→ completed ─rate / auto_close→ closed; decline / expire send an offered order back to
 *   dispatching; no candidate left escalates; staff assign from escalated; cancel before in_service.
 */
export const ORDER_TRANSITIONS = {
  approve: { from: ['pending_review'], to: 'dispatching' },
  reject: { from: ['pending_review'], to: 'rejected' },
  offer: { from: ['dispatching'], to: 'offered' },
  assign: { from: ['dispatching', 'offered', 'escalated'], to: 'offered' },
  decline: { from: ['offered'], to: 'dispatching' },
  expire_offer: { from: ['offered'], to: 'dispatching' },
  escalate: { from: ['dispatching'], to: 'escalated' },
  accept: { from: ['offered'], to: 'accepted' },
  check_in: { from: ['accepted'], to: 'in_service' },
  complete: { from: ['in_service'], to: 'completed' },
  rate: { from: ['completed'], to: 'closed' },
  auto_close: { from: ['completed'], to: 'closed' },
  cancel: { from: ['pending_review', 'dispatching', 'offered', 'escalated', 'accepted'], to: 'cancelled' },
} as const satisfies Record<string, { from: readonly OrderStatus[]; to: OrderStatus }>;

export type OrderAction = keyof typeof ORDER_TRANSITIONS;

/** Where a new order starts: in review when its menu item asks for one, otherwise straight in dispatch. */
export const ORDER_ENTRY = { reviewed: 'pending_review', direct: 'dispatching' } as const satisfies Record<string, OrderStatus>;

export function initialStatus(requiresReview: boolean): OrderStatus {
  return requiresReview ? ORDER_ENTRY.reviewed : ORDER_ENTRY.direct;
}
export const ORDER_ACTIONS = Object.keys(ORDER_TRANSITIONS) as OrderAction[];

/** The status an action leads to from `from`, or null when the lifecycle forbids it. */
export function nextStatus(from: OrderStatus, action: OrderAction): OrderStatus | null {
  const rule = ORDER_TRANSITIONS[action];
  return (rule.from as readonly OrderStatus[]).includes(from) ? rule.to : null;
}

export function canTransition(from: OrderStatus, action: OrderAction): boolean {
  return nextStatus(from, action) !== null;
}

/** Statuses a given status can reach in one step (for docs, tests and the console). */
export function reachableFrom(from: OrderStatus): OrderStatus[] {
  const out = new Set<OrderStatus>();
  for (const action of ORDER_ACTIONS) {
    const to = nextStatus(from, action);
    if (to) out.add(to);
  }
  return [...out];
}
