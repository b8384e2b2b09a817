import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The region of a point, found by walking DOWN the region tree: the root (county) whose boundary
 * covers the point, then its child whose boundary covers it, and so on until no child does. A
 * region can therefore only ever receive points its parent's boundary covers — a sub-region drawn
 * over a neighbouring jurisdiction (or the whole world) captures nothing outside its own parent.
 * Children without a boundary are not walked into. On a shared edge (siblings may touch) the
 * sibling with the smallest id wins, so the answer is deterministic. NULL: outside every root.
 *
 * Every place that assigns a region to a point (order placement, beneficiary profiles, the candidate
 * finder, maps) calls this one function.
 */
export class RegionOfPoint1766450000000 implements MigrationInterface {
  name = 'RegionOfPoint1766450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION region_of_point(p geography) RETURNS uuid
      LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
      DECLARE
        here uuid;
        below uuid;
      BEGIN
        IF p IS NULL THEN RETURN NULL; END IF;
        SELECT r.id INTO here FROM regions r
         WHERE r.parent_id IS NULL AND r.boundary IS NOT NULL AND ST_Covers(r.boundary, p)
         ORDER BY r.id LIMIT 1;
        IF here IS NULL THEN RETURN NULL; END IF;
        FOR depth IN 1..16 LOOP
          SELECT r.id INTO below FROM regions r
           WHERE r.parent_id = here AND r.boundary IS NOT NULL AND ST_Covers(r.boundary, p)
           ORDER BY r.id LIMIT 1;
          EXIT WHEN below IS NULL;
          here := below;
        END LOOP;
        RETURN here;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION region_of_point(geography)`);
  }
}
