import { M } from './messages';

/**
 * An API refusal in the resident's words: the codes a resident can cause get a sentence that says
 * what to do; anything else keeps the server's (Chinese) message. Never a field name or a code.
 */
export function residentError(e: unknown, t: (key: keyof typeof M) => string): string {
  const err = e as { code?: string; message?: string; fields?: { field: string }[] };
  if (err.code === 'OUT_OF_SERVICE_AREA' || err.fields?.some((f) => f.field === 'location')) return t('outOfArea');
  if (err.code === 'PREFERRED_TIME_OUT_OF_RANGE' || err.fields?.some((f) => f.field === 'preferredStart' || f.field === 'preferredEnd')) return t('badTime');
  if (err.fields?.some((f) => f.field === 'contactPhone')) return t('badPhone');
  return err.message ?? String(e);
}
