import type { MigrationInterface, QueryRunner } from 'typeorm';

// Each visit carries the id it was given when served, so a batch written twice is stored once.
export class VisitId1765000000000 implements MigrationInterface {
  name = 'VisitId1765000000000';

  async up(q: QueryRunner): Promise<void> {
    // Rows written before this column keep NULL (NULLs never conflict with each other).
    await q.query(`ALTER TABLE "visits" ADD COLUMN "visit_id" uuid`);
    await q.query(`ALTER TABLE "visits" ADD CONSTRAINT "uq_visits_visit_id" UNIQUE ("visit_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "visits" DROP CONSTRAINT "uq_visits_visit_id"`);
    await q.query(`ALTER TABLE "visits" DROP COLUMN "visit_id"`);
  }
}
