import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const toNum = toInt;

/**
 * Every setting the three apps read from the environment. Defaults suit a developer machine;
 * production must set JWT_SECRET (checked in `loadConfig`).
 */
export class AppConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @IsString()
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/xinyuan';

  @IsString()
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of every BullMQ key; lets several environments share one Redis. */
  @IsString()
  QUEUE_PREFIX = 'xinyuan';

  @IsString()
  @MinLength(16)
  JWT_SECRET = 'xinyuan-development-secret-change-me';

  @Transform(toInt)
  @IsInt()
  @Min(60)
  JWT_TTL_SECONDS = 12 * 3600;

  /**
   * Key of the application-level encryption of personal data at rest (phones, identity numbers):
   * 64 hex characters or base64 of 32 bytes. Production must set its own (checked in `loadConfig`);
   * losing it makes the encrypted columns unreadable.
   */
  @IsString()
  @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, { message: 'PII_ENCRYPTION_KEY must be 64 hex characters or base64 of 32 bytes' })
  PII_ENCRYPTION_KEY = '6465762d6f6e6c792d7069692d6b65792d6368616e67652d6d652d3031323334';

  @Transform(toInt)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @IsString()
  ADMIN_PHONE?: string;

  @IsOptional()
  @IsString()
  ADMIN_PASSWORD?: string;

  /** Upper bound of any team's service radius; also the constant distance the GiST index is searched with. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(200000)
  DISPATCH_MAX_RADIUS_M = 30000;

  /** Offers made for one order before it escalates to staff. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  DISPATCH_MAX_ATTEMPTS = 8;

  /** Weights of the dispatch score (relative; they need not sum to 1). See README "Dispatch scoring". */
  @Transform(toNum) @IsNumber() @Min(0) DISPATCH_WEIGHT_PROXIMITY = 0.3;
  @Transform(toNum) @IsNumber() @Min(0) DISPATCH_WEIGHT_SKILL_COVERAGE = 0.1;
  @Transform(toNum) @IsNumber() @Min(0) DISPATCH_WEIGHT_LOAD = 0.15;
  @Transform(toNum) @IsNumber() @Min(0) DISPATCH_WEIGHT_REPUTATION = 0.15;
  @Transform(toNum) @IsNumber() @Min(0) DISPATCH_WEIGHT_CONTINUITY = 0.15;
  @Transform(toNum) @IsNumber() @Min(0) DISPATCH_WEIGHT_FAIRNESS = 0.05;
  @Transform(toNum) @IsNumber() @Min(0) DISPATCH_WEIGHT_JURISDICTION = 0.1;

  /** Offers a team received within this many hours count against it in the fairness part. */
  @Transform(toInt) @IsInt() @Min(1) DISPATCH_FAIRNESS_WINDOW_HOURS = 24;

  /** How many nearest eligible teams are scored for one order. */
  @Transform(toInt) @IsInt() @Min(1) @Max(500) DISPATCH_CANDIDATE_POOL = 30;

  /** Teams offered an order at once in grab (抢单) mode. */
  @Transform(toInt) @IsInt() @Min(2) @Max(20) DISPATCH_GRAB_SIZE = 3;

  /** Urgent orders get this fraction of the service's accept window (never below ACCEPT_TIMEOUT_MIN_SECONDS). */
  @Transform(toNum) @IsNumber() @Min(0.05) @Max(1) URGENT_WINDOW_FACTOR = 0.5;

  /**
   * Batch assignment under surge: when at least DISPATCH_BATCH_MIN_ORDERS orders wait at once, they
   * are collected for this many ms and assigned together (min-cost matching). 0 turns batching off.
   */
  @Transform(toInt) @IsInt() @Min(0) DISPATCH_BATCH_WINDOW_MS = 0;
  @Transform(toInt) @IsInt() @Min(2) DISPATCH_BATCH_MIN_ORDERS = 20;

  /** How often the reconciler rebuilds missing jobs from Postgres. */
  @Transform(toInt)
  @IsInt()
  @Min(200)
  RECONCILE_INTERVAL_MS = 15000;

  /** An order left in `dispatching` longer than this is re-enqueued by the reconciler. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RECONCILE_STUCK_AFTER_MS = 10000;

  /** Shortest accept window a menu item may have (API.md: 5). Tests lower it to watch timeouts quickly. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ACCEPT_TIMEOUT_MIN_SECONDS = 5;

  /** A completed order nobody rated is closed after this many days. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  AUTO_CLOSE_AFTER_DAYS = 7;

  // ---- staff console, dashboards and the web front ends (issue 5) ----

  /** An offered order appears in the staff live queue once its offer expires within this many seconds. */
  @Transform(toInt) @IsInt() @Min(0) @Max(86400) LIVE_QUEUE_EXPIRING_SECONDS = 120;

  /**
   * How often the live queue is recomputed while someone watches it, besides every NOTIFY (offers
   * enter the "about to expire" band by time passing alone). One query per api process, not per viewer.
   */
  @Transform(toInt) @IsInt() @Min(200) LIVE_QUEUE_REFRESH_MS = 5000;

  /** IANA time zone the dashboard's days are counted in. */
  @IsString() @Matches(/^[A-Za-z_]+(\/[A-Za-z_+-]+)*$/, { message: 'STATS_TIME_ZONE must be an IANA zone such as Asia/Shanghai' })
  STATS_TIME_ZONE = 'Asia/Shanghai';

  /**
   * Folder with the built web front ends (console/, h5/resident/, h5/volunteer/), served by the api
   * under /console/ and /h5/…; empty turns static serving off. Relative paths are from the working directory.
   */
  @IsString() WEB_DIR = 'dist/web';

  /** Public URL of the rating service as browsers and mini-programs reach it (published at /api/v1/client-config). */
  @IsOptional() @IsString() RATING_PUBLIC_URL?: string;

  /** Optional XYZ raster tile URL (`https://…/{z}/{x}/{y}.png`) drawn under the console map; none by default (no internet tiles needed). */
  @IsOptional() @IsString() MAP_TILE_URL?: string;

  /** Origins allowed to call the rating service from a browser (comma-separated; `*` for any). Bearer tokens, no cookies. */
  @IsString() CORS_ORIGINS = '*';

  /** BullMQ job lock; a job of a killed worker is taken over after about this long. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  WORKER_LOCK_MS = 30000;

  /** Worker concurrency of the dispatcher. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  DISPATCH_CONCURRENCY = 8;

  /** Bayesian prior of team reputation: the mean a new team is assumed to have, and its weight in ratings. */
  @Transform(toNum)
  @IsNumber()
  @Min(1)
  @Max(5)
  REPUTATION_PRIOR_MEAN = 3.5;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  REPUTATION_PRIOR_WEIGHT = 5;

  /**
   * `off` lets a commit return before its WAL reaches disk. The dispatcher uses it (its default):
   * everything it writes (offers, expiries, escalations) is re-derived by the reconciler should
   * PostgreSQL itself crash within that instant, and nothing it writes was promised to a client.
   * The api and rating services keep `on`: a 201 to a resident is durable.
   */
  @IsIn(['on', 'off'])
  DB_SYNCHRONOUS_COMMIT: 'on' | 'off' = 'on';

  /** Size of the Postgres connection pool of each app. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  DB_POOL_SIZE = 10;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(AppConfig, defined, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: false, skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  if (config.NODE_ENV === 'production' && config.JWT_SECRET === new AppConfig().JWT_SECRET) {
    throw new ConfigError('Invalid environment:\n  JWT_SECRET: must be set in production');
  }
  if (config.NODE_ENV === 'production' && config.PII_ENCRYPTION_KEY === new AppConfig().PII_ENCRYPTION_KEY) {
    throw new ConfigError('Invalid environment:\n  PII_ENCRYPTION_KEY: must be set in production');
  }
  return config;
}
