import { registerDecorator, ValidationOptions } from 'class-validator';
import { isGeoJsonPolygonal } from '@xinyuan/geo';

export function IsGeoJsonPolygon(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isGeoJsonPolygon',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be a GeoJSON Polygon or MultiPolygon with closed rings`, ...options },
      validator: { validate: (value: unknown) => isGeoJsonPolygonal(value) },
    });
}
