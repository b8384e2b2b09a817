import { isIP } from 'node:net';
import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const toNum = toInt;
/** "true"/"1" and "false"/"0" (anything else is left as is and fails validation). */
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : value === true || value === 'true' || value === '1' ? true : value === false || value === 'false' || value === '0' ? false : value;

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

  /**
   * Lifetime of an access token (JWT). Short: a client renews it with its refresh token
   * (`POST /api/v1/auth/refresh`); logout also stops access tokens at once (session revocation).
   */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  JWT_TTL_SECONDS = 15 * 60;

  /** Lifetime of a refresh token. Every refresh rotates it, so an idle session ends after this long. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

  /** `log` writes SMS codes to the app log (development only, refused in production); `http` POSTs them to SMS_HTTP_URL. */
  @IsIn(['log', 'http'])
  SMS_PROVIDER: 'log' | 'http' = 'log';

  /** The SMS gateway the `http` provider POSTs `{phone, code, ttlSeconds, template}` to, with `Authorization: Bearer SMS_HTTP_TOKEN`. */
  @IsOptional()
  @IsString()
  SMS_HTTP_URL?: string;

  @IsOptional()
  @IsString()
  SMS_HTTP_TOKEN?: string;

  /** Template id passed to the SMS gateway (e.g. the provider's approved 验证码 template). */
  @IsOptional()
  @IsString()
  SMS_HTTP_TEMPLATE?: string;

  /** Time the SMS gateway and WeChat get to answer. */
  @Transform(toInt) @IsInt() @Min(100) @Max(60000) AUTH_UPSTREAM_TIMEOUT_MS = 5000;

  /** SMS login code: lifetime, wrong guesses allowed per code, resend cooldown and sends per phone per 24 h. */
  @Transform(toInt) @IsInt() @Min(30) @Max(3600) OTP_TTL_SECONDS = 300;
  @Transform(toInt) @IsInt() @Min(1) @Max(20) OTP_MAX_ATTEMPTS = 5;
  @Transform(toInt) @IsInt() @Min(1) @Max(3600) OTP_RESEND_COOLDOWN_SECONDS = 60;
  @Transform(toInt) @IsInt() @Min(1) @Max(1000) OTP_DAILY_LIMIT = 10;

  /**
   * Caps on SMS codes sent per minute (toll fraud: one client sending codes to many numbers): from one
   * client address, to one number block (the first 7 digits), and over the whole deployment. Beyond
   * them `POST /auth/sms/send` (and every flow that sends a code) answers 429 SMS_RATE_LIMITED.
   * 0 turns a cap off.
   */
  @Transform(toInt) @IsInt() @Min(0) SMS_SEND_PER_IP_PER_MINUTE = 5;
  @Transform(toInt) @IsInt() @Min(0) SMS_SEND_PER_PREFIX_PER_MINUTE = 20;
  @Transform(toInt) @IsInt() @Min(0) SMS_SEND_GLOBAL_PER_MINUTE = 300;

  /**
   * Staff (dispatchers, admins, grid workers) always sign in with their password; with `sms` a code
   * sent to their phone is needed too (`POST /auth/login` without `smsCode` answers 401
   * SECOND_FACTOR_REQUIRED and sends it). Required in production; the one-command demo leaves it off.
   */
  @IsIn(['off', 'sms'])
  STAFF_SECOND_FACTOR: 'off' | 'sms' = 'off';

  /**
   * Lockout after failed logins (wrong password or wrong SMS code), per phone and per client IP:
   * from the THRESHOLD-th consecutive failure on, logins are refused for BASE·2^(n−THRESHOLD) s,
   * capped at MAX; failures are forgotten after FAILURE_WINDOW s without one, or on success.
   */
  @Transform(toInt) @IsInt() @Min(1) LOGIN_LOCKOUT_THRESHOLD = 5;
  @Transform(toInt) @IsInt() @Min(1) LOGIN_LOCKOUT_IP_THRESHOLD = 100;
  @Transform(toInt) @IsInt() @Min(1) LOGIN_LOCKOUT_BASE_SECONDS = 60;
  @Transform(toInt) @IsInt() @Min(1) LOGIN_LOCKOUT_MAX_SECONDS = 3600;
  @Transform(toInt) @IsInt() @Min(60) LOGIN_FAILURE_WINDOW_SECONDS = 24 * 3600;

  /** WeChat mini-program login (jscode2session). Unset WECHAT_APPID turns WeChat login off (404 WECHAT_NOT_CONFIGURED). */
  @IsOptional()
  @IsString()
  WECHAT_APPID?: string;

  @IsOptional()
  @IsString()
  WECHAT_SECRET?: string;

  /** Base URL of the WeChat API; tests point it at a fake server. */
  @IsString()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'WECHAT_API_BASE_URL must be an http(s) URL' })
  WECHAT_API_BASE_URL = 'https://api.weixin.qq.com';

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

  /**
   * Menu items may let orders wait for batch matching (services.batch_window_seconds); an order whose
   * preferred start is less than this many minutes away is never kept waiting, nor is an urgent one.
   */
  @Transform(toInt) @IsInt() @Min(0) @Max(1440) DISPATCH_BATCH_IMMINENT_MINUTES = 30;

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

  /** Shortest accept window a menu item may have (the contract says 5). Tests lower it to watch timeouts quickly. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ACCEPT_TIMEOUT_MIN_SECONDS = 5;

  /**
   * Open orders (waiting for or being served by a team) one resident may have at once; an order placed
   * by a grid worker or staff for a beneficiary counts against that beneficiary. Beyond it POST /orders
   * answers 429 OPEN_ORDER_LIMIT. Enforced by the database inside the placing statement. 0 turns it off.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  OPEN_ORDER_LIMIT = 5;

  /**
   * Days after completion during which the team that served an order still sees its exact address,
   * location and contact phone; afterwards it sees only the coarse view (area, ~1 km location).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  TEAM_CONTACT_RETENTION_DAYS = 7;

  /** How far ahead a resident may ask for a visit (希望什么时候来); later, or in the past: 422 PREFERRED_TIME_OUT_OF_RANGE. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(366)
  PREFERRED_TIME_HORIZON_DAYS = 60;

  /** A completed order nobody rated is closed after this many days. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  AUTO_CLOSE_AFTER_DAYS = 7;

  /**
   * Slack, in minutes, on the service minutes a volunteer reports at completion: more than the time
   * since check-in plus this is refused (422 MINUTES_EXCEED_SERVICE_TIME). It covers a volunteer who
   * started before tapping 到达签到.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1440)
  COMPLETION_MINUTES_SLACK = 60;

  // ---- jurisdiction and location: region boundaries and the service area ----

  /**
   * Orders (and beneficiary profiles) whose point lies inside no region of the deployment are
   * refused with 422 OUT_OF_SERVICE_AREA. `true` takes them without a region (searched by radius
   * alone, seen by the everything-scope admin only).
   */
  @Transform(toBool)
  @IsBoolean()
  ALLOW_ORDERS_OUTSIDE_REGIONS = false;

  /** A region boundary with more positions than this is refused (422 BOUNDARY_TOO_COMPLEX). */
  @Transform(toInt)
  @IsInt()
  @Min(4)
  @Max(1_000_000)
  REGION_BOUNDARY_MAX_VERTICES = 5000;

  /**
   * Largest body of POST/PATCH /api/v1/regions: a boundary at REGION_BOUNDARY_MAX_VERTICES positions
   * (~40 bytes each with full precision) does not fit BODY_LIMIT_BYTES; larger is 413.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(16 * 1024 * 1024)
  REGION_BODY_LIMIT_BYTES = 512 * 1024;

  /** Statement timeout (ms) on the checks of a new or changed region boundary; past it: 422 BOUNDARY_TOO_COMPLEX. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(60000)
  REGION_BOUNDARY_CHECK_TIMEOUT_MS = 3000;
  // ---- the volunteer's service record (志愿服务记录) ----

  /**
   * Check-in farther than this from the order's location is refused (422 CHECKIN_TOO_FAR) unless the
   * volunteer overrides it with a reason; an overridden visit's minutes stay pending until staff confirm.
   */
  @Transform(toInt) @IsInt() @Min(10) @Max(100000) CHECKIN_MAX_DISTANCE_M = 500;

  /** Fraud check: two consecutive check-ins of one volunteer implying a faster speed than this are flagged (impossible travel). */
  @Transform(toNum) @IsNumber() @Min(1) @Max(2000) TRAVEL_MAX_SPEED_KMH = 120;

  /** Fraud check: a resident confirming more services than this in one day flags the further ones for staff review. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1000) CONFIRMATIONS_PER_RESIDENT_DAY_MAX = 3;

  /** Star levels (一星 … 五星) by cumulative verified hours: five ascending numbers, comma-separated. */
  @IsString() @Matches(/^\d+(,\d+){4}$/, { message: 'STAR_LEVEL_HOURS must be five comma-separated whole numbers, e.g. 100,300,600,1000,1500' })
  STAR_LEVEL_HOURS = '100,300,600,1000,1500';

  /** 五星服务队: how many top teams of each county's monthly ranking are recognised (docs/record.md). */
  @Transform(toInt) @IsInt() @Min(1) @Max(100) FIVE_STAR_TEAMS_PER_COUNTY = 3;

  /**
   * Points and time-bank rule packs (JSON: name → {pointsPerHour, dailyCap, expiryDays,
   * transferToRelative, donateToPool, minAgeToDraw}); a built-in `default` pack applies where no
   * region names one (10 points an hour, 100 a day, points expire after 365 days, transfers and
   * donations allowed, care drawn from 60).
   */
  @IsString() @Matches(/^\s*\{[\s\S]*\}\s*$/, { message: 'RULE_PACKS must be a JSON object' }) RULE_PACKS = '{}';

  /** Which jurisdiction uses which pack (JSON: region id or exact name → pack name); the deepest region that has one wins. */
  @IsString() @Matches(/^\s*\{[\s\S]*\}\s*$/, { message: 'REGION_RULE_PACKS must be a JSON object' }) REGION_RULE_PACKS = '{}';

  /** The issuing organisation printed on certificates (志愿服务记录证明), e.g. the county's volunteer association. */
  @IsString() CERTIFICATE_ISSUER = '县志愿服务联合会';

  /**
   * Public base URL of the api as a phone reaches it (https://…); the certificate's QR code opens
   * `<base>/api/v1/certificates/<number>`. Unset: the QR code holds the path alone.
   */
  @IsOptional() @IsString() @Matches(/^https?:\/\/[^\s]+[^/]$/, { message: 'PUBLIC_API_URL must be an http(s) URL without a trailing slash' }) PUBLIC_API_URL?: string;

  // ---- staff console, dashboards and the web front ends ----

  /** An offered order appears in the staff live queue once its offer expires within this many seconds. */
  @Transform(toInt) @IsInt() @Min(0) @Max(86400) LIVE_QUEUE_EXPIRING_SECONDS = 120;

  /**
   * How often the live queue is recomputed while someone watches it, besides every NOTIFY (offers
   * enter the "about to expire" band by time passing alone). One query per api process, not per viewer.
   */
  @Transform(toInt) @IsInt() @Min(200) LIVE_QUEUE_REFRESH_MS = 5000;

  /**
   * A live-queue stream sends a heartbeat this often and checks then that its session is still
   * valid: a logged-out or disabled staff member's open console stops receiving within this time.
   */
  @Transform(toInt) @IsInt() @Min(100) @Max(60000) LIVE_QUEUE_HEARTBEAT_MS = 15000;

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

  /**
   * The deployment's home region (a region id, or its exact name such as 安吉县): where a resident's
   * map picker opens when they have neither an earlier order nor a profile. Unset: the county with the
   * most active teams.
   */
  @IsOptional() @IsString() MAP_HOME_REGION?: string;

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

  /**
   * Dispatch jobs running at the same time share transactions: at most this many orders in one
   * (1: every order its own transaction), and at most DISPATCH_TX_PARALLEL such transactions at once.
   * Only a backlog fills them: an order arriving while a transaction slot is free starts alone.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  DISPATCH_TX_MAX_ORDERS = 8;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  DISPATCH_TX_PARALLEL = 4;

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

  // ---------------------------------------------------------------- HTTP hardening (api, rating)

  /**
   * Reverse proxies whose `X-Forwarded-For` is believed, comma-separated: IP addresses, CIDR ranges,
   * or `loopback`, `linklocal`, `uniquelocal`. Empty (the default): none, so the client address is
   * the socket's and a client cannot pick its own rate-limit bucket by sending the header. Behind a
   * load balancer, list its addresses: the client is then the right-most address not in this list.
   */
  @IsString()
  TRUSTED_PROXIES = '';

  /**
   * Browser origins allowed to call the API cross-origin (CORS), comma-separated, e.g.
   * `https://console.example.gov.cn,https://h5.example.gov.cn`. Empty (the default): no CORS headers.
   */
  @IsString()
  CORS_ORIGINS = '';

  /** Largest accepted request body; larger ones are answered 413 PAYLOAD_TOO_LARGE unread. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(16 * 1024 * 1024)
  BODY_LIMIT_BYTES = 64 * 1024;

  /** A request (headers and body) must arrive within this long, or the connection is closed (slow-client defence). */
  @Transform(toInt)
  @IsInt()
  @Min(200)
  HTTP_REQUEST_TIMEOUT_MS = 30000;

  /**
   * Rate limits (GCRA over Redis, shared by every api and rating replica): each bucket allows a burst
   * of its limit and refills at limit / RATE_LIMIT_WINDOW_SECONDS. 0 turns a bucket off.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_WINDOW_SECONDS = 60;

  /** Requests per window from one client address (an IPv6 client counts per /64), every route. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_PER_IP = 1200;

  /** Requests per window of one signed-in user, over all addresses and both apps. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_PER_USER = 600;

  /** Requests per window from one client address to /api/v1/auth/* (login, register, codes, refresh). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_AUTH_PER_IP = 30;

  /** Redis of the rate limits; defaults to REDIS_URL. */
  @IsOptional()
  @IsString()
  RATE_LIMIT_REDIS_URL?: string;

  /**
   * Longest wait for Redis on a request. Past it, or while Redis is unreachable, the limits are
   * counted in the process instead (fail-open to per-replica limits; never a 500, never a hang).
   */
  @Transform(toInt)
  @IsInt()
  @Min(5)
  RATE_LIMIT_REDIS_TIMEOUT_MS = 100;

  // ---------------------------------------------------------------- notifications (relay, api)

  /**
   * Tests only (refused unless NODE_ENV=test): a file holding the time the apps' time-based rules read
   * (quiet hours, reminders, retries): an ISO instant, or `+ms` / `-ms` from the real time.
   */
  @IsOptional() @IsString() CLOCK_FILE?: string;

  /** How often an idle relay looks for new outbox events (a busy one drains without pause). */
  @Transform(toInt) @IsInt() @Min(20) @Max(60000) RELAY_POLL_MS = 200;

  /**
   * Period of the relay's sweep (a BullMQ job scheduler, re-created from Postgres after a Redis loss):
   * reminders due, messages held for quiet hours or a cap, retries due, sends whose relay died.
   */
  @Transform(toInt) @IsInt() @Min(100) @Max(600000) NOTIFY_SWEEP_MS = 2000;

  /** Outbox events turned into notifications per transaction. */
  @Transform(toInt) @IsInt() @Min(1) @Max(5000) NOTIFY_BATCH = 200;

  /** Deliveries (SMS, WeChat) one relay process sends at once. */
  @Transform(toInt) @IsInt() @Min(1) @Max(500) NOTIFY_CONCURRENCY = 16;

  /** Attempts per delivery before it is dead-lettered; the wait doubles from NOTIFY_RETRY_BASE_MS. */
  @Transform(toInt) @IsInt() @Min(1) @Max(20) NOTIFY_MAX_ATTEMPTS = 5;
  @Transform(toInt) @IsInt() @Min(10) NOTIFY_RETRY_BASE_MS = 30000;

  /** A send whose relay died is retried (with the same idempotency key) after this long. */
  @Transform(toInt) @IsInt() @Min(500) NOTIFY_SEND_LEASE_MS = 60000;

  /** `offer_expiring` goes out when this share of the accept window has passed. */
  @Transform(toNum) @IsNumber() @Min(0.05) @Max(0.95) NOTIFY_EXPIRING_SHARE = 0.5;

  /** Text messages (SMS, WeChat) per person per channel per hour; urgent ones are not held back. */
  @Transform(toInt) @IsInt() @Min(1) NOTIFY_HOURLY_CAP = 10;

  /** New-offer messages to one person within this window are folded into one ("您有 N 个新派单"). */
  @Transform(toInt) @IsInt() @Min(0) NOTIFY_COALESCE_MS = 60000;

  /** Quiet hours of a person who has not chosen their own (local time, HH:MM-HH:MM; `off`: none). */
  @IsString() @Matches(/^(off|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$/, { message: 'NOTIFY_QUIET_HOURS must look like 22:00-07:00 (or off)' })
  NOTIFY_QUIET_HOURS = '22:00-07:00';

  /** Time zone of quiet hours and reminders of a person who has not chosen one. */
  @IsString() @Matches(/^[A-Za-z_]+(\/[A-Za-z_+-]+)*$/, { message: 'NOTIFY_TIME_ZONE must be an IANA zone such as Asia/Shanghai' })
  NOTIFY_TIME_ZONE = 'Asia/Shanghai';

  // ---------------------------------------------------------------- proactive care (dispatcher, api)

  /**
   * The longest time between two care sweeps (deadlines passed, ladder steps due, visit tasks to make);
   * the dispatcher also wakes at the next deadline or ladder step when that comes sooner.
   */
  @Transform(toInt) @IsInt() @Min(100) @Max(60000) CARE_SWEEP_MS = 5000;

  /** Missed-check-in batches a sweep opens at once (each on its own connection; SKIP LOCKED shares the plans out). */
  @Transform(toInt) @IsInt() @Min(1) @Max(16) CARE_SWEEP_PARALLELISM = 2;

  /** Missed check-in: minutes after the alert opened (step 1) with no check-in or acknowledgement before step 2 (grid worker, paired volunteer, a visit task). */
  @Transform(toInt) @IsInt() @Min(1) @Max(1440) CARE_STEP2_AFTER_MINUTES = 30;

  /** Minutes after step 2 before step 3 (an urgent 上门查看 order, staff alerted). */
  @Transform(toInt) @IsInt() @Min(1) @Max(1440) CARE_STEP3_AFTER_MINUTES = 30;

  /** The visit task of step 2 is due within this many minutes. */
  @Transform(toInt) @IsInt() @Min(5) @Max(1440) CARE_CHECK_VISIT_MINUTES = 30;

  /** The menu item of the urgent order at step 3 (the care migration creates 上门查看). */
  @IsString() CARE_URGENT_SERVICE_CODE = 'CARE_HOME_CHECK';

  /** A 回访 (follow-up after a poor rating) is due within this many hours. */
  @Transform(toInt) @IsInt() @Min(1) @Max(720) CARE_FOLLOWUP_HOURS = 48;

  /** Local time of the reminder the evening before a scheduled visit. */
  @IsString() @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'NOTIFY_REMINDER_AT must be HH:MM' })
  NOTIFY_REMINDER_AT = '19:00';

  /** Where people open the apps: deep links in text messages start here. */
  @IsString() @Matches(/^https?:\/\/[^\s]+$/, { message: 'PUBLIC_WEB_URL must be an http(s) URL' })
  PUBLIC_WEB_URL = 'http://127.0.0.1:3000';

  /** SMS signature (签名) registered with the provider. */
  @IsString() SMS_SIGN_NAME = '心愿';

  /**
   * Template codes approved by the SMS provider, per message type: `offer_new=SMS_123,order_accepted=SMS_456`.
   * A type not listed uses `XY_<TYPE>` (what the fake gateway and development know).
   */
  @IsString() SMS_TEMPLATES = '';

  /** Shared secret of the provider's callbacks (delivery reports, replies); unset: callbacks answer 401. */
  @IsOptional() @IsString() @MinLength(16) SMS_CALLBACK_SECRET?: string;

  /** Oldest accepted callback timestamp, in seconds from now (replays are refused). */
  @Transform(toInt) @IsInt() @Min(10) SMS_CALLBACK_TOLERANCE_SECONDS = 300;

  /**
   * WeChat subscribe-message templates per type: `order_accepted=<templateId>:thing1=service,time2=time;…`
   * (the template's keywords and which of our fields fills each). Unset: no WeChat messages.
   */
  @IsString() WECHAT_TEMPLATES = '';

  /** `miniprogram_state` of subscribe messages: formal, trial or developer. */
  @IsIn(['formal', 'trial', 'developer']) WECHAT_MINIPROGRAM_STATE: 'formal' | 'trial' | 'developer' = 'formal';

  // ---------------------------------------------------------------- interop: webhooks (relay), Open311 (api)

  /** Webhook targets on private, loopback or link-local addresses are refused unless this is `true` (tests, closed networks). */
  @IsIn(['true', 'false']) WEBHOOK_ALLOW_PRIVATE: 'true' | 'false' = 'false';

  /** Longest wait for a webhook receiver to answer (connect, send, first bytes of the answer). */
  @Transform(toInt) @IsInt() @Min(100) @Max(60000) WEBHOOK_TIMEOUT_MS = 10000;

  /** How often an idle relay looks for new events and due webhook deliveries. */
  @Transform(toInt) @IsInt() @Min(20) @Max(60000) WEBHOOK_POLL_MS = 500;

  /** Webhook deliveries one relay process sends at once. */
  @Transform(toInt) @IsInt() @Min(1) @Max(200) WEBHOOK_CONCURRENCY = 8;

  /** A send whose relay died is sent again (same webhook-id) after this long. */
  @Transform(toInt) @IsInt() @Min(500) WEBHOOK_SEND_LEASE_MS = 60000;

  /** Open311 requests per minute per API key (every route of /open311/v2 that names a key). */
  @Transform(toInt) @IsInt() @Min(0) OPEN311_RATE_LIMIT_PER_KEY = 120;

  /** Size of the Postgres connection pool of each app. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  DB_POOL_SIZE = 10;

  /**
   * Longest wait for a Postgres connection (opening one, or a free one from the pool). Past it the
   * request answers 503 SERVICE_UNAVAILABLE with Retry-After instead of hanging; 0 waits for ever.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  DB_CONNECT_TIMEOUT_MS = 5000;

  /**
   * Longest wait for the answer to one statement of the apps (not of migrations). Past it the
   * connection is closed (Postgres rolls back what it had begun) and the request answers 503: a
   * frozen network or a hung server cannot hold requests and connections for ever. 0 turns it off.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  DB_QUERY_TIMEOUT_MS = 30000;
  // ---- high availability and operations (see README "Operations" and "High availability") ----

  /**
   * Redis Sentinel addresses (`host:port,host:port,…`). When set, every Redis connection (queues,
   * sessions, rate limits) asks the sentinels for the current master of REDIS_SENTINEL_NAME instead
   * of using REDIS_URL's host; REDIS_URL still gives the db number and password.
   */
  @IsOptional()
  @IsString()
  @Matches(/^\s*[^\s:,]+:\d{1,5}(\s*,\s*[^\s:,]+:\d{1,5})*\s*$/, { message: 'REDIS_SENTINELS must be host:port[,host:port…]' })
  REDIS_SENTINELS?: string;

  @IsString()
  REDIS_SENTINEL_NAME = 'xinyuan';

  /**
   * A read-only connection (a streaming replica) for reads that may lag: dashboard, exports, map
   * layers. Used only while its measured staleness is within READ_REPLICA_MAX_LAG_MS; otherwise,
   * and when unset, those reads go to DATABASE_URL. Everything that decides stays on the primary.
   */
  @IsOptional()
  @IsString()
  DATABASE_READ_URL?: string;

  @Transform(toInt) @IsInt() @Min(100) READ_REPLICA_MAX_LAG_MS = 10000;
  @Transform(toInt) @IsInt() @Min(100) READ_REPLICA_CHECK_MS = 1000;

  /**
   * Bearer token Prometheus sends to `/metrics`. Unset: `/metrics` answers only direct loopback
   * clients (no X-Forwarded-For), everyone else gets 404.
   */
  @IsOptional()
  @IsString()
  @MinLength(16)
  METRICS_TOKEN?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  /** On SIGTERM: readiness fails at once, the app keeps serving this long (load balancers notice), then closes. */
  @Transform(toInt) @IsInt() @Min(0) @Max(120000) SHUTDOWN_DRAIN_MS = 0;

  /** Longest graceful shutdown (running jobs finish, connections close); then the process exits anyway. */
  @Transform(toInt) @IsInt() @Min(1000) @Max(600000) SHUTDOWN_TIMEOUT_MS = 15000;

  /** Time Postgres and Redis get to answer a readiness probe. */
  @Transform(toInt) @IsInt() @Min(100) @Max(30000) HEALTH_CHECK_TIMEOUT_MS = 1500;
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
  if (config.NODE_ENV === 'production') {
    const weak = productionSecretErrors(config);
    if (weak.length) throw new ConfigError(`Invalid environment:\n${weak.map((l) => `  ${l}`).join('\n')}`);
    if (config.STAFF_SECOND_FACTOR !== 'sms') {
      throw new ConfigError('Invalid environment:\n  STAFF_SECOND_FACTOR: must be sms in production (staff sign in with password and an SMS code)');
    }
  }
  if (config.NODE_ENV === 'production' && config.SMS_PROVIDER === 'log') {
    throw new ConfigError('Invalid environment:\n  SMS_PROVIDER: the log sender writes login codes to the log and is not allowed in production; use http');
  }
  if (config.SMS_PROVIDER === 'http' && !config.SMS_HTTP_URL) {
    throw new ConfigError('Invalid environment:\n  SMS_HTTP_URL: must be set when SMS_PROVIDER=http');
  }
  if (config.CLOCK_FILE && config.NODE_ENV !== 'test') {
    throw new ConfigError('Invalid environment:\n  CLOCK_FILE: a test clock; only allowed when NODE_ENV=test');
  }
  if (config.WECHAT_APPID && !config.WECHAT_SECRET) {
    throw new ConfigError('Invalid environment:\n  WECHAT_SECRET: must be set when WECHAT_APPID is');
  }
  if (config.LOGIN_LOCKOUT_MAX_SECONDS < config.LOGIN_LOCKOUT_BASE_SECONDS) {
    throw new ConfigError('Invalid environment:\n  LOGIN_LOCKOUT_MAX_SECONDS: must not be below LOGIN_LOCKOUT_BASE_SECONDS');
  }
  const listErrors = [...trustedProxyErrors(config.TRUSTED_PROXIES), ...corsOriginErrors(config.CORS_ORIGINS)];
  if (listErrors.length) throw new ConfigError(`Invalid environment:\n${listErrors.map((l) => `  ${l}`).join('\n')}`);
  return config;
}

/**
 * Secret values that appear in this repository (defaults, tests, examples, scripts, the demo): a
 * production deployment using any of them has a secret everybody knows. Add here every secret-like
 * value that is committed anywhere.
 */
export const KNOWN_SECRETS: readonly string[] = [
  'xinyuan-development-secret-change-me',
  '6465762d6f6e6c792d7069692d6b65792d6368616e67652d6d652d3031323334',
  'xinyuan-test-secret-0123456789',
  'xinyuan-bench-secret-0123456789',
  'a-production-secret-0123456789',
  'test-sms-callback-secret-0123456789',
  'Admin#2026',
  'Admin#Test2026',
  'Resident#2026',
  'Volunteer#2026',
  'Staff#2026',
  'wechat-test-secret',
  'ab'.repeat(32),
  'x'.repeat(32),
];

/** Shannon entropy of a string in bits (length × per-character entropy of its own character counts). */
export function entropyBits(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * value.length;
}

/** The shortest block the value repeats (`q8Zr1!q8Zr1!q8` → `q8Zr1!`); the value itself when it does not. */
function repeatedBlock(value: string): string {
  for (let period = 1; period <= value.length / 2; period++) {
    let repeats = true;
    for (let i = period; i < value.length && repeats; i++) repeats = value[i] === value[i - period];
    if (repeats) return value.slice(0, period);
  }
  return value;
}

/**
 * A generous estimate of the bits in a secret, beaten by the patterns people type or paste: letter
 * frequencies (`aaaa…`), a repeated block (`secret-secret-…`), and runs with a constant step
 * (`abcdef…`, `0123456789…`, `zyxw…`), which look varied by letters but are one step repeated.
 */
export function guessabilityBits(value: string): number {
  const block = repeatedBlock(value);
  const codes = Array.from(value, (ch) => ch.codePointAt(0)!);
  const steps = codes.slice(1).map((code, i) => String.fromCodePoint(code - codes[i] + 0x10000));
  return Math.min(entropyBits(block), steps.length ? entropyBits(steps.join('')) + 8 : 0);
}

/** A secret production refuses: one committed to the repository, or too guessable (< 128 bits by `guessabilityBits`). */
export function weakSecretReason(value: string, minBits = 128): string | undefined {
  const known = KNOWN_SECRETS.some((k) => k === value || k.toLowerCase() === value.toLowerCase());
  if (known) return 'is a value published in the source repository';
  if (new Set(value).size < 10 || guessabilityBits(value) < minBits) return `is too guessable (needs at least ${minBits} bits: e.g. 32 random bytes, openssl rand -hex 32)`;
  return undefined;
}

/** What production refuses in the secrets it is given (empty: all fine). */
export function productionSecretErrors(config: AppConfig): string[] {
  const errors: string[] = [];
  const check = (name: string, value: string | undefined, minBits = 128) => {
    if (!value) return;
    const reason = weakSecretReason(value, minBits);
    if (reason) errors.push(`${name}: ${reason}`);
  };
  check('JWT_SECRET', config.JWT_SECRET);
  check('PII_ENCRYPTION_KEY', config.PII_ENCRYPTION_KEY);
  check('METRICS_TOKEN', config.METRICS_TOKEN, 96);
  check('SMS_HTTP_TOKEN', config.SMS_HTTP_TOKEN, 64);
  check('SMS_CALLBACK_SECRET', config.SMS_CALLBACK_SECRET, 64);
  check('WECHAT_SECRET', config.WECHAT_SECRET, 64);
  // a person types this one: refuse only the published ones and the trivially short
  if (config.ADMIN_PASSWORD) {
    if (KNOWN_SECRETS.includes(config.ADMIN_PASSWORD)) errors.push('ADMIN_PASSWORD: is a value published in the source repository');
    else if (config.ADMIN_PASSWORD.length < 12 || guessabilityBits(config.ADMIN_PASSWORD) < 48) errors.push('ADMIN_PASSWORD: too short or guessable (at least 12 characters)');
  }
  return errors;
}

/** Splits a comma-separated setting into its trimmed, non-empty entries. */
export function listSetting(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function trustedProxyErrors(value: string): string[] {
  const bad = listSetting(value).filter((entry) => {
    if (PROXY_KEYWORDS.has(entry)) return false;
    const [addr, bits, ...rest] = entry.split('/');
    const family = isIP(addr);
    if (!family || rest.length) return true;
    if (bits === undefined) return false;
    return !/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128);
  });
  return bad.length ? [`TRUSTED_PROXIES: not an IP address, CIDR range or loopback/linklocal/uniquelocal: ${bad.join(', ')}`] : [];
}

function corsOriginErrors(value: string): string[] {
  const bad = listSetting(value).filter((entry) => {
    try {
      const url = new URL(entry);
      return !['http:', 'https:'].includes(url.protocol) || url.origin !== entry;
    } catch {
      return true;
    }
  });
  return bad.length ? [`CORS_ORIGINS: each entry must be an origin like https://console.example.gov.cn (no path, no *): ${bad.join(', ')}`] : [];
}
