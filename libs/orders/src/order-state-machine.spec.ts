import { canTransition, initialStatus, nextStatus, ORDER_ACTIONS, ORDER_ENTRY, OrderAction, reachableFrom } from './order-state-machine';
import { ORDER_STATUSES, OrderStatus } from './order-status';

/** The lifecycle (docs/architecture.md), written out as the full table of allowed moves. */
const ALLOWED: Record<OrderStatus, Partial<Record<OrderAction, OrderStatus>>> = {
  pending_review: { approve: 'dispatching', reject: 'rejected', cancel: 'cancelled' },
  rejected: {},
  dispatching: { offer: 'offered', assign: 'offered', escalate: 'escalated', cancel: 'cancelled' },
  offered: { assign: 'offered', decline: 'dispatching', expire_offer: 'dispatching', accept: 'accepted', cancel: 'cancelled' },
  escalated: { assign: 'offered', cancel: 'cancelled' },
  accepted: { check_in: 'in_service', cancel: 'cancelled' },
  in_service: { complete: 'completed' },
  completed: { rate: 'closed', auto_close: 'closed' },
  closed: {},
  cancelled: {},
};

describe('order state machine', () => {
  const cases = ORDER_STATUSES.flatMap((from) => ORDER_ACTIONS.map((action) => [from, action] as const));

  it.each(cases)('%s --%s-->', (from, action) => {
    const expected = ALLOWED[from][action] ?? null;
    expect(nextStatus(from, action)).toBe(expected);
    expect(canTransition(from, action)).toBe(expected !== null);
  });

  it('has terminal states with no way out', () => {
    for (const s of ['rejected', 'closed', 'cancelled'] as OrderStatus[]) expect(reachableFrom(s)).toEqual([]);
  });

  it('never lets an order be cancelled once service has started', () => {
    expect(canTransition('in_service', 'cancel')).toBe(false);
    expect(canTransition('completed', 'cancel')).toBe(false);
  });

  it('starts an order in review only when its menu item asks for one', () => {
    expect(initialStatus(true)).toBe('pending_review');
    expect(initialStatus(false)).toBe('dispatching');
  });

  it('reaches every status from the entry statuses', () => {
    const seen = new Set<OrderStatus>(Object.values(ORDER_ENTRY));
    const frontier: OrderStatus[] = [...seen];
    while (frontier.length) {
      for (const next of reachableFrom(frontier.pop()!)) {
        if (!seen.has(next)) {
          seen.add(next);
          frontier.push(next);
        }
      }
    }
    expect([...seen].sort()).toEqual([...ORDER_STATUSES].sort());
  });
});
