import { DynamicModule, Global, Inject, Module, OnModuleInit, Optional } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { LaggingReads } from '@xinyuan/database';
import { DispatchQueue, QueueName } from '@xinyuan/queue';
import { HealthProbesController, OBSERVED_APP } from './health.controller';
import { metrics } from './metrics';
import { Readiness } from './readiness';
import type { ObservedApp } from './bootstrap';

type PgPool = { totalCount: number; idleCount: number; waitingCount: number };

/** Fills the gauges read at scrape time: Postgres pool usage, replica staleness, queue depths. */
class ScrapeCollectors implements OnModuleInit {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(LaggingReads) private readonly reads: LaggingReads,
    // the rating service has no queue: no queue depths there
    @Optional() @Inject(DispatchQueue) private readonly queue?: DispatchQueue,
  ) {}

  onModuleInit(): void {
    metrics.addCollector(() => {
      const pool = (this.dataSource.driver as unknown as { master?: PgPool }).master;
      if (pool) {
        metrics.dbPool.set({ pool: 'primary', state: 'total' }, pool.totalCount);
        metrics.dbPool.set({ pool: 'primary', state: 'idle' }, pool.idleCount);
        metrics.dbPool.set({ pool: 'primary', state: 'waiting' }, pool.waitingCount);
      }
      metrics.replicaStaleness.set(this.reads.staleness === undefined ? -1 : this.reads.staleness / 1000);
      metrics.reads.set({ target: 'replica' }, this.reads.counts.replica);
      metrics.reads.set({ target: 'primary' }, this.reads.counts.primary);
    });
    const queue = this.queue;
    if (!queue) return;
    metrics.addCollector(async () => {
      const queues = { [QueueName.Dispatch]: queue.dispatch, [QueueName.Maintenance]: queue.maintenance };
      for (const [name, queue] of Object.entries(queues)) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
        for (const [state, n] of Object.entries(counts)) metrics.queueJobs.set({ queue: name, state }, n);
      }
    });
  }
}

/** Health probes, metrics collectors and shutdown state for one app. */
@Global()
@Module({})
export class ObservabilityModule {
  static forApp(app: ObservedApp): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthProbesController],
      providers: [Readiness, ScrapeCollectors, { provide: OBSERVED_APP, useValue: app }],
      exports: [Readiness],
    };
  }
}
