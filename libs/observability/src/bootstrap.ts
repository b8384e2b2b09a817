import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger as Pino } from 'pino';
import { loadConfig } from '@xinyuan/config';
import { installGracefulShutdown } from './graceful-shutdown';
import { installHttpObservability } from './http-observability';
import { createLogger, LogLevel, PinoNestLogger } from './logger';
import { metrics } from './metrics';

/** The processes: each has its logs, metrics, probes and shutdown from here. */
export type ObservedApp = 'api' | 'dispatcher' | 'rating' | 'relay';

export interface AppObservability {
  pino: Pino;
  logger: LoggerService;
  /** Request ids, latency metrics, access log and /metrics; installed before any other hook. */
  instrument(app: NestFastifyApplication): void;
  /** SIGTERM/SIGINT → drain, close, exit within SHUTDOWN_TIMEOUT_MS. */
  handleSignals(app: NestFastifyApplication): void;
}

/** Everything an app's main.ts needs for logs, metrics and shutdown. */
export function observabilityFor(app: ObservedApp): AppObservability {
  const config = loadConfig();
  metrics.init(app);
  // tests keep their output to warnings and errors unless LOG_LEVEL says otherwise
  const level: LogLevel = process.env.LOG_LEVEL ? config.LOG_LEVEL : config.NODE_ENV === 'test' ? 'warn' : config.LOG_LEVEL;
  const pino = createLogger(app, level);
  return {
    pino,
    logger: new PinoNestLogger(pino),
    instrument: (nest) => installHttpObservability(nest, { logger: pino, metricsToken: config.METRICS_TOKEN }),
    handleSignals: (nest) => installGracefulShutdown(nest, { drainMs: config.SHUTDOWN_DRAIN_MS, timeoutMs: config.SHUTDOWN_TIMEOUT_MS, logger: pino }),
  };
}
