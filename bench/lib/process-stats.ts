/**
 * What a started app costs while a benchmark runs, read from /proc (Linux): CPU seconds of a process,
 * its resident memory sampled over time, and the CPU of the Postgres backends serving the bench
 * database (other databases on the same server do not count).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Client } from 'pg';

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a process so far (0 when it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Resident set size of a process in MB (0 when it is gone). */
export function rssMb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; reports the peak and the last sample. */
export class RssSampler {
  private peak = 0;
  private last = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number, everyMs = 100) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  private sample(): void {
    const mb = rssMb(this.pid);
    if (mb > 0) this.last = mb;
    if (mb > this.peak) this.peak = mb;
  }

  /** Peak and last RSS in MB (rounded to 0.1), sampling one last time. */
  stop(): { peakMb: number; lastMb: number } {
    clearInterval(this.timer);
    this.sample();
    return { peakMb: Math.round(this.peak * 10) / 10, lastMb: Math.round(this.last * 10) / 10 };
  }
}

/** CPU seconds of every backend connected to the database `db` is connected to (except `db`'s own). */
export async function backendCpu(db: Client): Promise<Record<number, number>> {
  const pids = (await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows.map((r) => r.pid as number);
  return Object.fromEntries(pids.map((pid) => [pid, cpuSeconds(pid)]));
}

/** CPU seconds the backends spent between two `backendCpu` snapshots (backends that came later count from 0). */
export function backendCpuBetween(before: Record<number, number>, after: Record<number, number>): number {
  return Object.entries(after).reduce((sum, [pid, s]) => sum + s - (before[Number(pid)] ?? 0), 0);
}

/** Local TCP ports of the sockets a process holds open (from /proc/<pid>/fd and /proc/net/tcp{,6}). */
export function localPortsOf(pid: number): Set<number> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return new Set();
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && inodes.has(f[9])) ports.add(parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports;
}

/** The bench database's backends serving a client process (matched by the client's TCP ports). */
export async function backendsOf(db: Client, clientPid: number): Promise<number[]> {
  const ports = localPortsOf(clientPid);
  const rows = (await db.query(`SELECT pid, client_port FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows;
  return rows.filter((r) => ports.has(Number(r.client_port))).map((r) => r.pid as number);
}

/** CPU seconds of each backend serving a client process, for `backendCpuBetween`. */
export async function backendCpuOf(db: Client, clientPid: number): Promise<Record<number, number>> {
  return Object.fromEntries((await backendsOf(db, clientPid)).map((pid) => [pid, cpuSeconds(pid)]));
}
