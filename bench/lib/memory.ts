/**
 * Peak memory of the started apps (issue 17: api and dispatcher RSS ≤ 300 MB each under every
 * benchmark). Linux only: reads /proc/<pid>/status. VmHWM is the kernel's own high-water mark of the
 * resident set since the process started; the sampler also polls VmRSS, so a figure remains when the
 * process has exited before the end, and the report shows how close to its peak the process ended.
 */
import { readFileSync } from 'node:fs';

export const RSS_TARGET_MB = 300;
/** /proc reports kB that are KiB; figures here are MB (10^6 bytes), as the issue states the target. */
const KIB_TO_MB = 1024 / 1e6;

export interface PeakMemory {
  /** max(VmHWM at the end, largest polled VmRSS), MB */
  peakRssMB: number;
  /** the kernel's high-water mark at the end; null when the process had gone */
  vmHwmMB: number | null;
  /** VmRSS at the end, MB; null when the process had gone */
  endRssMB: number | null;
  samples: number;
  withinTarget: boolean;
}

/** VmRSS and VmHWM of a process in MB, or null when it is gone (or not on Linux). */
export function processMemory(pid: number): { rssMB: number; hwmMB: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    const rss = kib('VmRSS');
    const hwm = kib('VmHWM');
    if (!Number.isFinite(rss)) return null;
    return { rssMB: rss * KIB_TO_MB, hwmMB: (Number.isFinite(hwm) ? hwm : rss) * KIB_TO_MB };
  } catch {
    return null;
  }
}

/** Polls the named processes' VmRSS every `everyMs` from `start()` to `stop()` (in the load generator: cheap, one file read each). */
export class PeakRssSampler {
  private readonly peak = new Map<string, { max: number; samples: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pids: Record<string, number | undefined>,
    private readonly everyMs = 250,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
    return this;
  }

  /** Call before stopping the apps: VmHWM is read from the live processes. */
  stop(): Record<string, PeakMemory> {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const out: Record<string, PeakMemory> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const now = pid ? processMemory(pid) : null;
      const polled = this.peak.get(name);
      const peakRssMB = round(Math.max(now?.hwmMB ?? 0, polled?.max ?? 0));
      out[name] = {
        peakRssMB,
        vmHwmMB: now ? round(now.hwmMB) : null,
        endRssMB: now ? round(now.rssMB) : null,
        samples: polled?.samples ?? 0,
        withinTarget: peakRssMB <= RSS_TARGET_MB,
      };
    }
    return out;
  }

  private sample(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const m = pid ? processMemory(pid) : null;
      if (!m) continue;
      const p = this.peak.get(name) ?? { max: 0, samples: 0 };
      p.max = Math.max(p.max, m.rssMB, m.hwmMB);
      p.samples++;
      this.peak.set(name, p);
    }
  }
}

/** "api 182 MB, dispatcher 143 MB (target ≤ 300 MB each: met)" */
export function describePeaks(peaks: Record<string, PeakMemory>): string {
  const all = Object.values(peaks);
  const parts = Object.entries(peaks).map(([name, p]) => `${name} ${p.peakRssMB.toFixed(0)} MB`);
  return `${parts.join(', ')} (target ≤ ${RSS_TARGET_MB} MB each: ${all.every((p) => p.withinTarget) ? 'met' : 'MISSED'})`;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
