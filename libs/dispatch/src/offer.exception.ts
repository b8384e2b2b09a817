import { DomainException, ErrorCode } from '@xinyuan/common';

/** A pending offer as staff are told about it (to confirm its withdrawal). */
export interface PendingOfferRef {
  offerId: string;
  teamId: string;
  teamName: string;
  expiresAt: string;
}

export const OfferErrors = {
  notFound: () => DomainException.notFound(ErrorCode.OfferNotFound),
  notPending: (status: string) => DomainException.conflict(ErrorCode.OfferNotPending, undefined, { offerStatus: status }),
  expired: () => DomainException.conflict(ErrorCode.OfferExpired),
  teamAtCapacity: () => DomainException.conflict(ErrorCode.TeamAtCapacity),
  teamNotFound: () => DomainException.notFound(ErrorCode.TeamNotFound),
  teamInactive: () => DomainException.conflict(ErrorCode.TeamInactive),
  teamLacksSkills: (missing: string[]) =>
    new DomainException(ErrorCode.TeamLacksSkills, 422, undefined, [{ field: 'teamId', messages: [`the team lacks ${missing.join(', ')}; set allowMissingSkills to assign it anyway`] }],
      { missingSkills: missing }),
  /** Another team holds a pending offer the caller did not confirm to withdraw (withdrawOfferIds). */
  offerPending: (pending: PendingOfferRef[]) =>
    new DomainException(ErrorCode.OfferPending, 409, `这张单正在等待「${pending.map((p) => p.teamName).join('、')}」答复，改派前请确认撤回`,
      [{ field: 'withdrawOfferIds', messages: ['name every pending offer to withdraw it'] }], { pendingOffers: pending }),
  /** The chosen team already holds the order's pending offer: assigning again would only restart its countdown. */
  teamAlreadyOffered: (pending: PendingOfferRef) =>
    DomainException.conflict(ErrorCode.TeamAlreadyOffered, undefined, { offerId: pending.offerId, expiresAt: pending.expiresAt }),
};
