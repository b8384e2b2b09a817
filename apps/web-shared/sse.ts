/** One server-sent event: its `event:` name (default `message`) and its `data:` lines joined. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Splits the complete events off the front of `buffer`; `rest` is the unfinished tail. */
export function takeSseEvents(buffer: string): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  let end: number;
  while ((end = buffer.indexOf('\n\n')) >= 0) {
    const block = buffer.slice(0, end);
    buffer = buffer.slice(end + 2);
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (data.length) events.push({ event, data: data.join('\n') });
  }
  return { events, rest: buffer };
}

export interface SseSubscription {
  url: string;
  /** The current access token. */
  token: () => string;
  /** Renews the token when it is about to expire; false (signed out) ends the subscription. */
  freshToken: () => Promise<boolean>;
  onEvent: (e: SseEvent) => void;
  /** Live or not: true once the stream is open, false whenever it drops. */
  onState?: (live: boolean) => void;
  /** Each time the stream (re)opens: catch up on what arrived while it was down. */
  onOpen?: () => void;
  /** The api refused the token: the subscription ends. */
  onUnauthorized?: () => void;
}

/**
 * Reads a server-sent-event stream with the bearer token (EventSource cannot send headers) and
 * reconnects with back-off (1 s doubling to 15 s). Shared by the console and the H5 apps; returns a stop
 * function.
 */
export function subscribeSse(s: SseSubscription): () => void {
  let stopped = false;
  let controller: AbortController | null = null;
  let delay = 1000;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        if (!(await s.freshToken())) return;
        const res = await fetch(s.url, { headers: { authorization: `Bearer ${s.token()}`, accept: 'text/event-stream' }, signal: controller.signal });
        if (res.status === 401) return s.onUnauthorized?.();
        if (!res.ok || !res.body) throw new Error(String(res.status));
        s.onState?.(true);
        delay = 1000;
        s.onOpen?.();
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const { events, rest } = takeSseEvents(buffer + value);
          buffer = rest;
          for (const e of events) s.onEvent(e);
        }
      } catch {
        // dropped or refused: retry below
      }
      s.onState?.(false);
      if (stopped) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15000);
    }
  };
  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
