import { lockInOrder, RELATIVE_RELATIONS } from './wallet-transfers';

describe('time-bank transfers', () => {
  const recorder = () => {
    const locked: string[] = [];
    return { locked, m: { query: async (_sql: string, params: string[]) => { locked.push(params[0]); return []; } } as any };
  };

  it('locks two accounts in the same order whichever way the transfer goes', async () => {
    const a = '0b6c1c1e-0000-4000-8000-000000000001';
    const b = 'f3a0d2c4-0000-4000-8000-000000000002';
    const there = recorder();
    const back = recorder();
    await lockInOrder(there.m, [b, a]);
    await lockInOrder(back.m, [a, b]);
    expect(there.locked).toEqual([a, b]);
    expect(back.locked).toEqual([a, b]);
  });

  it('locks an account named twice once', async () => {
    const one = recorder();
    await lockInOrder(one.m, ['x', 'x']);
    expect(one.locked).toEqual(['x']);
  });

  it('offers a fixed list of relations for time-bank transfers', () => {
    expect(RELATIVE_RELATIONS).toEqual(['配偶', '父母', '子女', '兄弟姐妹', '祖父母', '外祖父母', '其他亲属']);
  });
});
