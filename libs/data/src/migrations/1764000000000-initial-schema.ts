import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "urls" (
        "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        "short_code" varchar(32) NOT NULL,
        "original_url" text NOT NULL,
        "title" text,
        "description" text,
        "visit_count" bigint NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "uq_urls_short_code" UNIQUE ("short_code")
      )`);
    await q.query(`CREATE INDEX "idx_urls_created_at" ON "urls" ("created_at" DESC, "id" DESC)`);
    await q.query(`
      CREATE TABLE "visits" (
        "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        "short_code" varchar(32) NOT NULL REFERENCES "urls" ("short_code") ON DELETE CASCADE,
        "client_ip" varchar(64),
        "country" varchar(100) NOT NULL DEFAULT 'Unknown',
        "city" varchar(100) NOT NULL DEFAULT 'Unknown',
        "user_agent" varchar(512),
        "visited_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "idx_visits_short_code" ON "visits" ("short_code")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "visits"`);
    await q.query(`DROP TABLE "urls"`);
  }
}
