/** Pure reading of WeChat's jscode2session answer (no Nest imports, unit-tested). */

export type Code2SessionOutcome =
  | { ok: true; openid: string; unionid: string | null }
  | { ok: false; kind: 'invalid_code' | 'upstream'; errcode: number | null };

/**
 * WeChat answers 200 with `{openid, session_key, unionid?}` or `{errcode, errmsg}`. Codes the user
 * (or a replayed/forged code) causes are `invalid_code`; anything about our appid, quota or
 * WeChat's health is `upstream`. The session_key is never kept: nothing here needs it.
 */
export function interpretCode2Session(httpStatus: number, text: string): Code2SessionOutcome {
  if (httpStatus < 200 || httpStatus >= 300) return { ok: false, kind: 'upstream', errcode: null };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, kind: 'upstream', errcode: null };
  }
  if (!body || typeof body !== 'object') return { ok: false, kind: 'upstream', errcode: null };
  const b = body as { errcode?: unknown; openid?: unknown; unionid?: unknown };
  const errcode = typeof b.errcode === 'number' ? b.errcode : null;
  if (errcode !== null && errcode !== 0) {
    // 40029 invalid code, 40163 code already used, 40226 user blocked as high-risk by WeChat
    return { ok: false, kind: [40029, 40163, 40226].includes(errcode) ? 'invalid_code' : 'upstream', errcode };
  }
  if (typeof b.openid !== 'string' || !/^[\w-]{6,128}$/.test(b.openid)) return { ok: false, kind: 'upstream', errcode };
  const unionid = typeof b.unionid === 'string' && /^[\w-]{6,128}$/.test(b.unionid) ? b.unionid : null;
  return { ok: true, openid: b.openid, unionid };
}
