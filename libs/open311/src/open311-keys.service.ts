import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService } from '@xinyuan/org';

export interface Open311KeyView {
  id: string;
  name: string;
  regionId: string;
  keyPrefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Open311 keys: an admin gives another system (the 12345 hotline, a city app) a key for a region of
 * their jurisdiction. The key is shown once; only its SHA-256 is kept. The integration acts through
 * an account of its own that cannot log in (no phone, no password), which places its orders.
 */
@Injectable()
export class Open311Keys {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
  ) {}

  async create(user: AuthUser, input: { name: string; regionId: string }): Promise<Open311KeyView & { apiKey: string }> {
    if (!(await this.jurisdiction.region(input.regionId))) throw DomainException.notFound(ErrorCode.RegionNotFound);
    await this.jurisdiction.requireStaffCovers(user, input.regionId);
    const apiKey = `o311_${randomBytes(24).toString('base64url')}`;
    return this.dataSource.transaction(async (m) => {
      const [account] = await m.query(`INSERT INTO users (name, roles, region_id) VALUES ($1, '{}', $2) RETURNING id`, [`对接系统：${input.name}`, input.regionId]);
      const [row] = await m.query(
        `INSERT INTO open311_integrations (name, region_id, user_id, key_hash, key_prefix, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [input.name, input.regionId, account.id, hashKey(apiKey), apiKey.slice(0, 9), user.id],
      );
      return { ...toView(row), apiKey };
    });
  }

  async list(user: AuthUser): Promise<{ items: Open311KeyView[] }> {
    const rows: Record<string, any>[] = await this.dataSource.query(`SELECT * FROM open311_integrations ORDER BY created_at DESC LIMIT 500`);
    const items: Open311KeyView[] = [];
    for (const r of rows) if (await this.jurisdiction.staffCovers(user, r.region_id)) items.push(toView(r));
    return { items };
  }

  async revoke(user: AuthUser, id: string): Promise<void> {
    const [row] = await this.dataSource.query(`SELECT region_id FROM open311_integrations WHERE id = $1`, [id]);
    if (!row || !(await this.jurisdiction.staffCovers(user, row.region_id))) throw DomainException.notFound(ErrorCode.IntegrationNotFound);
    await this.dataSource.query(`UPDATE open311_integrations SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1`, [id]);
  }
}

function toView(r: Record<string, any>): Open311KeyView {
  return { id: r.id, name: r.name, regionId: r.region_id, keyPrefix: r.key_prefix, createdAt: r.created_at, revokedAt: r.revoked_at };
}
