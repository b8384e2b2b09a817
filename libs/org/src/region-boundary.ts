import { EntityManager, QueryFailedError } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import { countGeoJsonVertices } from '@xinyuan/geo';

/**
 * The rules a region boundary obeys, so that the region of a point (`region_of_point`: walking down
 * the tree from the roots) can never hand one jurisdiction's people to another:
 *
 * 1. at most `maxVertices` positions (422 BOUNDARY_TOO_COMPLEX) — checked in JS before Postgres sees it;
 * 2. a valid polygon as drawn (400 INVALID_GEOMETRY): invalid rings (self-intersections …) are
 *    refused, never repaired — ST_MakeValid on a crafted ring can hold a core for minutes and does
 *    not answer to cancel; every check runs under `SET LOCAL statement_timeout`;
 * 3. inside the parent's boundary (`ST_CoveredBy`; 422 BOUNDARY_OUTSIDE_PARENT); a parent without
 *    a boundary has no room to give;
 * 4. no shared interior with a sibling (touching edges are allowed; 422 BOUNDARY_OVERLAPS_SIBLING);
 *    counties (roots) are siblings of each other;
 * 5. when a boundary changes: every child with a boundary still inside it (422 BOUNDARY_EXCLUDES_CHILD).
 *
 * Runs in the caller's transaction, after locking the parent (or, for a root, an advisory lock), so
 * two admins cannot draw overlapping siblings at the same time.
 */
export interface BoundaryCheck {
  /** The new region's parent (null: a root county). */
  parentId: string | null;
  /** The region whose boundary changes (absent when creating one). */
  regionId?: string;
  boundary: object;
  maxVertices: number;
  timeoutMs: number;
}

/** Lock key of "the set of root regions" (pg_advisory_xact_lock). */
const ROOTS_LOCK = 0x7265_6731; // 'reg1'

const tooComplex = (maxVertices: number) =>
  new DomainException(ErrorCode.BoundaryTooComplex, 422, undefined, [{ field: 'boundary', messages: [`at most ${maxVertices} positions`] }], { maxVertices });

/** Refuses a boundary with too many positions before any database work. */
export function requireBoundarySize(boundary: object, maxVertices: number): void {
  if (countGeoJsonVertices(boundary) > maxVertices) throw tooComplex(maxVertices);
}

/**
 * Checks a boundary against the rules above; answers the EWKT-free SQL parameter (the GeoJSON text)
 * to insert with `ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($n::text), 4326))::geography`.
 */
export async function checkBoundary(m: EntityManager, check: BoundaryCheck): Promise<string> {
  requireBoundarySize(check.boundary, check.maxVertices);
  const text = JSON.stringify(check.boundary);
  if (check.parentId) await m.query(`SELECT 1 FROM regions WHERE id = $1 FOR UPDATE`, [check.parentId]);
  else await m.query(`SELECT pg_advisory_xact_lock($1)`, [ROOTS_LOCK]);
  // bound the checks (not the wait for the lock, whose holder's checks are bounded the same way);
  // SET LOCAL ends with the transaction
  await m.query(`SELECT set_config('statement_timeout', $1, true)`, [String(check.timeoutMs)]);
  let row: { valid: boolean; reason: string | null; outside_parent: boolean | null; parent_bounded: boolean | null; sibling: string | null; child: string | null };
  try {
    [row] = await m.query(
      `WITH g AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1::text), 4326) AS g),
            v AS (SELECT g.g, ST_IsValid(g.g) AND NOT ST_IsEmpty(g.g) AND ST_Area(g.g) > 0 AS valid FROM g)
       SELECT v.valid,
              CASE WHEN NOT v.valid THEN ST_IsValidReason(v.g) END AS reason,
              (SELECT p.boundary IS NOT NULL FROM regions p WHERE p.id = $2) AS parent_bounded,
              CASE WHEN v.valid THEN (SELECT NOT ST_CoveredBy(v.g, p.boundary::geometry) FROM regions p WHERE p.id = $2 AND p.boundary IS NOT NULL) END AS outside_parent,
              CASE WHEN v.valid THEN (SELECT s.name FROM regions s
                WHERE s.parent_id IS NOT DISTINCT FROM $2::uuid AND s.id IS DISTINCT FROM $3::uuid AND s.boundary IS NOT NULL
                  AND s.boundary::geometry && v.g AND ST_Relate(s.boundary::geometry, v.g, 'T********')
                ORDER BY s.name LIMIT 1) END AS sibling,
              CASE WHEN v.valid AND $3::uuid IS NOT NULL THEN (SELECT c.name FROM regions c
                WHERE c.parent_id = $3::uuid AND c.boundary IS NOT NULL AND NOT ST_CoveredBy(c.boundary::geometry, v.g)
                ORDER BY c.name LIMIT 1) END AS child
         FROM v`,
      [text, check.parentId, check.regionId ?? null],
    );
  } catch (e) {
    if (e instanceof QueryFailedError && (e as QueryFailedError & { code?: string }).code === '57014') throw tooComplex(check.maxVertices);
    if (e instanceof QueryFailedError) throw invalid('not a valid polygon');
    throw e;
  }
  if (!row.valid) throw invalid(row.reason ?? 'not a valid polygon');
  if (check.parentId && !row.parent_bounded) {
    throw new DomainException(ErrorCode.BoundaryOutsideParent, 422, '上级区域还没有边界，请先给上级区域画上边界', [
      { field: 'boundary', messages: ['the parent region has no boundary to lie inside'] },
    ]);
  }
  if (row.outside_parent) {
    throw new DomainException(ErrorCode.BoundaryOutsideParent, 422, undefined, [{ field: 'boundary', messages: ['must lie inside the parent region'] }]);
  }
  if (row.sibling) {
    throw new DomainException(ErrorCode.BoundaryOverlapsSibling, 422, `区域边界与同级区域「${row.sibling}」重叠`, [
      { field: 'boundary', messages: ['overlaps a sibling region (touching edges are allowed)'] },
    ]);
  }
  if (row.child) {
    throw new DomainException(ErrorCode.BoundaryExcludesChild, 422, `新边界没有完整包住下级区域「${row.child}」`, [
      { field: 'boundary', messages: ['must still cover every sub-region'] },
    ]);
  }
  return text;
}

function invalid(reason: string): DomainException {
  // the reason names the first problem GEOS found (e.g. "Self-intersection[120.1 31.2]")
  return new DomainException(ErrorCode.InvalidGeometry, 400, `区域边界不是合法的多边形（${reason}）`, [{ field: 'boundary', messages: [reason] }]);
}

/** 422 OUT_OF_SERVICE_AREA: a point inside no region of the deployment (orders, beneficiary profiles; the resident H5 words it). */
export function outOfServiceArea(): DomainException {
  return new DomainException(ErrorCode.OutOfServiceArea, 422, undefined, [{ field: 'location', messages: ['outside every region of the service area'] }]);
}
