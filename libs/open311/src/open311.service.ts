import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONTACT_PHONE_PATTERN } from '@xinyuan/beneficiaries';
import { Clock, DomainException, ErrorCode, PiiCipher, RateLimiter, retryAfterSeconds } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { toEwkt } from '@xinyuan/geo';
import { PlaceOrderUseCase } from '@xinyuan/orders';
import { dateRange, georeportStatus, georeportStatusNote, listParam, Open311Error, ordersStatusesFor, SERVICE_ATTRIBUTES } from './georeport';
import { hashKey } from './open311-keys.service';

export interface Integration {
  id: string;
  name: string;
  regionId: string;
  userId: string;
}

type Params = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const W3C = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const LEVEL_ORDER = `array_position(ARRAY['point', 'village', 'township', 'county'], r.level)`;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/**
 * The Open311 GeoReport v2 server: the menu as services and their definitions, service requests
 * filed as orders on behalf of the person named (the integration's account places them, through
 * the same use case as any order, so they are dispatched like any other), and their status read
 * back. Errors are Open311Error (the specification's list of {code, description}).
 */
@Injectable()
export class Open311Service implements OnModuleDestroy {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly dataSource: DataSource,
    private readonly place: PlaceOrderUseCase,
    private readonly cipher: PiiCipher,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.limiter = new RateLimiter({
      redisUrl: config.RATE_LIMIT_REDIS_URL ?? config.REDIS_URL,
      redisSentinels: config.RATE_LIMIT_REDIS_URL ? undefined : config.REDIS_SENTINELS,
      redisSentinelName: config.REDIS_SENTINEL_NAME,
      keyPrefix: `${config.QUEUE_PREFIX}:rl:`,
      timeoutMs: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.limiter.close();
  }

  /** The integration of a key (403 when missing, unknown or revoked), counted against its rate limit (429). */
  async authenticate(apiKey: unknown): Promise<Integration> {
    const key = str(apiKey);
    if (!key) throw new Open311Error(403, 'api_key is required');
    const [row] = await this.dataSource.query(
      `SELECT id, name, region_id, user_id FROM open311_integrations WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hashKey(key)],
    );
    if (!row) throw new Open311Error(403, 'api_key is invalid or revoked');
    const verdict = await this.limiter.check([{ name: 'open311', key: `open311:${row.id}`, limit: this.config.OPEN311_RATE_LIMIT_PER_KEY, windowMs: 60000 }]);
    if (!verdict.allowed) throw new Open311Error(429, `rate limit of this api_key reached; retry after ${retryAfterSeconds(verdict.retryAfterMs)} s`);
    return { id: row.id, name: row.name, regionId: row.region_id, userId: row.user_id };
  }

  /** GET services: the active menu; with an api_key, only items that may be ordered in its region. */
  async services(apiKey: unknown): Promise<Record<string, unknown>[]> {
    const integration = str(apiKey) ? await this.authenticate(apiKey) : null;
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT s.code, s.name, s.description, s.group_name, s.required_skills FROM services s
        WHERE s.active AND ($1::uuid IS NULL OR s.region_id IS NULL
              OR EXISTS (SELECT 1 FROM regions r WHERE r.id = $1 AND r.path @> ARRAY[s.region_id]))
        ORDER BY s.group_name, s.code`,
      [integration?.regionId ?? null],
    );
    return rows.map((s) => ({
      service_code: s.code,
      service_name: s.name,
      description: s.description ?? s.name,
      metadata: true,
      type: 'realtime',
      keywords: (s.required_skills as string[]).join(','),
      group: s.group_name,
    }));
  }

  /** GET services/{code}: the attributes a request may carry. */
  async definition(code: string): Promise<Record<string, unknown>> {
    const [s] = await this.dataSource.query(`SELECT code FROM services WHERE code = $1 AND active`, [code]);
    if (!s) throw new Open311Error(404, `service_code ${code} not found`);
    return { service_code: s.code, attributes: SERVICE_ATTRIBUTES };
  }

  /** POST requests: one order on behalf of the person named. */
  async create(p: Params, idempotencyKey?: string): Promise<Record<string, unknown>[]> {
    const integration = await this.authenticate(p.api_key);
    const serviceCode = str(p.service_code);
    if (!serviceCode) throw new Open311Error(400, 'service_code is required');
    const [service] = await this.dataSource.query(`SELECT code, name FROM services WHERE code = $1 AND active`, [serviceCode]);
    if (!service) throw new Open311Error(404, `service_code ${serviceCode} not found`);

    const located = await this.locate(p, integration);
    const phone = str(p.phone)?.replace(/[\s()]/g, '').replace(/^\+?86/, '');
    if (!phone) throw new Open311Error(400, 'phone is required: the volunteers must be able to reach the person');
    if (!CONTACT_PHONE_PATTERN.test(phone)) throw new Open311Error(400, 'phone must be a Chinese mobile or landline number');
    const description = str(p.description) ?? service.name;
    if (description.length > 2000) throw new Open311Error(400, 'description must be at most 2000 characters');
    const urgent = str(p['attribute[urgent]']);
    if (urgent !== undefined && urgent !== '0' && urgent !== '1') throw new Open311Error(400, 'attribute[urgent] must be 0 or 1');
    const preferredStart = str(p['attribute[preferred_start]']);
    const preferredEnd = str(p['attribute[preferred_end]']);
    for (const [field, v] of [['preferred_start', preferredStart], ['preferred_end', preferredEnd]] as const) {
      if (v !== undefined && (!W3C.test(v) || Number.isNaN(Date.parse(v)))) throw new Open311Error(400, `attribute[${field}] must be a W3C date-time with a time zone`);
    }
    const name = [str(p.last_name), str(p.first_name)].filter(Boolean).join('');
    for (const [field, max] of [['first_name', 50], ['last_name', 50], ['email', 200], ['device_id', 200], ['account_id', 200], ['address_string', 300]] as const) {
      if ((str(p[field])?.length ?? 0) > max) throw new Open311Error(400, `${field} must be at most ${max} characters`);
    }

    let placed;
    try {
      placed = await this.place.execute(
        { id: integration.userId, roles: [], regionId: integration.regionId },
        {
          serviceCode, description, location: located.location, address: located.address, contactPhone: phone,
          urgent: urgent === '1', preferredStart, preferredEnd,
        },
        idempotencyKey,
        { onBehalfAs: 'integration' },
      );
    } catch (e) {
      if (e instanceof DomainException) {
        if (e.code === ErrorCode.ServiceNotFound) throw new Open311Error(404, `service_code ${serviceCode} not found`);
        const detail = e.fields?.map((f) => `${f.field}: ${f.messages.join('; ')}`).join(', ');
        throw new Open311Error(e.status === 429 ? 429 : e.status >= 500 ? e.status : 400, detail ? `${e.message} (${detail})` : e.message);
      }
      throw e;
    }
    const order = placed.order;
    const requester = name || str(p.email) ? JSON.stringify({ name: name || null, email: str(p.email) ?? null }) : null;
    await this.dataSource.query(
      `INSERT INTO open311_requests (order_id, integration_id, requester_enc, device_id, account_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [order.id, integration.id, requester ? this.cipher.encrypt(requester) : null, str(p.device_id) ?? null, str(p.account_id) ?? null],
    );
    return [{
      service_request_id: order.id,
      service_notice: order.status === 'pending_review' ? '已受理，等待审核 Received, awaiting review' : '已受理，正在派单 Received, being dispatched',
      account_id: str(p.account_id) ?? null,
    }];
  }

  /** lat+long (inside the key's region), or an address string placed by the names of the deployment's regions. */
  private async locate(p: Params, integration: Integration): Promise<{ location: { lat: number; lng: number }; address: string }> {
    const latRaw = str(p.lat);
    const lngRaw = str(p.long);
    const addressString = str(p.address_string);
    if (latRaw !== undefined || lngRaw !== undefined) {
      const lat = Number(latRaw);
      const lng = Number(lngRaw);
      if (latRaw === undefined || lngRaw === undefined || !Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
        throw new Open311Error(400, 'lat and long must both be given as WGS84 decimal degrees');
      }
      const [inside] = await this.dataSource.query(
        `SELECT r.name, r.path @> ARRAY[$2::uuid] AS ours FROM regions r
          WHERE r.boundary IS NOT NULL AND ST_Covers(r.boundary, $1::geography) ORDER BY ${LEVEL_ORDER} LIMIT 1`,
        [toEwkt({ lat, lng }), integration.regionId],
      );
      if (!inside?.ours) throw new Open311Error(400, 'the location is outside the area this api_key serves');
      return { location: { lat, lng }, address: addressString ?? `${inside.name}（${lat.toFixed(5)}, ${lng.toFixed(5)}）` };
    }
    if (addressString) {
      // the geocoder of a county platform: the deepest region of the key's area whose name the address names
      const [hit] = await this.dataSource.query(
        `SELECT r.name, ST_Y(ST_PointOnSurface(r.boundary::geometry)) AS lat, ST_X(ST_PointOnSurface(r.boundary::geometry)) AS lng
           FROM regions r
          WHERE r.boundary IS NOT NULL AND r.path @> ARRAY[$2::uuid] AND length(r.name) >= 2 AND strpos($1, r.name) > 0
          ORDER BY ${LEVEL_ORDER}, length(r.name) DESC LIMIT 1`,
        [addressString, integration.regionId],
      );
      if (!hit) throw new Open311Error(400, 'address_string could not be located in the area of this api_key; send lat and long');
      return { location: { lat: Number(hit.lat), lng: Number(hit.lng) }, address: addressString };
    }
    throw new Open311Error(400, 'a location is required: lat and long, or address_string');
  }

  /** GET requests: the integration's own requests, filtered as the specification says. */
  async list(p: Params): Promise<Record<string, unknown>[]> {
    const integration = await this.authenticate(p.api_key);
    const ids = listParam(p.service_request_id);
    const params: unknown[] = [integration.userId];
    const where = ['o.resident_id = $1'];
    if (ids.length) {
      // ids given: every other filter is ignored (the specification says so)
      params.push(ids.filter((id) => UUID.test(id)));
      where.push(`o.id = ANY($${params.length}::uuid[])`);
    } else {
      const codes = listParam(p.service_code);
      if (codes.length) {
        params.push(codes);
        where.push(`o.service_code = ANY($${params.length}::text[])`);
      }
      const statuses = listParam(p.status);
      if (statuses.some((s) => s !== 'open' && s !== 'closed')) throw new Open311Error(400, 'status must be open, closed or both');
      const ours = ordersStatusesFor([...new Set(statuses)] as ('open' | 'closed')[]);
      if (ours) {
        params.push(ours);
        where.push(`o.status = ANY($${params.length}::text[])`);
      }
      const range = dateRange(str(p.start_date), str(p.end_date), this.clock.now());
      params.push(range.from, range.to);
      where.push(`o.created_at >= $${params.length - 1} AND o.created_at <= $${params.length}`);
    }
    return this.read(where, params);
  }

  /** GET requests/{id}: one of the integration's requests (404 otherwise). */
  async one(id: string, apiKey: unknown): Promise<Record<string, unknown>[]> {
    const integration = await this.authenticate(apiKey);
    if (!UUID.test(id)) throw new Open311Error(404, `service_request_id ${id} not found`);
    const rows = await this.read(['o.resident_id = $1', 'o.id = $2'], [integration.userId, id]);
    if (!rows.length) throw new Open311Error(404, `service_request_id ${id} not found`);
    return rows;
  }

  /** GET tokens/{token}: requests are created at once (type realtime), so a token is the request's id. */
  async token(token: string, apiKey: unknown): Promise<Record<string, unknown>[]> {
    const [r] = await this.one(token, apiKey);
    return [{ service_request_id: r.service_request_id, token }];
  }

  private async read(where: string[], params: unknown[]): Promise<Record<string, unknown>[]> {
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT o.id, o.status, o.service_code, o.description, o.created_at, o.updated_at, o.preferred_start,
              ST_Y(o.location::geometry) AS lat, ST_X(o.location::geometry) AS lng,
              s.name AS service_name, t.name AS team_name, r.name AS area
         FROM orders o JOIN services s ON s.id = o.service_id
         LEFT JOIN teams t ON t.id = o.team_id LEFT JOIN regions r ON r.id = o.region_id
        WHERE ${where.join(' AND ')}
        ORDER BY o.created_at DESC LIMIT 1000`,
      params,
    );
    return rows.map((o) => ({
      service_request_id: o.id,
      status: georeportStatus(o.status),
      // fixed words for the status: the timeline's notes (reports, reasons, 回访) are free text about a person
      status_notes: georeportStatusNote(o.status),
      service_name: o.service_name,
      service_code: o.service_code,
      description: o.description,
      // the team that took it on, once one has
      agency_responsible: ['accepted', 'in_service', 'completed', 'closed'].includes(o.status) ? o.team_name : null,
      service_notice: null,
      requested_datetime: new Date(o.created_at).toISOString(),
      updated_datetime: new Date(o.updated_at).toISOString(),
      expected_datetime: o.preferred_start ? new Date(o.preferred_start).toISOString() : null,
      // no exact address leaves the platform: the area, and the point to about 100 m
      address: o.area ?? null,
      address_id: null,
      zipcode: null,
      lat: Math.round(Number(o.lat) * 1000) / 1000,
      long: Math.round(Number(o.lng) * 1000) / 1000,
      media_url: null,
    }));
  }
}
