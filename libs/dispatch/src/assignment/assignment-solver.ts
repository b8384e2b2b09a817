/**
 * Batch assignment under surge: orders → volunteer teams with capacities, at minimum total cost.
 *
 * Pure TypeScript, no dependencies, deterministic (ties go to the lower team index / earlier order).
 *
 * Exact method: min-cost flow by successive shortest paths, one augmentation per order (the
 * Hungarian / Jonker–Volgenant scheme generalised to capacities instead of expanding each team into
 * slots). Network: order i → team j (cost[i][j], capacity 1, feasible pairs only), team j → sink
 * (cost 0, capacity = team capacity, capped at the number of orders), order i → sink (the
 * "unassigned" arc, cost `unassignedCost`). Orders are added one at a time; for each, Dijkstra over
 * reduced costs (node potentials keep them ≥ 0) finds the cheapest augmenting path from the new
 * order to the sink in the residual graph: it may move already placed orders to other teams, or push
 * one of them out to "unassigned" when that is cheaper overall. Dijkstra stops as soon as the sink is
 * settled, and only settled nodes get their potential updated (JV-style), so an order that finds a
 * free nearby team costs a handful of heap operations.
 *
 * Complexity: n augmentations, each one Dijkstra with a binary heap over V = n + m + 1 nodes and the
 * E = (feasible pairs) + (placed orders) + n + m residual arcs: O(n · E · log V) worst case, O(n · V)
 * memory besides the O(E) arc list. In practice each search settles only a small neighbourhood
 * (bench/quality.bench.ts, 2-core machine, total capacity = demand): radius-limited surges of 500
 * orders × ~190 teams in ~3 ms and 2,000 × ~750 in ~80 ms; fully dense random matrices 500 × 200 in
 * ~10–40 ms and 2,000 × 500 in ~0.15–0.4 s. The bad case is dense and contested (every order in one
 * corner, every team feasible for every order, so each search settles almost every node): 500 × 200
 * in ~0.15–0.3 s, 2,000 × 500 in ~3.5–4.5 s.
 *
 * Objective: Σ cost of the chosen pairs + unassignedCost × (orders left unassigned). With
 * `unassignedCost` above every feasible cost the solver prefers assigning; to make it assign the
 * maximum possible number of orders whatever the distances (maximum-cardinality first, then minimum
 * cost), pass an `unassignedCost` above the sum of the n largest feasible costs.
 */

export interface AssignmentInstance {
  /** order ids */
  orders: string[];
  /** remaining capacity (slots) per team, >= 0 */
  teams: { id: string; capacity: number }[];
  /** cost[i][j] for order i and team j; null = infeasible pair (skill missing, out of radius …). */
  cost: (number | null)[][];
  /**
   * cost of leaving order i unassigned (it then goes through the normal single-order path); must be
   * larger than any feasible cost so the solver prefers assigning.
   */
  unassignedCost: number;
}

export interface AssignmentResult {
  /** team index per order, or null when the order stays unassigned */
  assignment: (number | null)[];
  /** Σ cost of the assigned pairs + unassignedCost × unassigned orders */
  totalCost: number;
}

/** The instance in compact form: feasible pairs per order (CSR), effective capacities. */
interface Compact {
  n: number;
  m: number;
  capacity: Int32Array;
  rowStart: Int32Array;
  pairTeam: Int32Array;
  /** costs shifted per order by `shift[i]` so that every arc of order i costs ≥ 0 */
  pairCost: Float64Array;
  /** the shifted cost of order i's "unassigned" arc */
  unassignedShifted: Float64Array;
}

function compact(inst: AssignmentInstance): Compact {
  const n = inst.orders.length;
  const m = inst.teams.length;
  const U = inst.unassignedCost;
  if (typeof U !== 'number' || !Number.isFinite(U)) throw new RangeError('unassignedCost must be a finite number');
  if (inst.cost.length !== n) throw new RangeError(`cost has ${inst.cost.length} rows for ${n} orders`);
  const capacity = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    const c = inst.teams[j].capacity;
    if (typeof c !== 'number' || Number.isNaN(c) || c < 0) throw new RangeError(`team ${inst.teams[j].id}: capacity must be >= 0`);
    capacity[j] = Math.min(Math.floor(c), n);
  }
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    const row = inst.cost[i];
    if (!row || row.length !== m) throw new RangeError(`cost row ${i} has ${row?.length ?? 0} entries for ${m} teams`);
    for (let j = 0; j < m; j++) if (feasible(row[j], i, j)) pairs++;
  }
  const rowStart = new Int32Array(n + 1);
  const pairTeam = new Int32Array(pairs);
  const pairCost = new Float64Array(pairs);
  const unassignedShifted = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const row = inst.cost[i];
    rowStart[i] = k;
    let min = U;
    for (let j = 0; j < m; j++) {
      const c = row[j];
      if (feasible(c, i, j)) {
        pairTeam[k] = j;
        pairCost[k++] = c as number;
        if ((c as number) < min) min = c as number;
      }
    }
    for (let q = rowStart[i]; q < k; q++) pairCost[q] -= min;
    unassignedShifted[i] = U - min;
  }
  rowStart[n] = k;
  return { n, m, capacity, rowStart, pairTeam, pairCost, unassignedShifted };
}

/** null and +Infinity mark an infeasible pair; NaN and -Infinity are caller bugs. */
function feasible(c: number | null | undefined, i: number, j: number): boolean {
  if (c === null || c === undefined || c === Infinity) return false;
  if (typeof c !== 'number' || Number.isNaN(c) || c === -Infinity) throw new RangeError(`cost[${i}][${j}] is not a number`);
  return true;
}

function totalCostOf(inst: AssignmentInstance, assignment: (number | null)[]): number {
  let total = 0;
  for (let i = 0; i < assignment.length; i++) {
    const j = assignment[i];
    total += j === null ? inst.unassignedCost : (inst.cost[i][j] as number);
  }
  return total;
}

/** A binary min-heap of (key, node) with lazy deletion; grows on demand. */
class Heap {
  keys = new Float64Array(1024);
  nodes = new Int32Array(1024);
  size = 0;
  topKey = 0;

  push(key: number, node: number): void {
    if (this.size === this.keys.length) {
      const keys = new Float64Array(this.size * 2);
      keys.set(this.keys);
      const nodes = new Int32Array(this.size * 2);
      nodes.set(this.nodes);
      this.keys = keys;
      this.nodes = nodes;
    }
    const keys = this.keys;
    const nodes = this.nodes;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p] <= key) break;
      keys[i] = keys[p];
      nodes[i] = nodes[p];
      i = p;
    }
    keys[i] = key;
    nodes[i] = node;
  }

  /** Removes the smallest entry, returns its node and leaves its key in `topKey`. */
  pop(): number {
    const keys = this.keys;
    const nodes = this.nodes;
    const node = nodes[0];
    this.topKey = keys[0];
    const n = --this.size;
    if (n > 0) {
      const key = keys[n];
      const last = nodes[n];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && keys[c + 1] < keys[c]) c++;
        if (keys[c] >= key) break;
        keys[i] = keys[c];
        nodes[i] = nodes[c];
        i = c;
      }
      keys[i] = key;
      nodes[i] = last;
    }
    return node;
  }
}

const NOT_YET = -2;
const UNASSIGNED = -1;

/** Exact minimum-cost assignment (see the header comment for the method and its complexity). */
export function solveAssignment(inst: AssignmentInstance): AssignmentResult {
  const { n, m, capacity, rowStart, pairTeam, pairCost, unassignedShifted } = compact(inst);
  // nodes: orders 0..n-1, teams n..n+m-1, the sink n+m
  const SINK = n + m;
  const V = n + m + 1;
  const potential = new Float64Array(V);
  const dist = new Float64Array(V);
  const reached = new Int32Array(V); // search number that last set dist[v]
  const settled = new Int32Array(V); // search number that last settled v
  const parent = new Int32Array(V);
  const parentPair = new Int32Array(V); // for a team node: the pair (arc) it was reached by
  const settledList = new Int32Array(V);

  const assigned = new Int32Array(n).fill(NOT_YET); // team index, UNASSIGNED, or NOT_YET (not added yet)
  const assignedPair = new Int32Array(n); // the pair index of the order's team
  // members of each team: memberBuf[memberStart[j] .. memberStart[j] + load[j])
  const load = new Int32Array(m);
  const memberStart = new Int32Array(m + 1);
  for (let j = 0; j < m; j++) memberStart[j + 1] = memberStart[j] + capacity[j];
  const memberBuf = new Int32Array(memberStart[m]);
  const memberPos = new Int32Array(n);

  const join = (o: number, j: number, pair: number) => {
    const at = memberStart[j] + load[j]++;
    memberBuf[at] = o;
    memberPos[o] = at;
    assigned[o] = j;
    assignedPair[o] = pair;
  };
  const leave = (o: number) => {
    const j = assigned[o];
    const lastAt = memberStart[j] + --load[j];
    const last = memberBuf[lastAt];
    memberBuf[memberPos[o]] = last;
    memberPos[last] = memberPos[o];
    assigned[o] = UNASSIGNED;
  };

  const heap = new Heap();
  for (let s = 0; s < n; s++) {
    const run = s + 1;
    let settledCount = 0;
    heap.size = 0;
    dist[s] = 0;
    reached[s] = run;
    heap.push(0, s);
    let sinkDist = 0;
    while (heap.size > 0) {
      const u = heap.pop();
      const du = heap.topKey;
      if (settled[u] === run || du > dist[u]) continue;
      settled[u] = run;
      if (u === SINK) {
        sinkDist = du;
        break;
      }
      settledList[settledCount++] = u;
      const pu = potential[u];
      if (u < n) {
        // an order: to any feasible team except its own, or out to "unassigned"
        const own = assigned[u];
        for (let k = rowStart[u], end = rowStart[u + 1]; k < end; k++) {
          const j = pairTeam[k];
          if (j === own) continue;
          const v = n + j;
          if (settled[v] === run) continue;
          const d = du + pairCost[k] + pu - potential[v];
          if (reached[v] !== run || d < dist[v]) {
            reached[v] = run;
            dist[v] = d;
            parent[v] = u;
            parentPair[v] = k;
            heap.push(d, v);
          }
        }
        const d = du + unassignedShifted[u] + pu - potential[SINK];
        if (reached[SINK] !== run || d < dist[SINK]) {
          reached[SINK] = run;
          dist[SINK] = d;
          parent[SINK] = u;
          heap.push(d, SINK);
        }
      } else {
        // a team: into a free slot, or back along the arc of one of its members (who then moves on)
        const j = u - n;
        if (load[j] < capacity[j]) {
          const d = du + pu - potential[SINK];
          if (reached[SINK] !== run || d < dist[SINK]) {
            reached[SINK] = run;
            dist[SINK] = d;
            parent[SINK] = u;
            heap.push(d, SINK);
          }
        }
        for (let q = memberStart[j], end = memberStart[j] + load[j]; q < end; q++) {
          const o = memberBuf[q];
          if (settled[o] === run) continue;
          const d = du - pairCost[assignedPair[o]] + pu - potential[o];
          if (reached[o] !== run || d < dist[o]) {
            reached[o] = run;
            dist[o] = d;
            parent[o] = u;
            heap.push(d, o);
          }
        }
      }
    }
    // potentials: settled nodes move by (their distance − the sink's), the rest stay (reduced costs stay ≥ 0)
    for (let q = 0; q < settledCount; q++) {
      const v = settledList[q];
      potential[v] += dist[v] - sinkDist;
    }
    // augment along the path, from the sink back to s
    let v = parent[SINK];
    if (v < n) {
      // the path ends on an order's "unassigned" arc
      if (v === s) {
        assigned[s] = UNASSIGNED;
        continue;
      }
      const out = v;
      v = n + assigned[out]; // its team, whose slot the previous order on the path takes
      leave(out);
    }
    // v is a team node; parent[v] (an order) joins it, leaving its own team, and so on back to s
    for (;;) {
      const j = v - n;
      const o = parent[v];
      const previous = assigned[o];
      if (previous >= 0) leave(o);
      join(o, j, parentPair[v]);
      if (o === s) break;
      v = n + previous;
    }
  }

  const assignment: (number | null)[] = new Array(n);
  for (let i = 0; i < n; i++) assignment[i] = assigned[i] >= 0 ? assigned[i] : null;
  return { assignment, totalCost: totalCostOf(inst, assignment) };
}

/**
 * Today's behaviour: orders one by one in the given order, each takes its cheapest feasible team with
 * capacity left (ties: the lower team index), or stays unassigned when there is none.
 */
export function greedyAssignment(inst: AssignmentInstance): AssignmentResult {
  const { n, capacity, rowStart, pairTeam, pairCost } = compact(inst);
  const left = Int32Array.from(capacity);
  const assignment: (number | null)[] = new Array(n).fill(null);
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestCost = Infinity;
    for (let k = rowStart[i], end = rowStart[i + 1]; k < end; k++) {
      const j = pairTeam[k];
      if (left[j] > 0 && pairCost[k] < bestCost) {
        best = j;
        bestCost = pairCost[k];
      }
    }
    if (best >= 0) {
      left[best]--;
      assignment[i] = best;
    }
  }
  return { assignment, totalCost: totalCostOf(inst, assignment) };
}
