export * from './geo';
export * from './lat-lng.dto';
export * from './geojson-polygon';
