import { Injectable } from '@nestjs/common';

/** Counters served at /metrics in the Prometheus text format. */
@Injectable()
export class Metrics {
  private readonly counters = new Map<string, number>();
  private readonly durations = new Map<string, { count: number; sumMs: number }>();

  jobDone(name: string, outcome: 'completed' | 'failed', ms: number): void {
    const key = `xinyuan_jobs_total{job="${name}",outcome="${outcome}"}`;
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
    const d = this.durations.get(name) ?? { count: 0, sumMs: 0 };
    d.count++;
    d.sumMs += ms;
    this.durations.set(name, d);
  }

  render(gauges: Record<string, number>): string {
    const lines = ['# TYPE xinyuan_jobs_total counter'];
    for (const [k, v] of this.counters) lines.push(`${k} ${v}`);
    lines.push('# TYPE xinyuan_job_duration_ms_sum counter');
    for (const [name, d] of this.durations) {
      lines.push(`xinyuan_job_duration_ms_sum{job="${name}"} ${d.sumMs.toFixed(1)}`, `xinyuan_job_duration_ms_count{job="${name}"} ${d.count}`);
    }
    lines.push('# TYPE xinyuan_queue_jobs gauge');
    for (const [k, v] of Object.entries(gauges)) lines.push(`${k} ${v}`);
    return lines.join('\n') + '\n';
  }
}
