export interface LatLng {
  lat: number;
  lng: number;
}

/** GeoJSON point as TypeORM reads and writes geography columns. */
export interface GeoJsonPoint {
  type: 'Point';
  coordinates: [number, number];
}

export function toGeoJsonPoint(p: LatLng): GeoJsonPoint {
  return { type: 'Point', coordinates: [p.lng, p.lat] };
}

export function fromGeoJsonPoint(p: GeoJsonPoint | string | null | undefined): LatLng | null {
  if (!p) return null;
  const point = typeof p === 'string' ? (JSON.parse(p) as GeoJsonPoint) : p;
  return { lat: point.coordinates[1], lng: point.coordinates[0] };
}

/** EWKT for a parameterised `$n::geography`: `SRID=4326;POINT(lng lat)`. */
export function toEwkt(p: LatLng): string {
  return `SRID=4326;POINT(${p.lng} ${p.lat})`;
}

/**
 * The location a team sees before it accepts: snapped to a ~1 km grid (0.01°), so an elder living
 * alone cannot be pinpointed from an offer.
 */
export function coarsen(p: LatLng, step = 0.01): LatLng {
  const snap = (v: number) => Math.round(Math.round(v / step) * step * 1e6) / 1e6;
  return { lat: snap(p.lat), lng: snap(p.lng) };
}
