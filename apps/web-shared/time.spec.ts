import { EVENT_LABELS, label, residentTimeline, STATUS_LABELS } from './labels';
import { ANY_TIME, chinaIso, clock, dayPartWindow, exactTimes, exactTimeWindow, minutesText, preferredTimeText, secondsLeft, shortTime, whenWindow } from './time';

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

describe('preferred time: day × part of the day, in words', () => {
  // 10:28 China time on 24 November
  const now = Date.parse('2026-11-24T10:28:30+08:00');

  it('gives the window of a day part in China time, from now when it has begun, none once it is over', () => {
    expect(dayPartWindow(0, 'morning', now)).toEqual({ preferredStart: '2026-11-24T10:28:00+08:00', preferredEnd: '2026-11-24T12:00:00+08:00' });
    expect(dayPartWindow(0, 'evening', now)).toEqual({ preferredStart: '2026-11-24T18:00:00+08:00', preferredEnd: '2026-11-24T21:00:00+08:00' });
    expect(dayPartWindow(2, 'afternoon', now)).toEqual({ preferredStart: '2026-11-26T14:00:00+08:00', preferredEnd: '2026-11-26T18:00:00+08:00' });
    expect(dayPartWindow(0, 'morning', Date.parse('2026-11-24T12:00:00+08:00'))).toBeNull();
    // just before midnight UTC+8 is still "today" in China, whatever the device's zone
    expect(dayPartWindow(1, 'morning', Date.parse('2026-11-24T23:30:00+08:00'))?.preferredStart).toBe('2026-11-25T08:00:00+08:00');
  });

  it('gives an exact time as a two-hour window, none in the past', () => {
    expect(exactTimeWindow(1, 9, 30, now)).toEqual({ preferredStart: '2026-11-25T09:30:00+08:00', preferredEnd: '2026-11-25T11:30:00+08:00' });
    expect(exactTimeWindow(0, 9, 0, now)).toBeNull();
    expect(chinaIso(Date.parse('2026-11-24T01:00:00Z'))).toBe('2026-11-24T09:00:00+08:00');
  });

  it('says the window in plain words in both languages', () => {
    expect(preferredTimeText(null, null, 'zh', now)).toBe('随时都可以');
    expect(preferredTimeText(null, undefined, 'en', now)).toBe('Any time');
    expect(preferredTimeText('2026-11-25T08:00:00+08:00', '2026-11-25T12:00:00+08:00', 'zh', now)).toBe('明天上午 08:00–12:00');
    expect(preferredTimeText('2026-11-25T08:00:00+08:00', '2026-11-25T12:00:00+08:00', 'en', now)).toBe('Tomorrow morning 08:00–12:00');
    expect(preferredTimeText('2026-11-24T10:28:00+08:00', '2026-11-24T12:00:00+08:00', 'zh', now)).toBe('今天上午 10:28–12:00');
    expect(preferredTimeText('2026-11-26T18:00:00+08:00', '2026-11-26T21:00:00+08:00', 'zh', now)).toBe('后天晚上 18:00–21:00');
    expect(preferredTimeText('2026-11-30T09:30:00+08:00', '2026-11-30T11:30:00+08:00', 'zh', now)).toBe('11月30日 09:30–11:30');
    expect(preferredTimeText('2026-11-30T09:30:00+08:00', '2026-11-30T11:30:00+08:00', 'en', now)).toBe('30 Nov 09:30–11:30');
    expect(preferredTimeText('2026-11-25T15:00:00+08:00', null, 'zh', now)).toBe('明天 15:00 以后');
    expect(preferredTimeText(null, '2026-11-25T12:00:00+08:00', 'en', now)).toBe('Tomorrow before 12:00');
    // the API answers in UTC: the same instant reads the same
    expect(preferredTimeText('2026-11-25T00:00:00.000Z', '2026-11-25T04:00:00.000Z', 'zh', now)).toBe('明天上午 08:00–12:00');
  });
});

describe('the resident\'s when-choice', () => {
  const now = Date.parse('2026-11-24T19:10:00+08:00');

  it('sends nothing for any time, the part or the exact time otherwise, computed when sent', () => {
    expect(whenWindow(ANY_TIME, now)).toEqual({});
    expect(whenWindow({ day: 1, part: 'afternoon', exact: null }, now)).toEqual({ preferredStart: '2026-11-25T14:00:00+08:00', preferredEnd: '2026-11-25T18:00:00+08:00' });
    expect(whenWindow({ day: 0, part: 'evening', exact: null }, now)).toEqual({ preferredStart: '2026-11-24T19:10:00+08:00', preferredEnd: '2026-11-24T21:00:00+08:00' });
    expect(whenWindow({ day: 2, part: null, exact: { hour: 9, minute: 30 } }, now)).toEqual({ preferredStart: '2026-11-26T09:30:00+08:00', preferredEnd: '2026-11-26T11:30:00+08:00' });
    // a day with no part: its daytime
    expect(whenWindow({ day: 1, part: null, exact: null }, now)).toEqual({ preferredStart: '2026-11-25T08:00:00+08:00', preferredEnd: '2026-11-25T21:00:00+08:00' });
  });

  it('says so when the chosen time passed while the form was open', () => {
    expect(whenWindow({ day: 0, part: 'morning', exact: null }, now)).toBeNull();
    expect(whenWindow({ day: 0, part: null, exact: { hour: 19, minute: 0 } }, now)).toBeNull();
  });

  it('offers only exact times still ahead, every half hour', () => {
    expect(exactTimes(0, now).map((t) => `${t.hour}:${t.minute}`)).toEqual(['19:30', '20:0', '20:30']);
    expect(exactTimes(1, now)).toHaveLength(26);
  });
});

describe("the resident's timeline", () => {
  const at = (m: number) => new Date(Date.parse('2026-11-24T10:00:00+08:00') + m * 60000).toISOString();
  it('says what happened in plain words, each search for a team once, no staff jargon', () => {
    const events = ['placed', 'offer', 'decline', 'widen', 'offer', 'expire_offer', 'escalate', 'assign', 'accept', 'check_in', 'check_in_location', 'complete', 'rate']
      .map((type, i) => ({ type, at: at(i) }));
    const zh = residentTimeline(events, 'zh').map((e) => e.text);
    expect(zh).toEqual(['您已下单', '正在为您联系服务队…', '工作人员正在为您安排服务队', '正在为您联系服务队…', '服务队已接单', '志愿者已到达', '服务已完成', '您已评价']);
    for (const jargon of ['婉拒', '扩大派单范围', '转人工', '派单超时', '人工派单']) expect(zh.join()).not.toContain(jargon);
    expect(residentTimeline(events, 'en')[1]).toEqual({ at: at(1), text: 'Finding a team for you…' });
    expect(residentTimeline([{ type: 'brand_new_step', at: at(0) }], 'zh')).toEqual([{ at: at(0), text: '订单有更新' }]);
  });
});
