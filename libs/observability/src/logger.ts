import { LoggerService } from '@nestjs/common';
import pino, { Logger as Pino } from 'pino';
import { currentCorrelationId } from '@xinyuan/common';
import { LinesPerTurn } from './lines-per-turn';
import { scrubLogText } from './log-scrub';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * One JSON object per line on stdout (pino): time, level, app, context, msg, and the correlation id
 * of the request or job being served. Every string that goes out is scrubbed (`scrubLogText`). The
 * lines of one event-loop turn leave in one write (`LinesPerTurn`).
 */
export function createLogger(app: string, level: LogLevel): Pino {
  const lines = new LinesPerTurn();
  // pino's default: stdout's descriptor, asynchronously, unless something replaced process.stdout.write
  const stdoutReplaced = process.stdout.write !== Object.getPrototypeOf(process.stdout).write;
  lines.into(stdoutReplaced ? process.stdout : pino.destination({ dest: process.stdout.fd || 1, sync: false }));
  return pino({
    level,
    base: { app, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const correlationId = currentCorrelationId();
      return correlationId ? { correlationId } : {};
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrubLogText(a) : a)) as Parameters<typeof method>);
      },
    },
    serializers: {
      err: (e: Error) => ({ type: e?.name, message: scrubLogText(String(e?.message ?? e)), stack: e?.stack ? scrubLogText(e.stack) : undefined }),
    },
  }, lines);
}

/** The Nest logger of every app, writing through pino. */
export class PinoNestLogger implements LoggerService {
  constructor(readonly pino: Pino) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    // Nest passes (message, stack?, context)
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const stack = typeof params[0] === 'string' ? (params[0] as string) : undefined;
    const fields: Record<string, unknown> = { context };
    if (stack) fields.stack = scrubLogText(stack);
    if (message instanceof Error) {
      fields.err = message;
      this.pino.error(fields, message.message);
    } else this.pino.error(fields, stringify(message));
  }

  private write(level: 'info' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, params: unknown[]): void {
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? (params[params.length - 1] as string) : undefined;
    this.pino[level]({ context }, stringify(message));
  }
}

function stringify(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message instanceof Error) return message.message;
  try {
    return JSON.stringify(message);
  } catch {
    return String(message);
  }
}
