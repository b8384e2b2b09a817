import { coarsen, fromGeoJsonPoint, toEwkt, toGeoJsonPoint } from './geo';
import { countGeoJsonVertices, isGeoJsonPolygonal } from './geojson-polygon';

describe('geo helpers', () => {
  it('coarsens a location to a ~1 km grid so an address cannot be pinpointed', () => {
    expect(coarsen({ lat: 30.63847, lng: 119.68172 })).toEqual({ lat: 30.64, lng: 119.68 });
    const a = coarsen({ lat: 30.6351, lng: 119.6849 });
    const b = coarsen({ lat: 30.6449, lng: 119.6751 });
    expect(a).toEqual(b);
  });

  it('round-trips GeoJSON points and writes EWKT with lng first', () => {
    const p = { lat: 30.5, lng: 119.7 };
    expect(fromGeoJsonPoint(toGeoJsonPoint(p))).toEqual(p);
    expect(toEwkt(p)).toBe('SRID=4326;POINT(119.7 30.5)');
  });

  it('accepts closed polygons and rejects open rings, bad coordinates and other types', () => {
    const ring = [[119.5, 30.5], [119.9, 30.5], [119.9, 30.8], [119.5, 30.5]];
    expect(isGeoJsonPolygonal({ type: 'Polygon', coordinates: [ring] })).toBe(true);
    expect(isGeoJsonPolygonal({ type: 'MultiPolygon', coordinates: [[ring]] })).toBe(true);
    expect(isGeoJsonPolygonal({ type: 'Polygon', coordinates: [ring.slice(0, 3)] })).toBe(false);
    expect(isGeoJsonPolygonal({ type: 'Polygon', coordinates: [[[200, 30], [119.9, 30.5], [119.9, 30.8], [200, 30]]] })).toBe(false);
    expect(isGeoJsonPolygonal({ type: 'Point', coordinates: [119, 30] })).toBe(false);
    expect(isGeoJsonPolygonal('Polygon')).toBe(false);
  });
});

describe('countGeoJsonVertices', () => {
  it('counts every position of every ring of a Polygon or MultiPolygon, and nothing of other values', () => {
    const ring = [[119.5, 30.5], [119.9, 30.5], [119.9, 30.8], [119.5, 30.5]];
    expect(countGeoJsonVertices({ type: 'Polygon', coordinates: [ring, ring] })).toBe(8);
    expect(countGeoJsonVertices({ type: 'MultiPolygon', coordinates: [[ring], [ring, ring]] })).toBe(12);
    expect(countGeoJsonVertices({ type: 'Point', coordinates: [1, 2] })).toBe(0);
    expect(countGeoJsonVertices(null)).toBe(0);
  });
});
