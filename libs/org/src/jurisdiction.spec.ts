import { covers, coversAny, gridScope, includesScope, scopeSql, staffScope } from './jurisdiction';

const COUNTY = { id: 'c', level: 'county', parentId: null };
const TOWNSHIP = { id: 't', level: 'township', parentId: 'c' };
const VILLAGE = { id: 'v', level: 'village', parentId: 't' };
const path = { county: ['c'], township: ['c', 't'], village: ['c', 't', 'v'], otherTownship: ['c', 'u'], otherCounty: ['x'] };

describe('jurisdiction', () => {
  it('the bootstrap admin (no region) sees everything, objects without a region included', () => {
    const s = staffScope({ roles: ['admin'], regionId: null }, null);
    expect(s).toEqual({ kind: 'all' });
    for (const p of [...Object.values(path), null]) expect(covers(s, p)).toBe(true);
  });

  it('a county-root admin sees the county but not the orders outside every boundary (the everything-scope only); a county dispatcher only the county', () => {
    const admin = staffScope({ roles: ['admin'], regionId: 'c' }, COUNTY);
    const dispatcher = staffScope({ roles: ['dispatcher'], regionId: 'c' }, COUNTY);
    expect(covers(admin, path.village)).toBe(true);
    expect(covers(admin, null)).toBe(false);
    expect(covers(admin, path.otherCounty)).toBe(false);
    expect(covers(dispatcher, path.otherTownship)).toBe(true);
    expect(covers(dispatcher, null)).toBe(false);
  });

  it('a township dispatcher sees its township and below, nothing beside or above it', () => {
    const s = staffScope({ roles: ['dispatcher'], regionId: 't' }, TOWNSHIP);
    expect(covers(s, path.township)).toBe(true);
    expect(covers(s, path.village)).toBe(true);
    expect(covers(s, path.county)).toBe(false);
    expect(covers(s, path.otherTownship)).toBe(false);
    expect(covers(s, path.otherCounty)).toBe(false);
    expect(covers(s, null)).toBe(false);
    // a township admin is not county-wide either
    expect(covers(staffScope({ roles: ['admin'], regionId: 't' }, TOWNSHIP), null)).toBe(false);
  });

  it('residents, volunteers and grid workers have no staff scope; a dispatcher without region or with a vanished one sees nothing', () => {
    for (const roles of [['resident'], ['volunteer'], ['grid_worker'], []]) {
      expect(staffScope({ roles, regionId: 't' }, TOWNSHIP)).toEqual({ kind: 'none' });
    }
    expect(staffScope({ roles: ['dispatcher'], regionId: null }, null)).toEqual({ kind: 'none' });
    expect(staffScope({ roles: ['dispatcher'], regionId: 't' }, null)).toEqual({ kind: 'none' });
    expect(staffScope({ roles: ['admin'], regionId: 't' }, VILLAGE)).toEqual({ kind: 'none' });
    for (const p of [...Object.values(path), null]) expect(covers({ kind: 'none' }, p)).toBe(false);
  });

  it('a grid worker covers their grid only', () => {
    const s = gridScope({ roles: ['grid_worker'], regionId: 'v' }, VILLAGE);
    expect(covers(s, path.village)).toBe(true);
    expect(covers(s, [...path.village, 'point'])).toBe(true);
    expect(covers(s, path.township)).toBe(false);
    expect(covers(s, null)).toBe(false);
    expect(gridScope({ roles: ['resident'], regionId: 'v' }, VILLAGE)).toEqual({ kind: 'none' });
    expect(gridScope({ roles: ['grid_worker'], regionId: null }, null)).toEqual({ kind: 'none' });
  });

  it('coversAny and includesScope', () => {
    const township = staffScope({ roles: ['dispatcher'], regionId: 't' }, TOWNSHIP);
    const grid = gridScope({ roles: ['grid_worker'], regionId: 'v' }, VILLAGE);
    expect(coversAny([{ kind: 'none' }, grid], path.village)).toBe(true);
    expect(coversAny([township, grid], path.otherTownship)).toBe(false);
    expect(includesScope({ kind: 'all' }, township, path.township)).toBe(true);
    expect(includesScope(township, grid, path.village)).toBe(true);
    expect(includesScope(grid, township, path.township)).toBe(false);
    expect(includesScope(township, { kind: 'all' }, null)).toBe(false);
  });

  it('scopeSql: a parameterised subtree condition, nothing for all, false for none', () => {
    const params: unknown[] = ['x'];
    expect(scopeSql({ kind: 'all' }, 'o.region_id', params)).toBe('true');
    expect(scopeSql({ kind: 'none' }, 'o.region_id', params)).toBe('false');
    expect(params).toEqual(['x']);
    const sql = scopeSql({ kind: 'subtree', regionId: 't', countyWide: false }, 'o.region_id', params);
    expect(params).toEqual(['x', 't']);
    expect(sql).toContain('$2::uuid');
    expect(sql).not.toContain('IS NULL');
    // a county-wide admin's condition does not reach region-less rows either
    expect(scopeSql({ kind: 'subtree', regionId: 'c', countyWide: true }, 'o.region_id', params)).not.toContain('IS NULL');
  });
});
