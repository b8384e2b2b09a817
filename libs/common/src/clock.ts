import { readFileSync } from 'node:fs';

/**
 * The time that time-based rules read (quiet hours, reminders, retries, and later the care
 * deadlines). Production uses the system clock; under NODE_ENV=test an app started with
 * CLOCK_FILE reads the time from that file, so a test moves time forward by writing it instead of
 * waiting for hours. Dispatch keeps the database's now(): only the new time-based logic reads this.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * Test clock: the file holds an ISO 8601 instant (the time stands still there until the test writes
 * another) or `+<ms>` / `-<ms>` (the real time shifted by that much). Read on every call (tests
 * only); a missing or unreadable file means the real time.
 */
export class FileClock extends Clock {
  constructor(private readonly path: string) {
    super();
  }

  now(): Date {
    let text = '';
    try {
      text = readFileSync(this.path, 'utf8').trim();
    } catch {
      // no file: the real time
    }
    if (/^[+-]\d+$/.test(text)) return new Date(Date.now() + Number(text));
    const fixed = Date.parse(text);
    return new Date(Number.isNaN(fixed) ? Date.now() : fixed);
  }
}

/** The clock an app uses: CLOCK_FILE is honoured only under NODE_ENV=test (the config refuses it elsewhere). */
export function createClock(env: { NODE_ENV: string; CLOCK_FILE?: string }): Clock {
  return env.NODE_ENV === 'test' && env.CLOCK_FILE ? new FileClock(env.CLOCK_FILE) : new SystemClock();
}
