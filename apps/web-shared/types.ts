/**
 * Response shapes, taken as types from the backend itself (erased at build time): the generated
 * OpenAPI schema types the requests; these type what comes back.
 */
export type { OrderView, TimelineEntry } from '../../libs/orders/src/order-view';
export type { OrderStatus } from '../../libs/orders/src/order-status';
export type { OfferView } from '../../libs/dispatch/src/offer-queries';
export type { RankedCandidate, ScoreBreakdown, DispatchWeights } from '../../libs/dispatch/src/candidate-ranking';
export type { ServiceView } from '../../libs/catalog/src/catalog.service';
export type { LiveQueueItem, LiveQueueSnapshot } from '../api/src/live-queue/live-queue.queries';
export type { Dashboard } from '../api/src/stats/dashboard';
export type { FeatureCollection, Feature } from '../api/src/map/map.queries';
export type { AgeBand, BeneficiaryListItem, BeneficiaryTag, BeneficiaryView, Guardian } from '../../libs/beneficiaries/src/beneficiary-policy';

export interface LatLng {
  lat: number;
  lng: number;
}

export interface ApiError {
  statusCode: number;
  code: string;
  message: string;
  fields?: { field: string; messages: string[] }[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
