import { ElMessage } from './feedback';
import { session } from './session';

/** What `call` throws: the API's error body (Chinese message, stable code, the fields at fault). */
export interface ShownError {
  message: string;
  code?: string;
  fields?: { field: string; messages: string[] }[];
}

/** The API error as one line for a toast: message, each bad field with its reasons, and the code. */
export function errorText(e: unknown): string {
  const err = e as ShownError;
  const fields = err.fields?.length ? '：' + err.fields.map((f) => `${f.field} ${f.messages.join(' ')}`).join('；') : '';
  return `${err.message}${fields}${err.code ? ` [${err.code}]` : ''}`;
}

/** Keeps the parts apart, for an inline alert in a form. */
export function toShownError(e: unknown): ShownError {
  const err = e as ShownError;
  return { message: err.message, code: err.code, fields: err.fields };
}

/** Shows an API (or any) error as a toast: message, fields at fault, code. */
export function showError(e: unknown): void {
  // an answer that arrives after signing out (401: the token is gone) is nobody's business any more
  if ((e as { status?: number }).status === 401 && !session.token) return;
  ElMessage.error({ message: errorText(e), duration: 6000 });
}
