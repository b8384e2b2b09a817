import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import { covers, gridScope, RegionFacts, Scope, ScopeSubject, staffScope } from './jurisdiction';

interface CachedRegion extends RegionFacts {
  path: string[];
  at: number;
}

/** Region facts change only when an admin re-parents a region; a short cache keeps checks off the database. */
const CACHE_MS = 30_000;
const CACHE_MAX = 20_000;

/** Resolves the jurisdiction of a caller and checks objects against it (see `jurisdiction.ts`). */
@Injectable()
export class JurisdictionService {
  private readonly cache = new Map<string, CachedRegion>();

  constructor(private readonly dataSource: DataSource) {}

  async region(regionId: string | null | undefined, m: EntityManager = this.dataSource.manager): Promise<CachedRegion | null> {
    if (!regionId) return null;
    const hit = this.cache.get(regionId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit;
    const [row] = await m.query(`SELECT id, level, parent_id, path FROM regions WHERE id = $1`, [regionId]);
    if (!row) {
      this.cache.delete(regionId);
      return null;
    }
    const region: CachedRegion = { id: row.id, level: row.level, parentId: row.parent_id, path: row.path, at: Date.now() };
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(regionId, region);
    return region;
  }

  /** Ancestors root first, itself last; null for no region (or an unknown one). */
  async pathOf(regionId: string | null | undefined, m?: EntityManager): Promise<string[] | null> {
    return (await this.region(regionId, m))?.path ?? null;
  }

  async staffScope(user: ScopeSubject, m?: EntityManager): Promise<Scope> {
    if (!user.roles.includes('admin') && !user.roles.includes('dispatcher')) return { kind: 'none' };
    return staffScope(user, await this.region(user.regionId, m));
  }

  async gridScope(user: ScopeSubject, m?: EntityManager): Promise<Scope> {
    if (!user.roles.includes('grid_worker')) return { kind: 'none' };
    return gridScope(user, await this.region(user.regionId, m));
  }

  /** Staff scope covers the region (null: an object outside every boundary). */
  async staffCovers(user: ScopeSubject, regionId: string | null, m?: EntityManager): Promise<boolean> {
    const scope = await this.staffScope(user, m);
    if (scope.kind !== 'subtree') return scope.kind === 'all';
    return covers(scope, await this.pathOf(regionId, m));
  }

  async gridCovers(user: ScopeSubject, regionId: string | null, m?: EntityManager): Promise<boolean> {
    const scope = await this.gridScope(user, m);
    if (scope.kind !== 'subtree') return false;
    return covers(scope, await this.pathOf(regionId, m));
  }

  /** For writes into a region (create a team, a sub-region, staff): 403 OUTSIDE_JURISDICTION when not covered. */
  async requireStaffCovers(user: ScopeSubject, regionId: string | null, m?: EntityManager): Promise<void> {
    if (!(await this.staffCovers(user, regionId, m))) throw new DomainException(ErrorCode.OutsideJurisdiction, 403);
  }
}
