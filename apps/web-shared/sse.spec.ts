import { takeSseEvents } from './sse';

describe('takeSseEvents (the console and the H5 apps read their live streams with it)', () => {
  it('takes complete events, joins multi-line data, names the default event and keeps the unfinished tail', () => {
    const { events, rest } = takeSseEvents('event: notification\ndata: {"a":1}\n\n: keep-alive\n\ndata: line 1\ndata: line 2\n\nevent: queue\ndata: {"b"');
    expect(events).toEqual([
      { event: 'notification', data: '{"a":1}' },
      { event: 'message', data: 'line 1\nline 2' },
    ]);
    expect(rest).toBe('event: queue\ndata: {"b"');
    expect(takeSseEvents(rest + ':2}\n\n')).toEqual({ events: [{ event: 'queue', data: '{"b":2}' }], rest: '' });
  });
});
