import type { DispatchScope } from '@xinyuan/orders';

/**
 * Jurisdiction first, widening with time: an order is offered inside its own station first, then its
 * township, then its county, before it escalates to staff. An order outside every region boundary is
 * searched by radius alone (`open`).
 */
export type { DispatchScope };

export interface OrderAncestors {
  stationId: string | null;
  townshipId: string | null;
  countyId: string | null;
}

/** The scopes this order will go through, narrowest first. */
export function scopeChain(a: OrderAncestors): DispatchScope[] {
  const chain: DispatchScope[] = [];
  if (a.stationId) chain.push('station');
  if (a.townshipId) chain.push('township');
  if (a.countyId) chain.push('county');
  return chain.length ? chain : ['open'];
}

/** The region whose subtree a scope searches; null for `open`. */
export function scopeRegionId(scope: DispatchScope, a: OrderAncestors): string | null {
  switch (scope) {
    case 'station':
      return a.stationId;
    case 'township':
      return a.townshipId;
    case 'county':
      return a.countyId;
    case 'open':
      return null;
  }
}

export type ScopeDecision = { action: 'search'; scope: DispatchScope } | { action: 'widen'; from: DispatchScope; to: DispatchScope } | { action: 'escalate' };

/**
 * What dispatch does next in scope `current` (null: the order has not been searched yet):
 * - search it while its window (the service's accept window since the scope began) is open and it
 *   still has candidates;
 * - widen to the next scope when the window has passed or nobody is left in it;
 * - escalate when the widest scope is done.
 */
export function decideScope(
  chain: DispatchScope[],
  current: DispatchScope | null,
  state: { windowElapsed: boolean; candidatesLeft: boolean | null },
): ScopeDecision {
  if (current === null || !chain.includes(current)) return { action: 'search', scope: chain[0] };
  const exhausted = state.windowElapsed || state.candidatesLeft === false;
  if (!exhausted) return { action: 'search', scope: current };
  const next = chain[chain.indexOf(current) + 1];
  return next ? { action: 'widen', from: current, to: next } : { action: 'escalate' };
}

/** The accept window of one offer: shorter for urgent orders, never below the configured minimum. */
export function acceptWindowSeconds(serviceWindowS: number, urgent: boolean, urgentFactor: number, minS: number): number {
  return urgent ? Math.max(minS, Math.round(serviceWindowS * urgentFactor)) : serviceWindowS;
}
