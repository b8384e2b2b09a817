import { fromGeoJsonPoint, GeoJsonPoint, LatLng } from '@xinyuan/geo';
import type { OrderStatus } from './order-status';
import type { DispatchScope, OrderRow } from './order.tables';

/** An order row as the domain uses it (read with `ORDER_COLUMNS`). */
export interface OrderRecord {
  id: string;
  residentId: string;
  serviceId: string;
  serviceCode: string;
  description: string;
  location: LatLng;
  address: string;
  /**
   * As stored: a PiiCipher ciphertext (`v1:…`). Orders that defaulted to the account's phone copy that
   * column as it is stored; `openContactPhone` reads both.
   */
  contactPhoneStored: string;
  /** The beneficiary profile (一人一档) the order was placed for, if any. */
  beneficiaryId: string | null;
  /** 代点单: placed by a grid worker or staff on the beneficiary's behalf. */
  onBehalf: boolean;
  preferredStart: Date | null;
  preferredEnd: Date | null;
  regionId: string | null;
  status: OrderStatus;
  version: number;
  teamId: string | null;
  dispatchAttempts: number;
  urgent: boolean;
  /** Widening scope of dispatch (station → township → county), null before the first search. */
  dispatchScope: DispatchScope | null;
  scopeStartedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Select list (for `orders o`) that `toOrderRecord` maps. */
export const ORDER_COLUMNS = `o.id, o.resident_id, o.service_id, o.service_code, o.description,
  ST_AsGeoJSON(o.location)::json AS location, o.address, o.contact_phone, o.preferred_start, o.preferred_end,
  o.region_id, o.status, o.version, o.team_id, o.dispatch_attempts, o.urgent, o.dispatch_scope, o.scope_started_at,
  o.beneficiary_id, o.on_behalf, o.created_at, o.updated_at`;

/** The same list for a `RETURNING` clause (no alias). */
export const ORDER_RETURNING = ORDER_COLUMNS.replace(/\bo\./g, '');

/** An order row as `ORDER_COLUMNS` / `ORDER_RETURNING` select it (location as GeoJSON). */
export type OrderColumns = Omit<OrderRow, 'location'> & { location: GeoJsonPoint };

export function toOrderRecord(row: OrderColumns): OrderRecord {
  return {
    id: row.id,
    residentId: row.resident_id,
    serviceId: row.service_id,
    serviceCode: row.service_code,
    description: row.description,
    location: fromGeoJsonPoint(row.location)!,
    address: row.address,
    contactPhoneStored: row.contact_phone,
    beneficiaryId: row.beneficiary_id ?? null,
    onBehalf: row.on_behalf ?? false,
    preferredStart: row.preferred_start,
    preferredEnd: row.preferred_end,
    regionId: row.region_id,
    status: row.status,
    version: row.version,
    teamId: row.team_id,
    dispatchAttempts: row.dispatch_attempts,
    urgent: row.urgent,
    dispatchScope: row.dispatch_scope,
    scopeStartedAt: row.scope_started_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
