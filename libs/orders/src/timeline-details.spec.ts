import { timelineDetails } from './timeline-details';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const names = { teams: new Map([[A, '鲁家村银龄互助队'], [B, '递铺街道党员先锋志愿服务队']]), offerTeams: new Map([['o1', A], ['o2', B]]) };

describe('timeline details (what staff see of an entry)', () => {
  it('names the teams of an automatic offer, with their scores', () => {
    expect(timelineDetails({ mode: 'grab', scope: 'station', offers: [{ offerId: 'o1', teamId: A, score: 0.8 }, { offerId: 'o2', teamId: B, score: 0.7 }], breakdown: {} }, names))
      .toEqual({ mode: 'grab', scope: 'station', offers: [{ offerId: 'o1', team: { id: A, name: '鲁家村银龄互助队' }, score: 0.8 }, { offerId: 'o2', team: { id: B, name: '递铺街道党员先锋志愿服务队' }, score: 0.7 }] });
  });

  it('shows an accept, a manual assign that withdrew an offer, and the withdrawal itself', () => {
    expect(timelineDetails({ offerId: 'o1', teamId: A }, names)).toEqual({ offerId: 'o1', team: { id: A, name: '鲁家村银龄互助队' } });
    expect(timelineDetails({ offerId: 'o3', teamId: B, withdrawnOffers: [{ offerId: 'o1', teamId: A }], outsideServiceRadius: true, missingSkills: ['haircut'] }, names)).toEqual({
      offerId: 'o3',
      team: { id: B, name: '递铺街道党员先锋志愿服务队' },
      withdrawnOffers: [{ offerId: 'o1', team: { id: A, name: '鲁家村银龄互助队' } }],
      outsideServiceRadius: true,
      missingSkills: ['haircut'],
    });
    expect(timelineDetails({ offerId: 'o1', teamId: A, reason: 'manual_assign' }, names)?.reason).toBe('manual_assign');
    // entries written before withdrawals were recorded carry only the offer ids: the offer names its team
    expect(timelineDetails({ offerId: 'o3', teamId: B, withdrawnOfferIds: ['o1'] }, names)?.withdrawnOffers).toEqual([{ offerId: 'o1', team: { id: A, name: '鲁家村银龄互助队' } }]);
  });

  it('carries the check-in distance, the widening, the escalation reason, completion and rating', () => {
    expect(timelineDetails({ distanceFromOrderM: 1787000 }, names)).toEqual({ distanceFromOrderM: 1787000 });
    expect(timelineDetails({ from: 'station', to: 'township' }, names)).toEqual({ scopeFrom: 'station', scopeTo: 'township' });
    expect(timelineDetails({ reason: 'no_candidate' }, names)).toEqual({ reason: 'no_candidate' });
    expect(timelineDetails({ minutes: 45, volunteerIds: [A, B] }, names)).toEqual({ minutes: 45, volunteerCount: 2 });
    expect(timelineDetails({ minutes: null, volunteerIds: [A] }, names)).toEqual({ minutes: null, volunteerCount: 1 });
    expect(timelineDetails({ stars: 5, solved: true }, names)).toEqual({ stars: 5, solved: true });
  });

  it('is null for no data or data with nothing to show; an unknown team keeps its id', () => {
    expect(timelineDetails(null, names)).toBeNull();
    expect(timelineDetails({ breakdown: { total: 1 } }, names)).toBeNull();
    expect(timelineDetails({ teamId: 'gone' }, names)).toEqual({ team: { id: 'gone', name: '' } });
  });
});
