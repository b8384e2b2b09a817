import { coarsen, LatLng } from '@xinyuan/geo';
import type { OrderVisibility } from './order-access';
import type { OrderRecord } from './order-record';
import type { OrderStatus } from './order-status';
import type { TimelineDetails } from './timeline-details';

export interface TimelineEntry {
  type: string;
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus | null;
  at: string;
  actorRole: string;
  note: string | null;
  /** Staff of the order's jurisdiction only: the entry's facts (teams by name, distance, reason …). */
  details?: TimelineDetails | null;
}

export interface OrderView {
  id: string;
  status: OrderStatus;
  version: number;
  urgent: boolean;
  /** Jurisdiction dispatch is currently searching: station → township → county. */
  dispatchScope: string | null;
  serviceCode: string;
  serviceName: string;
  description: string;
  area: string | null;
  regionId: string | null;
  coarseLocation: LatLng;
  /** Exact location, address and phone: only for `full` visibility (the phone masked in lists). */
  location?: LatLng;
  address?: string;
  contactPhone?: string;
  /** The beneficiary profile the order is for, and whether it was placed on their behalf (代点单): `full` only. */
  beneficiaryId?: string | null;
  onBehalf?: boolean;
  preferredStart: string | null;
  preferredEnd: string | null;
  team: { id: string; name: string } | null;
  createdAt: string;
  updatedAt: string;
  timeline?: TimelineEntry[];
}

export interface OrderViewContext {
  serviceName: string;
  area: string | null;
  teamName: string | null;
  timeline?: TimelineEntry[];
  /** The contact phone in clear (or masked, for lists); used with `full` visibility only. */
  contactPhone?: string | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** Projects an order for a caller; personal data leaves the server only with `full` visibility. */
export function toOrderView(order: OrderRecord, visibility: OrderVisibility, ctx: OrderViewContext): OrderView {
  const showTeam = order.teamId && ['accepted', 'in_service', 'completed', 'closed', 'cancelled'].includes(order.status);
  const view: OrderView = {
    id: order.id,
    status: order.status,
    version: order.version,
    urgent: order.urgent,
    dispatchScope: order.dispatchScope,
    serviceCode: order.serviceCode,
    serviceName: ctx.serviceName,
    description: order.description,
    area: ctx.area,
    regionId: order.regionId,
    coarseLocation: coarsen(order.location),
    preferredStart: iso(order.preferredStart),
    preferredEnd: iso(order.preferredEnd),
    team: showTeam ? { id: order.teamId!, name: ctx.teamName ?? '' } : null,
    createdAt: iso(order.createdAt)!,
    updatedAt: iso(order.updatedAt)!,
  };
  if (visibility === 'full') {
    view.location = order.location;
    view.address = order.address;
    if (ctx.contactPhone) view.contactPhone = ctx.contactPhone;
    view.beneficiaryId = order.beneficiaryId;
    view.onBehalf = order.onBehalf;
  }
  if (ctx.timeline) view.timeline = ctx.timeline;
  return view;
}
