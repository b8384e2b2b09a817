/** A server-sent-events reader over fetch (so it can send a bearer token, as the console does). */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export class SseStream {
  readonly events: SseEvent[] = [];
  private readonly controller = new AbortController();
  private waiters: (() => void)[] = [];
  status = 0;
  contentType = '';

  private constructor() {}

  static async open(url: string, token: string): Promise<SseStream> {
    const stream = new SseStream();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: stream.controller.signal });
    stream.status = res.status;
    stream.contentType = res.headers.get('content-type') ?? '';
    if (res.ok && res.body) void stream.pump(res.body);
    else await res.text().catch(() => undefined);
    return stream;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { event: 'message', data: '' };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const i = line.indexOf(':');
            const field = i < 0 ? line : line.slice(0, i);
            const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
            if (field === 'event') event.event = value;
            else if (field === 'data') data.push(value);
            else if (field === 'id') event.id = value;
          }
          if (!data.length) continue;
          event.data = data.join('\n');
          this.events.push(event);
          for (const w of this.waiters.splice(0)) w();
        }
      }
    } catch {
      // aborted
    }
  }

  /** The first event (from `after` on) whose parsed data satisfies `match`. */
  async next<T = any>(what: string, match: (data: T) => boolean, timeoutMs = 10000, after = 0): Promise<{ data: T; index: number }> {
    const deadline = Date.now() + timeoutMs;
    for (let i = after; ; ) {
      for (; i < this.events.length; i++) {
        const data = JSON.parse(this.events[i].data) as T;
        if (match(data)) return { data, index: i };
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; last event: ${this.events.at(-1)?.data.slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.controller.abort();
  }
}
