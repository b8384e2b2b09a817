import { LinesPerTurn } from './lines-per-turn';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('LinesPerTurn', () => {
  it('hands the lines of one event-loop turn to the destination as one write, in order', async () => {
    const writes: string[] = [];
    const lines = new LinesPerTurn();
    lines.into({ write: (s) => writes.push(s) });
    lines.write('a\n');
    lines.write('b\n');
    lines.write('c\n');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(['a\nb\nc\n']);
    lines.write('d\n');
    await nextTurn();
    expect(writes).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('flush writes the pending lines at once, then flushes the destination', () => {
    const calls: string[] = [];
    const lines = new LinesPerTurn();
    lines.into({ write: (s) => calls.push(`write ${s}`), flush: (cb) => { calls.push('flush'); cb?.(); } });
    lines.write('x\n');
    let done = false;
    lines.flush(() => (done = true));
    expect(calls).toEqual(['write x\n', 'flush']);
    expect(done).toBe(true);
  });
});
