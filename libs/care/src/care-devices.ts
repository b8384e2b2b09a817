import type { CheckInSource } from './care-policy';

/** A check-in device's key as officials list it (the key itself is shown once, at creation). */
export interface DeviceKeyView {
  id: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
  lastCheckInAt: string | null;
}

export function toDeviceKeyView(row: { id: string; name: string; created_at: Date; revoked_at: Date | null; last_check_in_at: Date | null }): DeviceKeyView {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return { id: row.id, name: row.name, createdAt: iso(row.created_at)!, revokedAt: iso(row.revoked_at), lastCheckInAt: iso(row.last_check_in_at) };
}

/**
 * A device (a water meter, a door sensor) saying "usage seen" is not a person saying "I am well":
 * once the ladder reached stage 2 (someone was sent to look), only a person closes the alert.
 * The stage a device check-in resolves below, or null when the source resolves any stage.
 */
export const DEVICE_RESOLVES_BELOW_STAGE = 2;
export function deviceMayResolveBelowStage(source: CheckInSource): number | null {
  return source === 'device' ? DEVICE_RESOLVES_BELOW_STAGE : null;
}
