import { PollLoop } from './poll-loop';

describe('PollLoop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Lets the loop's promise chain run (no timers advance). */
  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };

  it('runs again at once while there is work, and waits the idle time when there is none', async () => {
    const work = [3, 1, 0, 2, 0];
    let calls = 0;
    const loop = new PollLoop(async () => work[calls++] ?? 0, 1000, () => undefined);
    loop.start();
    await settle();
    expect(calls).toBe(3); // 3, 1, then 0 → idle
    await jest.advanceTimersByTimeAsync(999);
    expect(calls).toBe(3);
    await jest.advanceTimersByTimeAsync(1);
    await settle();
    expect(calls).toBe(5); // 2, then 0 → idle again
    await loop.stop();
  });

  it('waits the idle time after a failure and reports it', async () => {
    const errors: string[] = [];
    let calls = 0;
    const loop = new PollLoop(async () => { calls++; throw new Error('postgres away'); }, 500, (e) => errors.push(e.message));
    loop.start();
    await settle();
    expect([calls, errors]).toEqual([1, ['postgres away']]);
    await jest.advanceTimersByTimeAsync(500);
    await settle();
    expect(calls).toBe(2);
    await loop.stop();
  });

  it('wake() and stop() end the idle wait early; nothing runs after stop', async () => {
    let calls = 0;
    const loop = new PollLoop(async () => { calls++; return 0; }, 60_000, () => undefined);
    loop.start();
    await settle();
    loop.wake();
    await settle();
    expect(calls).toBe(2);
    const stopped = loop.stop();
    await settle();
    await stopped; // resolves without advancing the 60 s timer
    expect(calls).toBe(2);
    expect(jest.getTimerCount()).toBe(0);
  });
});
