import type { FieldError } from '@xinyuan/common';
import { checkRule, RruleProblem } from './recurrence';

/** The field errors (`visits.N.rrule`) of a plan's rules, checked for saving (see `checkRule`). */
export function ruleProblems(visits: readonly { rrule: string }[], timeZone: string, now: Date): FieldError[] {
  const bad: FieldError[] = [];
  visits.forEach((v, i) => {
    try {
      checkRule(v.rrule, timeZone, now);
    } catch (e) {
      if (!(e instanceof RruleProblem)) throw e;
      bad.push({ field: `visits.${i}.rrule`, messages: [`not an allowed RFC 5545 rule: ${e.message}`] });
    }
  });
  return bad;
}
