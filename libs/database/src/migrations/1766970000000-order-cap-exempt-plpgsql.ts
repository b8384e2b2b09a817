import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `order_cap_exempt` in PL/pgSQL instead of SQL, same body and answer. It is called from the WHEN of
 * the open-order cap triggers (`orders_open_cap_insert`, `orders_open_cap_status`): a trigger's WHEN
 * is compiled once per statement, and a SQL function that cannot be inlined (its body is a query) is
 * then parsed and planned again on every INSERT into orders and every status change. A PL/pgSQL
 * function keeps its plan for the life of the connection. Measured (issue 17, one connection, the
 * intake's placement statement 3,000 times on the quick bench world): 0.68–0.71 ms of Postgres CPU per
 * placement before, 0.56–0.59 after; without the WHEN at all 0.59.
 */
export class OrderCapExemptPlpgsql1766970000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION order_cap_exempt(resident uuid) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
        BEGIN
          RETURN EXISTS (SELECT 1 FROM open311_integrations WHERE user_id = resident);
        END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION order_cap_exempt(resident uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT EXISTS (SELECT 1 FROM open311_integrations WHERE user_id = resident)
      $$`);
  }
}
