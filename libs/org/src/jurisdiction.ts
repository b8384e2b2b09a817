/**
 * Jurisdiction: which part of the region tree a signed-in person acts for. Pure logic (no Nest, no
 * database) so it is unit-tested directly; `JurisdictionService` feeds it the region facts.
 *
 * - the bootstrap admin (ADMIN_PHONE, no region) sees everything;
 * - an admin whose region is a county root is county-wide (edits the county's menu and skill labels);
 * - objects without a region (old orders and profiles from outside every boundary) belong to the
 *   everything-scope only: no county's staff sees them, county-wide or not;
 * - a dispatcher or admin with a region sees that region's subtree (regions.path holds the ancestors
 *   root first, itself last);
 * - a grid worker (网格员) sees beneficiaries, and the orders placed for them, inside their grid;
 * - anyone else has no jurisdiction: only their own objects.
 */
export type Scope =
  | { kind: 'all' }
  | {
      kind: 'subtree';
      regionId: string;
      /** An admin of a root county: may change that county's menu and skill labels. Never widens what is visible. */
      countyWide: boolean;
    }
  | { kind: 'none' };

export const NO_SCOPE: Scope = { kind: 'none' };
export const ALL_SCOPE: Scope = { kind: 'all' };

export interface ScopeSubject {
  roles: readonly string[];
  regionId: string | null;
}

/** The facts about the person's own region that scoping needs. */
export interface RegionFacts {
  id: string;
  level: string;
  parentId: string | null;
}

/** Scope of staff work (dispatch queue, order review, teams, regions, audit): dispatchers and admins. */
export function staffScope(user: ScopeSubject, region: RegionFacts | null): Scope {
  const admin = user.roles.includes('admin');
  const dispatcher = user.roles.includes('dispatcher');
  if (!admin && !dispatcher) return NO_SCOPE;
  if (!user.regionId) return admin ? ALL_SCOPE : NO_SCOPE;
  if (!region || region.id !== user.regionId) return NO_SCOPE; // the region is gone: fail closed
  return { kind: 'subtree', regionId: region.id, countyWide: admin && region.parentId === null && region.level === 'county' };
}

/** Scope of a grid worker over beneficiaries and their orders: their grid's subtree. */
export function gridScope(user: ScopeSubject, region: RegionFacts | null): Scope {
  if (!user.roles.includes('grid_worker') || !user.regionId || !region || region.id !== user.regionId) return NO_SCOPE;
  return { kind: 'subtree', regionId: region.id, countyWide: false };
}

/** Does the scope cover an object in the region with this path (ancestors root first, itself last; null: no region)? */
export function covers(scope: Scope, regionPath: readonly string[] | null | undefined): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'subtree':
      // an object without a region belongs to the everything-scope alone
      return regionPath ? regionPath.includes(scope.regionId) : false;
  }
}

export function coversAny(scopes: readonly Scope[], regionPath: readonly string[] | null | undefined): boolean {
  return scopes.some((s) => covers(s, regionPath));
}

/** Does the scope reach every object of this one (e.g. may this creator create staff with that scope)? */
export function includesScope(outer: Scope, inner: Scope, innerPath: readonly string[] | null): boolean {
  if (outer.kind === 'all') return true;
  if (outer.kind === 'none' || inner.kind === 'all') return false;
  if (inner.kind === 'none') return true;
  return covers(outer, innerPath) && (!inner.countyWide || outer.countyWide);
}

/**
 * SQL condition "the region column `column` is covered by the scope". Appends its parameter to
 * `params`. Uses the GIN index on regions.path.
 */
export function scopeSql(scope: Scope, column: string, params: unknown[]): string {
  switch (scope.kind) {
    case 'all':
      return 'true';
    case 'none':
      return 'false';
    case 'subtree': {
      params.push(scope.regionId);
      // NULL (no region) is never IN a subtree: region-less objects are the everything-scope's alone
      return `${column} IN (SELECT sr.id FROM regions sr WHERE sr.path @> ARRAY[$${params.length}::uuid])`;
    }
  }
}
