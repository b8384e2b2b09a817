/**
 * What the audit log records about a request, derived from the route alone. Pure, so it is
 * unit-tested directly; the Fastify hook (`audit-http.ts`) and the use cases feed it.
 */

export type AuditOutcome = 'success' | 'denied' | 'rejected' | 'error';

/** Roles whose every write (non-GET request) is audited, whatever the route. */
export const AUDITED_ROLES: readonly string[] = ['dispatcher', 'admin', 'grid_worker'];

/** Routes whose writes are audited for everyone (personal data of people served). */
const ALWAYS_AUDITED_PREFIXES = ['/api/v1/beneficiaries'];

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function shouldAuditRequest(method: string, route: string, roles: readonly string[] | undefined): boolean {
  if (READ_METHODS.has(method.toUpperCase())) return false;
  if (roles?.some((r) => AUDITED_ROLES.includes(r))) return true;
  return !!roles && ALWAYS_AUDITED_PREFIXES.some((p) => route === p || route.startsWith(`${p}/`));
}

export function outcomeOf(statusCode: number): AuditOutcome {
  if (statusCode < 400) return 'success';
  if (statusCode === 401 || statusCode === 403 || statusCode === 404) return 'denied';
  if (statusCode < 500) return 'rejected';
  return 'error';
}

const SINGULAR: Record<string, string> = {
  orders: 'order',
  offers: 'offer',
  teams: 'team',
  regions: 'region',
  services: 'service',
  staff: 'user',
  beneficiaries: 'beneficiary',
  users: 'user',
  audit: 'audit',
  auth: 'auth',
  dispatch: 'dispatch',
};

const CREATE_VERB: Record<string, string> = { POST: 'create', PUT: 'replace', PATCH: 'update', DELETE: 'delete' };

/** Explicit names where the generic rule reads badly. */
const NAMED: Record<string, string> = {
  'POST /api/v1/orders': 'order.place',
  'POST /api/v1/staff': 'staff.create',
  'DELETE /api/v1/beneficiaries/:id': 'beneficiary.archive',
  'POST /api/v1/teams/:id/members': 'team.add_member',
  'PATCH /api/v1/teams/:id/members/:userId': 'team.update_member',
  'DELETE /api/v1/teams/:id/members/:userId': 'team.remove_member',
  'PATCH /api/v1/staff/:id': 'staff.update',
  'POST /api/v1/staff/:id/password': 'staff.reset_password',
};

/**
 * `POST /api/v1/orders/:id/assign` → { action: 'order.assign', objectType: 'order' };
 * `PATCH /api/v1/beneficiaries/:id` → 'beneficiary.update'; `POST /api/v1/teams` → 'team.create'.
 */
export function describeRoute(method: string, route: string): { action: string; objectType: string | null } {
  const m = method.toUpperCase();
  const parts = route.replace(/^\/api\/v\d+\//, '').split('/').filter(Boolean);
  const resource = parts[0] ?? '';
  const objectType = SINGULAR[resource] ?? (resource || null);
  const named = NAMED[`${m} ${route}`];
  if (named) return { action: named, objectType };
  const last = parts[parts.length - 1];
  const verb = parts.length > 1 && !last.startsWith(':') ? last.replace(/-/g, '_') : (CREATE_VERB[m] ?? m.toLowerCase());
  return { action: `${objectType ?? 'request'}.${verb}`, objectType };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The object a request acted on: the `:id` of the route, else (a creation) the id the response
 * returned. Never anything that is not a UUID.
 */
export function objectIdOf(params: Record<string, unknown> | undefined, responseBody: unknown): string | null {
  const fromParams = params?.id;
  if (typeof fromParams === 'string' && UUID.test(fromParams)) return fromParams.toLowerCase();
  if (responseBody && typeof responseBody === 'object') {
    const b = responseBody as Record<string, unknown>;
    for (const key of ['id', 'userId']) {
      if (typeof b[key] === 'string' && UUID.test(b[key] as string)) return (b[key] as string).toLowerCase();
    }
  }
  return null;
}

/** User agents are free text from the client: bounded. */
export function clipUserAgent(ua: unknown): string | null {
  return typeof ua === 'string' && ua.length ? ua.slice(0, 300) : null;
}
