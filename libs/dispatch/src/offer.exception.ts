import { DomainException, ErrorCode } from '@xinyuan/common';

export const OfferErrors = {
  notFound: () => DomainException.notFound(ErrorCode.OfferNotFound),
  notPending: (status: string) => DomainException.conflict(ErrorCode.OfferNotPending, undefined, { offerStatus: status }),
  expired: () => DomainException.conflict(ErrorCode.OfferExpired),
  teamAtCapacity: () => DomainException.conflict(ErrorCode.TeamAtCapacity),
  teamNotFound: () => DomainException.notFound(ErrorCode.TeamNotFound),
  teamInactive: () => DomainException.conflict(ErrorCode.TeamInactive),
  teamLacksSkills: (missing: string[]) =>
    new DomainException(ErrorCode.TeamLacksSkills, 422, undefined, undefined, { missingSkills: missing }),
};
