import { interpretCode2Session } from './wechat-response';

describe('interpretCode2Session (WeChat jscode2session answers)', () => {
  const ok = (body: unknown) => interpretCode2Session(200, JSON.stringify(body));

  it('reads openid and unionid, and never passes the session_key on', () => {
    const out = ok({ openid: 'oAbc123456', session_key: 'secret-key==', unionid: 'uXyz987654' });
    expect(out).toEqual({ ok: true, openid: 'oAbc123456', unionid: 'uXyz987654' });
    expect(JSON.stringify(out)).not.toContain('secret-key');
    expect(ok({ openid: 'oAbc123456', session_key: 'k' })).toEqual({ ok: true, openid: 'oAbc123456', unionid: null });
    expect(ok({ errcode: 0, openid: 'oAbc123456', session_key: 'k' })).toEqual({ ok: true, openid: 'oAbc123456', unionid: null });
  });

  it('calls bad, used and high-risk codes the user\'s problem', () => {
    for (const errcode of [40029, 40163, 40226]) expect(ok({ errcode, errmsg: 'x' })).toEqual({ ok: false, kind: 'invalid_code', errcode });
  });

  it('calls everything else an upstream failure', () => {
    for (const errcode of [-1, 45011, 40013, 40125, 99999]) expect(ok({ errcode, errmsg: 'x' })).toEqual({ ok: false, kind: 'upstream', errcode });
    expect(interpretCode2Session(500, '{"openid":"oAbc123456"}')).toEqual({ ok: false, kind: 'upstream', errcode: null });
    expect(interpretCode2Session(200, '<html>busy</html>')).toEqual({ ok: false, kind: 'upstream', errcode: null });
    expect(interpretCode2Session(200, 'null')).toEqual({ ok: false, kind: 'upstream', errcode: null });
    expect(ok({ session_key: 'k' })).toEqual({ ok: false, kind: 'upstream', errcode: null });
    expect(ok({ openid: 'bad openid with spaces' })).toEqual({ ok: false, kind: 'upstream', errcode: null });
    expect(ok({ openid: 42 })).toEqual({ ok: false, kind: 'upstream', errcode: null });
  });
});
