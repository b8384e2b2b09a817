import { EVENT_LABELS, label, STATUS_LABELS } from './labels';
import { clock, minutesText, secondsLeft, shortTime } from './time';

describe('front-end helpers', () => {
  it('counts down with the server clock offset, never below zero on screen', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(secondsLeft('2026-11-23T12:02:05Z', now)).toBe(125);
    // the server is 5 s ahead: 5 s less remain
    expect(secondsLeft('2026-11-23T12:02:05Z', now, 5000)).toBe(120);
    expect(clock(125)).toBe('2:05');
    expect(clock(3725)).toBe('1:02:05');
    expect(clock(-3)).toBe('0:00');
  });

  it('shows times in China time and minutes in words', () => {
    expect(shortTime('2026-11-23T12:05:00Z')).toBe('11-23 20:05');
    expect(shortTime(null)).toBe('');
    expect(minutesText(40, 'zh')).toBe('40 分钟');
    expect(minutesText(125, 'en')).toBe('2 h 5 min');
  });

  it('labels every order status in both languages and falls back to the key', () => {
    for (const s of ['pending_review', 'rejected', 'dispatching', 'offered', 'escalated', 'accepted', 'in_service', 'completed', 'closed', 'cancelled']) {
      expect(label(STATUS_LABELS, s, 'zh')).not.toBe(s);
      expect(label(STATUS_LABELS, s, 'en')).not.toBe(s);
    }
    expect(label(EVENT_LABELS, 'placed', 'zh')).toBe('下单');
    expect(label(EVENT_LABELS, 'something_new', 'en')).toBe('something_new');
  });
});
