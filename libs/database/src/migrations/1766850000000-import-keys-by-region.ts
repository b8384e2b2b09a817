import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The natural key of an imported profile carries the region its location falls in
 * (`<blind index>:<region id>`): a global key told any importer that a person with that identity
 * number was on file in another jurisdiction. Existing keys take their profile's region.
 */
export class ImportKeysByRegion1766850000000 implements MigrationInterface {
  name = 'ImportKeysByRegion1766850000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE beneficiary_import_keys k SET key_bidx = k.key_bidx || ':' || COALESCE(b.region_id::text, '-')
         FROM beneficiaries b WHERE b.id = k.beneficiary_id AND position(':' IN k.key_bidx) = 0`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // two regions' keys of one person would collide: keep the oldest, drop the rest
    await q.query(
      `DELETE FROM beneficiary_import_keys k USING beneficiary_import_keys o
        WHERE split_part(k.key_bidx, ':', 1) = split_part(o.key_bidx, ':', 1) AND (o.created_at, o.key_bidx) < (k.created_at, k.key_bidx)`,
    );
    await q.query(`UPDATE beneficiary_import_keys SET key_bidx = split_part(key_bidx, ':', 1)`);
  }
}
