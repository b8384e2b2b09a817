import { mulberry32 } from '@xinyuan/common/prng';
import { AssignmentInstance, AssignmentResult, greedyAssignment, solveAssignment } from './assignment-solver';


interface RandomOptions {
  maxOrders: number;
  maxTeams: number;
  maxCapacity: number;
  infeasibleShare: number;
  /** integer costs 0..20 (many ties) instead of real-valued ones */
  integer: boolean;
  /** how much larger than the largest feasible cost the unassigned cost is; negative: smaller */
  unassignedMargin: number;
}

function randomInstance(rnd: () => number, o: RandomOptions): AssignmentInstance {
  const n = Math.floor(rnd() * (o.maxOrders + 1));
  const m = Math.floor(rnd() * (o.maxTeams + 1));
  const teams = Array.from({ length: m }, (_, j) => ({ id: `t${j}`, capacity: Math.floor(rnd() * (o.maxCapacity + 1)) }));
  let max = 0;
  const cost = Array.from({ length: n }, () =>
    Array.from({ length: m }, () => {
      if (rnd() < o.infeasibleShare) return null;
      const c = o.integer ? Math.floor(rnd() * 21) : Math.round(rnd() * 10_000) / 100;
      max = Math.max(max, c);
      return c;
    }),
  );
  return { orders: Array.from({ length: n }, (_, i) => `o${i}`), teams, cost, unassignedCost: max + o.unassignedMargin };
}

/** Every assignment, recursively: each order takes nothing or any feasible team with a slot left. */
function bruteForce(inst: AssignmentInstance): { best: number; maxAssigned: number } {
  const left = inst.teams.map((t) => t.capacity);
  let best = Infinity;
  let maxAssigned = 0;
  const go = (i: number, cost: number, count: number) => {
    if (i === inst.orders.length) {
      best = Math.min(best, cost);
      maxAssigned = Math.max(maxAssigned, count);
      return;
    }
    go(i + 1, cost + inst.unassignedCost, count);
    for (let j = 0; j < inst.teams.length; j++) {
      const c = inst.cost[i][j];
      if (c === null || left[j] === 0) continue;
      left[j]--;
      go(i + 1, cost + c, count + 1);
      left[j]++;
    }
  };
  go(0, 0, 0);
  return { best, maxAssigned };
}

/**
 * An independent exact reference for instances too big for brute force: the textbook O(n²·k)
 * Hungarian algorithm with potentials on the expanded matrix (each team as `capacity` slot columns,
 * plus one "unassigned" column per order). Infeasible pairs cost BIG, more than any assignment.
 */
function hungarianOnSlots(inst: AssignmentInstance): number {
  const n = inst.orders.length;
  if (n === 0) return 0;
  const columns: number[] = []; // team index per slot, -1 = unassigned column
  inst.teams.forEach((t, j) => {
    for (let s = 0; s < Math.min(t.capacity, n); s++) columns.push(j);
  });
  for (let i = 0; i < n; i++) columns.push(-1);
  const k = columns.length;
  let span = Math.abs(inst.unassignedCost);
  for (const row of inst.cost) for (const c of row) if (c !== null) span = Math.max(span, Math.abs(c));
  const BIG = span * (n + 1) * 4 + 1;
  const a = (i: number, c: number) => {
    const j = columns[c];
    if (j < 0) return inst.unassignedCost;
    return inst.cost[i][j] ?? BIG;
  };
  // 1-based arrays as in the classic formulation (rows = orders, columns = slots, n <= k)
  const u = new Array(n + 1).fill(0);
  const v = new Array(k + 1).fill(0);
  const p = new Array(k + 1).fill(0);
  const way = new Array(k + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array(k + 1).fill(Infinity);
    const used = new Array(k + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= k; j++) {
        if (used[j]) continue;
        const cur = a(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= k; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  let total = 0;
  for (let j = 1; j <= k; j++) if (p[j] !== 0) total += a(p[j] - 1, j - 1);
  if (total >= BIG) throw new Error('reference chose an infeasible pair');
  return total;
}

/** Checks feasibility and capacity and recomputes the total on its own; returns the number assigned. */
function expectValid(inst: AssignmentInstance, r: AssignmentResult): number {
  expect(r.assignment).toHaveLength(inst.orders.length);
  const used = inst.teams.map(() => 0);
  let total = 0;
  let count = 0;
  r.assignment.forEach((j, i) => {
    if (j === null) {
      total += inst.unassignedCost;
      return;
    }
    expect(Number.isInteger(j) && j >= 0 && j < inst.teams.length).toBe(true);
    expect(inst.cost[i][j]).not.toBeNull();
    used[j]++;
    count++;
    total += inst.cost[i][j] as number;
  });
  used.forEach((u, j) => expect(u).toBeLessThanOrEqual(inst.teams[j].capacity));
  expect(r.totalCost).toBeCloseTo(total, 6);
  return count;
}

const SMALL: RandomOptions = { maxOrders: 6, maxTeams: 4, maxCapacity: 2, infeasibleShare: 0.3, integer: false, unassignedMargin: 1 };

describe('assignment solver', () => {
  it('matches brute force on 300 small random instances; greedy is never better', () => {
    const rnd = mulberry32(20260301);
    let greedyWorse = 0;
    for (let k = 0; k < 300; k++) {
      const inst = randomInstance(rnd, SMALL);
      const exact = solveAssignment(inst);
      const greedy = greedyAssignment(inst);
      const { best } = bruteForce(inst);
      expectValid(inst, exact);
      expectValid(inst, greedy);
      expect(exact.totalCost).toBeCloseTo(best, 6);
      expect(greedy.totalCost).toBeGreaterThanOrEqual(best - 1e-6);
      if (greedy.totalCost > best + 1e-6) greedyWorse++;
    }
    // the instances are not trivial: greedy misses the optimum on a fair share of them
    expect(greedyWorse).toBeGreaterThan(20);
  });

  it('matches brute force with integer costs (many ties), dense and sparse feasibility', () => {
    const rnd = mulberry32(7);
    for (let k = 0; k < 300; k++) {
      const inst = randomInstance(rnd, { ...SMALL, integer: true, infeasibleShare: k % 3 === 0 ? 0 : k % 3 === 1 ? 0.3 : 0.7 });
      const exact = solveAssignment(inst);
      expectValid(inst, exact);
      expect(exact.totalCost).toBe(bruteForce(inst).best);
    }
  });

  it('stays exact when leaving an order unassigned is cheaper than some feasible pairs', () => {
    const rnd = mulberry32(99);
    for (let k = 0; k < 200; k++) {
      const inst = randomInstance(rnd, { ...SMALL, maxCapacity: 3, unassignedMargin: -50 });
      const exact = solveAssignment(inst);
      expectValid(inst, exact);
      expect(exact.totalCost).toBeCloseTo(bruteForce(inst).best, 6);
    }
  });

  it('assigns the maximum possible number of orders when the unassigned cost exceeds any sum of costs', () => {
    const rnd = mulberry32(4242);
    for (let k = 0; k < 200; k++) {
      const inst = randomInstance(rnd, { ...SMALL, infeasibleShare: 0.5 });
      inst.unassignedCost = 1e6;
      const exact = solveAssignment(inst);
      const { best, maxAssigned } = bruteForce(inst);
      expect(expectValid(inst, exact)).toBe(maxAssigned);
      expect(exact.totalCost).toBeCloseTo(best, 6);
    }
  });

  it('matches an independent Hungarian (teams expanded into slots) on 150 medium instances', () => {
    const rnd = mulberry32(1234567);
    for (let k = 0; k < 150; k++) {
      const inst = randomInstance(rnd, {
        maxOrders: 40, maxTeams: 12, maxCapacity: 4, infeasibleShare: [0, 0.5, 0.85][k % 3], integer: k % 2 === 0, unassignedMargin: k % 5 === 0 ? -30 : 1,
      });
      const exact = solveAssignment(inst);
      expectValid(inst, exact);
      expect(exact.totalCost).toBeCloseTo(hungarianOnSlots(inst), 6);
      expect(greedyAssignment(inst).totalCost).toBeGreaterThanOrEqual(exact.totalCost - 1e-6);
    }
  });

  it('moves an earlier order to let a later one in (where greedy fails)', () => {
    // o0 is near both teams; o1 can only use t0. Greedy gives t0 to o0 and leaves o1 out.
    const inst: AssignmentInstance = {
      orders: ['o0', 'o1'],
      teams: [{ id: 't0', capacity: 1 }, { id: 't1', capacity: 1 }],
      cost: [[100, 200], [300, null]],
      unassignedCost: 10_000,
    };
    expect(solveAssignment(inst)).toEqual({ assignment: [1, 0], totalCost: 500 });
    expect(greedyAssignment(inst)).toEqual({ assignment: [0, null], totalCost: 10_100 });
  });

  it('pushes an order out to "unassigned" when that lets a better one in', () => {
    // one slot; o1 is far cheaper on it than o0
    const inst: AssignmentInstance = {
      orders: ['o0', 'o1'],
      teams: [{ id: 't0', capacity: 1 }],
      cost: [[900], [100]],
      unassignedCost: 1_000,
    };
    expect(solveAssignment(inst)).toEqual({ assignment: [null, 0], totalCost: 1_100 });
    expect(greedyAssignment(inst)).toEqual({ assignment: [0, null], totalCost: 1_900 });
  });

  it('handles no orders, no teams, zero capacity and all-infeasible instances', () => {
    const none: AssignmentInstance = { orders: [], teams: [{ id: 't0', capacity: 3 }], cost: [], unassignedCost: 10 };
    expect(solveAssignment(none)).toEqual({ assignment: [], totalCost: 0 });
    expect(greedyAssignment(none)).toEqual({ assignment: [], totalCost: 0 });

    const noTeams: AssignmentInstance = { orders: ['a', 'b'], teams: [], cost: [[], []], unassignedCost: 10 };
    expect(solveAssignment(noTeams)).toEqual({ assignment: [null, null], totalCost: 20 });
    expect(greedyAssignment(noTeams)).toEqual({ assignment: [null, null], totalCost: 20 });

    const zero: AssignmentInstance = {
      orders: ['a', 'b'],
      teams: [{ id: 't0', capacity: 0 }, { id: 't1', capacity: 0 }],
      cost: [[1, 2], [3, 4]],
      unassignedCost: 10,
    };
    expect(solveAssignment(zero)).toEqual({ assignment: [null, null], totalCost: 20 });
    expect(greedyAssignment(zero)).toEqual({ assignment: [null, null], totalCost: 20 });

    const infeasible: AssignmentInstance = {
      orders: ['a', 'b', 'c'],
      teams: [{ id: 't0', capacity: 5 }, { id: 't1', capacity: 5 }],
      cost: [[null, null], [null, null], [null, Infinity]],
      unassignedCost: 10,
    };
    expect(solveAssignment(infeasible)).toEqual({ assignment: [null, null, null], totalCost: 30 });
    expect(greedyAssignment(infeasible)).toEqual({ assignment: [null, null, null], totalCost: 30 });
  });

  it('with more orders than capacity, fills every slot with the cheapest orders', () => {
    const n = 10;
    const inst: AssignmentInstance = {
      orders: Array.from({ length: n }, (_, i) => `o${i}`),
      teams: [{ id: 't0', capacity: 2 }, { id: 't1', capacity: 1 }],
      cost: Array.from({ length: n }, (_, i) => [100 - i, 200 - i]),
      unassignedCost: 1_000,
    };
    const r = solveAssignment(inst);
    expect(expectValid(inst, r)).toBe(3);
    // t1 costs every order 100 more than t0, so the optimum fills the 3 slots with the 3 cheapest
    // orders (7, 8, 9), whichever of them takes t1: 7 × 1000 + (93 + 92 + 91) + 100
    expect(r.totalCost).toBe(7 * 1_000 + 93 + 92 + 91 + 100);
    expect(r.assignment.slice(0, 7)).toEqual(Array(7).fill(null));
  });

  it('caps huge capacities at the number of orders and accepts fractional ones (floored)', () => {
    const inst: AssignmentInstance = {
      orders: ['a', 'b', 'c'],
      teams: [{ id: 'big', capacity: 1e9 }, { id: 'half', capacity: 1.5 }],
      cost: [[5, 1], [5, 1], [5, 1]],
      unassignedCost: 100,
    };
    const r = solveAssignment(inst);
    expect(expectValid(inst, r)).toBe(3);
    expect(r.totalCost).toBe(11);
    expect(r.assignment.filter((j) => j === 1)).toHaveLength(1);
  });

  it('accepts negative costs (e.g. scores turned into costs)', () => {
    const inst: AssignmentInstance = {
      orders: ['a', 'b'],
      teams: [{ id: 't0', capacity: 1 }, { id: 't1', capacity: 1 }],
      cost: [[-0.9, -0.8], [-0.95, -0.1]],
      unassignedCost: 0,
    };
    const r = solveAssignment(inst);
    expect(r.assignment).toEqual([1, 0]);
    expect(r.totalCost).toBeCloseTo(-1.75, 9);
  });

  it('rejects malformed instances', () => {
    const base = (): AssignmentInstance => ({ orders: ['a'], teams: [{ id: 't', capacity: 1 }], cost: [[1]], unassignedCost: 10 });
    expect(() => solveAssignment({ ...base(), cost: [] })).toThrow(RangeError);
    expect(() => solveAssignment({ ...base(), cost: [[1, 2]] })).toThrow(RangeError);
    expect(() => solveAssignment({ ...base(), cost: [[NaN]] })).toThrow(RangeError);
    expect(() => solveAssignment({ ...base(), unassignedCost: Infinity })).toThrow(RangeError);
    expect(() => solveAssignment({ ...base(), teams: [{ id: 't', capacity: -1 }] })).toThrow(RangeError);
  });

  it('is deterministic and leaves the instance untouched', () => {
    const inst = randomInstance(mulberry32(5), { ...SMALL, maxOrders: 6, maxTeams: 4 });
    const copy = JSON.parse(JSON.stringify(inst));
    expect(solveAssignment(inst)).toEqual(solveAssignment(inst));
    expect(inst).toEqual(copy);
  });

  it('agrees with itself on medium instances whatever the order of the orders (optimum is order-free)', () => {
    const rnd = mulberry32(31337);
    for (let k = 0; k < 20; k++) {
      const inst = randomInstance(rnd, { maxOrders: 60, maxTeams: 25, maxCapacity: 4, infeasibleShare: 0.6, integer: false, unassignedMargin: 1 });
      const perm = inst.orders.map((_, i) => i).sort(() => rnd() - 0.5);
      const shuffled: AssignmentInstance = { ...inst, orders: perm.map((i) => inst.orders[i]), cost: perm.map((i) => inst.cost[i]) };
      const a = solveAssignment(inst);
      const b = solveAssignment(shuffled);
      expectValid(inst, a);
      expectValid(shuffled, b);
      expect(b.totalCost).toBeCloseTo(a.totalCost, 6);
      expect(greedyAssignment(inst).totalCost).toBeGreaterThanOrEqual(a.totalCost - 1e-6);
    }
  });
});
