import { OrderBatcher } from './order-batcher';

/** A group runner whose groups finish only when the test says so. */
function controlledRunner() {
  const groups: { ids: string[]; finish: (results?: Map<string, string | Error>) => void; fail: (e: Error) => void }[] = [];
  const run = (ids: string[]) =>
    new Promise<Map<string, string | Error>>((resolve, reject) => {
      groups.push({ ids, finish: (results) => resolve(results ?? new Map(ids.map((id) => [id, `done ${id}`]))), fail: reject });
    });
  return { groups, run };
}

const settled = <T>(p: Promise<T>) => p.then((v) => ({ ok: v }), (e: Error) => ({ error: e.message }));
const flush = () => new Promise((r) => setImmediate(r));

describe('OrderBatcher', () => {
  it('starts an order alone while a slot is free, and groups the ones that arrive meanwhile', async () => {
    const { groups, run } = controlledRunner();
    const batcher = new OrderBatcher<string>(run, 3, 1);
    const a = batcher.submit('a');
    const rest = ['b', 'c', 'd', 'e'].map((id) => batcher.submit(id));
    expect(groups.map((g) => g.ids)).toEqual([['a']]);
    groups[0].finish();
    expect(await a).toBe('done a');
    await flush();
    expect(groups.map((g) => g.ids)).toEqual([['a'], ['b', 'c', 'd']]);
    groups[1].finish();
    await flush();
    expect(groups.map((g) => g.ids)).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
    groups[2].finish();
    expect(await Promise.all(rest)).toEqual(['done b', 'done c', 'done d', 'done e']);
  });

  it('runs at most maxRunning groups at once', async () => {
    const { groups, run } = controlledRunner();
    const batcher = new OrderBatcher<string>(run, 10, 2);
    const all = ['a', 'b', 'c', 'd'].map((id) => batcher.submit(id));
    expect(groups.map((g) => g.ids)).toEqual([['a'], ['b']]);
    groups[1].finish();
    await flush();
    expect(groups.map((g) => g.ids)).toEqual([['a'], ['b'], ['c', 'd']]);
    groups[0].finish();
    groups[2].finish();
    expect(await Promise.all(all)).toEqual(['done a', 'done b', 'done c', 'done d']);
  });

  it("settles each order with its own outcome or error, and a whole group's failure on all of it", async () => {
    const { groups, run } = controlledRunner();
    const batcher = new OrderBatcher<string>(run, 10, 1);
    const first = settled(batcher.submit('a'));
    const group = ['b', 'c'].map((id) => settled(batcher.submit(id)));
    groups[0].fail(new Error('connection lost'));
    expect(await first).toEqual({ error: 'connection lost' });
    await flush();
    groups[1].finish(new Map<string, string | Error>([['b', 'offered b'], ['c', new Error('CONCURRENT_UPDATE')]]));
    expect(await Promise.all(group)).toEqual([{ ok: 'offered b' }, { error: 'CONCURRENT_UPDATE' }]);
  });

  it('never puts one order twice in a group: the second job for it waits for the next', async () => {
    const { groups, run } = controlledRunner();
    const batcher = new OrderBatcher<string>(run, 10, 1);
    const jobs = ['a', 'b', 'b', 'c'].map((id) => batcher.submit(id));
    groups[0].finish();
    await flush();
    expect(groups.map((g) => g.ids)).toEqual([['a'], ['b', 'c']]);
    groups[1].finish();
    await flush();
    expect(groups.map((g) => g.ids)).toEqual([['a'], ['b', 'c'], ['b']]);
    groups[2].finish();
    expect(await Promise.all(jobs)).toEqual(['done a', 'done b', 'done b', 'done c']);
  });

  it('hands each order the context its submitter had (its own correlation id), not the first one\'s', async () => {
    const contexts: ReadonlyMap<string, string | undefined>[] = [];
    let current = 'req-a';
    let release!: () => void;
    const batcher = new OrderBatcher<string, string>(
      async (ids, ctx) => {
        contexts.push(ctx);
        if (ids.includes('a')) await new Promise<void>((r) => (release = r));
        return new Map(ids.map((id) => [id, `done ${id}`]));
      },
      3, 1, () => current,
    );
    const a = batcher.submit('a');
    current = 'req-b';
    const b = batcher.submit('b');
    current = 'req-c';
    const c = batcher.submit('c');
    release();
    expect(await Promise.all([a, b, c])).toEqual(['done a', 'done b', 'done c']);
    expect(contexts.map((m) => Object.fromEntries(m))).toEqual([{ a: 'req-a' }, { b: 'req-b', c: 'req-c' }]);
  });
});
