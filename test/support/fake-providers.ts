import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createHmac } from 'node:crypto';

/** A text message as the fake gateway received it. */
export interface GatewayMessage {
  phone: string;
  template: string;
  params: Record<string, string>;
  text: string;
  signName: string;
  outId: string;
  messageId: string;
  at: number;
}

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/**
 * An SMS gateway shaped like the common Chinese SMS APIs (Aliyun SendSms, Tencent Cloud SendSms):
 * template code + parameters + sign name, our out-id echoed back; login codes on the same URL.
 * Like a provider that honours the out-id, a second request with an out-id it has already accepted
 * answers the same message id and sends nothing (`repeats` counts them). Only templates it knows
 * (`XY_…`) are accepted (else 400 `isv.SMS_TEMPLATE_ILLEGAL`); `failNext` / `failAll` make it answer 5xx.
 */
/** Every fake gateway this test file started (readSmsCode looks for codes there too). */
export const STARTED_GATEWAYS: FakeSmsGateway[] = [];

export class FakeSmsGateway {
  readonly messages: GatewayMessage[] = [];
  readonly codes: { phone: string; code: string }[] = [];
  repeats = 0;
  posts = 0;
  failNext = 0;
  failAll = false;
  delayMs = 0;
  private readonly byOutId = new Map<string, GatewayMessage>();
  private seq = 0;
  url = '';
  private server?: Server;

  static async start(): Promise<FakeSmsGateway> {
    const g = new FakeSmsGateway();
    g.server = createServer((req, res) => void g.handle(req, res));
    g.url = `${await listen(g.server)}/sms/send`;
    STARTED_GATEWAYS.push(g);
    return g;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req).catch(() => null);
    if (!body) return answer(res, 400, { code: 'isv.INVALID_JSON' });
    this.posts++;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (body.code) {
      this.codes.push({ phone: body.phone, code: body.code });
      return answer(res, 200, { code: 'OK' });
    }
    if (this.failAll || this.failNext > 0) {
      if (this.failNext > 0) this.failNext--;
      return answer(res, 503, { code: 'isp.SYSTEM_ERROR' });
    }
    if (!/^XY_[A-Z_]+$/.test(String(body.template))) return answer(res, 400, { code: 'isv.SMS_TEMPLATE_ILLEGAL' });
    if (!/^1[3-9]\d{9}$/.test(String(body.phone))) return answer(res, 400, { code: 'isv.MOBILE_NUMBER_ILLEGAL' });
    const seen = this.byOutId.get(body.outId);
    if (seen) {
      this.repeats++;
      return answer(res, 200, { code: 'OK', messageId: seen.messageId });
    }
    const message: GatewayMessage = { ...body, messageId: `fake-${++this.seq}`, at: Date.now() };
    this.messages.push(message);
    this.byOutId.set(body.outId, message);
    answer(res, 200, { code: 'OK', messageId: message.messageId });
  }

  to(phone: string): GatewayMessage[] {
    return this.messages.filter((m) => m.phone === phone);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export const CALLBACK_SECRET = 'test-sms-callback-secret-0123456789';

/** Posts a signed callback to the api, as the provider would (or unsigned / badly signed, to test refusals). */
export async function postCallback(
  apiUrl: string,
  path: 'reports' | 'inbound',
  body: unknown,
  sign: { secret?: string; timestamp?: number; signature?: string | null } = {},
): Promise<{ status: number; body: any }> {
  const raw = JSON.stringify(body);
  const ts = String(sign.timestamp ?? Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (sign.signature !== null) {
    headers['x-sms-timestamp'] = ts;
    headers['x-sms-signature'] = sign.signature ?? `v1=${createHmac('sha256', sign.secret ?? CALLBACK_SECRET).update(`${ts}.${raw}`).digest('hex')}`;
  }
  const res = await fetch(`${apiUrl}/api/v1/notifications/sms/${path}`, { method: 'POST', headers, body: raw });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** WeChat's `cgi-bin/token` and `cgi-bin/message/subscribe/send`; `quotaErrors` makes sends answer 43101. */
export class FakeWeChat {
  readonly sent: { touser: string; template_id: string; page?: string; data: Record<string, { value: string }> }[] = [];
  tokensIssued = 0;
  quotaErrors = 0;
  base = '';
  private server?: Server;

  static async start(): Promise<FakeWeChat> {
    const w = new FakeWeChat();
    w.server = createServer((req, res) => void w.handle(req, res));
    w.base = await listen(w.server);
    return w;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/cgi-bin/token') {
      this.tokensIssued++;
      return answer(res, 200, { access_token: `token-${this.tokensIssued}`, expires_in: 7200 });
    }
    if (url.pathname === '/cgi-bin/message/subscribe/send' && req.method === 'POST') {
      const body = await readJson(req);
      if (!url.searchParams.get('access_token')?.startsWith('token-')) return answer(res, 200, { errcode: 40001, errmsg: 'invalid credential' });
      if (this.quotaErrors > 0) {
        this.quotaErrors--;
        return answer(res, 200, { errcode: 43101, errmsg: 'user refuse to accept the msg' });
      }
      this.sent.push(body);
      return answer(res, 200, { errcode: 0, errmsg: 'ok', msgid: 1000 + this.sent.length });
    }
    if (url.pathname === '/sns/jscode2session') {
      const code = url.searchParams.get('js_code') ?? '';
      return answer(res, 200, { openid: `openid-${code}`, session_key: 'k' });
    }
    answer(res, 404, { errcode: 404 });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
