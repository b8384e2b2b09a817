/**
 * What staff see of a timeline entry beyond its note: the facts stored in `order_events.data`, with
 * team ids turned into names. Pure (the names come in as a map), so it is unit-tested directly.
 * Residents, grid workers and teams never get these (see OrderQueries.get).
 */
export interface TeamRef {
  id: string;
  name: string;
}

export interface TimelineOfferRef {
  offerId: string;
  team: TeamRef;
  /** The dispatch score that chose the team (automatic offers). */
  score?: number;
}

export interface TimelineDetails {
  /** The team the entry is about: offered by staff, accepted, declined, let expire, withdrawn. */
  team?: TeamRef;
  offerId?: string;
  /** Automatic offers of this round (one, or several in grab mode), with their scores. */
  offers?: TimelineOfferRef[];
  /** Pending offers withdrawn by a manual assign. */
  withdrawnOffers?: TimelineOfferRef[];
  mode?: 'offer' | 'grab';
  /** Jurisdiction searched (offer) or searched from / to (widen). */
  scope?: string;
  scopeFrom?: string;
  scopeTo?: string;
  /** A machine reason: escalation (`no_candidate`, `attempts_exhausted`), withdrawal (`manual_assign`). */
  reason?: string;
  /** Check-in: metres between the volunteer's device and the order's location. */
  distanceFromOrderM?: number;
  /** Manual assign: the team is farther than its own service radius / lacks these skills. */
  outsideServiceRadius?: boolean;
  missingSkills?: string[];
  /** Completion: minutes reported and how many volunteers are credited. */
  minutes?: number | null;
  volunteerCount?: number;
  /** Rating. */
  stars?: number;
  solved?: boolean;
}

type Data = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const records = (v: unknown): Data[] => (Array.isArray(v) ? v.filter((x): x is Data => !!x && typeof x === 'object') : []);

/** Names for the ids an entry's data holds: every team and offer of the order (one query). */
export interface TimelineNames {
  teams: ReadonlyMap<string, string>;
  /** offer id → team id */
  offerTeams: ReadonlyMap<string, string>;
}

/** The details of one entry, or null when its data says nothing staff need. */
export function timelineDetails(data: Data | null | undefined, names: TimelineNames): TimelineDetails | null {
  if (!data) return null;
  const team = (id: unknown): TeamRef | undefined => {
    const teamId = str(id);
    return teamId ? { id: teamId, name: names.teams.get(teamId) ?? '' } : undefined;
  };
  const offerRefs = (v: unknown): TimelineOfferRef[] =>
    records(v).flatMap((o) => {
      const offerId = str(o.offerId);
      const teamId = str(o.teamId) ?? (offerId ? names.offerTeams.get(offerId) : undefined);
      if (!offerId || !teamId) return [];
      const score = num(o.score);
      return [{ offerId, team: team(teamId)!, ...(score !== undefined ? { score } : {}) }];
    });

  const d: TimelineDetails = {};
  if (team(data.teamId)) d.team = team(data.teamId);
  if (str(data.offerId)) d.offerId = str(data.offerId);
  const offers = offerRefs(data.offers);
  if (offers.length) d.offers = offers;
  // assign entries written before withdrawals were recorded on their own carry bare offer ids
  const bareIds = Array.isArray(data.withdrawnOfferIds) ? data.withdrawnOfferIds.map((offerId) => ({ offerId })) : [];
  const withdrawn = offerRefs([...records(data.withdrawnOffers), ...bareIds]);
  if (withdrawn.length) d.withdrawnOffers = withdrawn;
  if (data.mode === 'offer' || data.mode === 'grab') d.mode = data.mode;
  if (str(data.scope)) d.scope = str(data.scope);
  // widen entries store { from, to } scopes
  if (str(data.from) && str(data.to)) {
    d.scopeFrom = str(data.from);
    d.scopeTo = str(data.to);
  }
  if (str(data.reason)) d.reason = str(data.reason);
  if (num(data.distanceFromOrderM) !== undefined) d.distanceFromOrderM = num(data.distanceFromOrderM);
  if (typeof data.outsideServiceRadius === 'boolean') d.outsideServiceRadius = data.outsideServiceRadius;
  if (Array.isArray(data.missingSkills) && data.missingSkills.length) d.missingSkills = data.missingSkills.filter((s): s is string => typeof s === 'string');
  if ('minutes' in data && (data.minutes === null || num(data.minutes) !== undefined)) d.minutes = data.minutes as number | null;
  if (Array.isArray(data.volunteerIds)) d.volunteerCount = data.volunteerIds.length;
  if (num(data.stars) !== undefined) d.stars = num(data.stars);
  if (typeof data.solved === 'boolean') d.solved = data.solved;
  return Object.keys(d).length ? d : null;
}
