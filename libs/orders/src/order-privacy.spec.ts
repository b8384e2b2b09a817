import { teamSeesContact } from './order-privacy';

const DAY = 24 * 3600 * 1000;
const now = new Date('2026-03-10T12:00:00Z');

describe('what the serving team sees', () => {
  it('everything while it serves', () => {
    expect(teamSeesContact('accepted', null, 7, now)).toBe('full');
    expect(teamSeesContact('in_service', null, 7, now)).toBe('full');
  });

  it('everything for N days after completion, then the coarse view', () => {
    for (const status of ['completed', 'closed'] as const) {
      expect(teamSeesContact(status, new Date(now.getTime() - 6.9 * DAY), 7, now)).toBe('full');
      expect(teamSeesContact(status, new Date(now.getTime() - 7 * DAY), 7, now)).toBe('coarse');
      expect(teamSeesContact(status, new Date(now.getTime() - 30 * DAY), 7, now)).toBe('coarse');
      expect(teamSeesContact(status, new Date(now.getTime() - 1000), 0, now)).toBe('coarse');
      expect(teamSeesContact(status, null, 7, now)).toBe('coarse');
    }
  });

  it('nothing from this rule in other statuses', () => {
    for (const status of ['pending_review', 'rejected', 'dispatching', 'offered', 'escalated', 'cancelled'] as const) {
      expect(teamSeesContact(status, null, 7, now)).toBe('none');
    }
  });
});
