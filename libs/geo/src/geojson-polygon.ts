/** Structural check of a GeoJSON Polygon or MultiPolygon before it reaches PostGIS. */
export function isGeoJsonPolygonal(value: unknown): boolean {
  if (!value || typeof value !== 'object') return false;
  const g = value as { type?: unknown; coordinates?: unknown };
  const isPosition = (p: unknown) =>
    Array.isArray(p) && p.length >= 2 && p.every((n) => typeof n === 'number' && Number.isFinite(n)) &&
    Math.abs(p[0] as number) <= 180 && Math.abs(p[1] as number) <= 90;
  const isRing = (r: unknown) => {
    if (!Array.isArray(r) || r.length < 4 || !r.every(isPosition)) return false;
    const [first, last] = [r[0] as number[], r[r.length - 1] as number[]];
    return first[0] === last[0] && first[1] === last[1];
  };
  const isPolygon = (c: unknown) => Array.isArray(c) && c.length >= 1 && c.every(isRing);
  if (g.type === 'Polygon') return isPolygon(g.coordinates);
  if (g.type === 'MultiPolygon') return Array.isArray(g.coordinates) && g.coordinates.length >= 1 && g.coordinates.every(isPolygon);
  return false;
}

/** Number of positions in a GeoJSON Polygon or MultiPolygon (closing positions included); 0 for anything else. */
export function countGeoJsonVertices(value: unknown): number {
  const g = value as { type?: unknown; coordinates?: unknown } | null;
  if (!g || typeof g !== 'object' || !Array.isArray(g.coordinates)) return 0;
  const ringsOf = (polygon: unknown): number =>
    Array.isArray(polygon) ? polygon.reduce((n: number, ring: unknown) => n + (Array.isArray(ring) ? ring.length : 0), 0) : 0;
  if (g.type === 'Polygon') return ringsOf(g.coordinates);
  if (g.type === 'MultiPolygon') return g.coordinates.reduce((n: number, p: unknown) => n + ringsOf(p), 0);
  return 0;
}
