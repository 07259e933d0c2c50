import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Size + colour is unique among a product's variants on sale. Removed variants (`removed_at`) stay
 * as rows for the stock ledger and do not count, so a vendor can remove "M / Gold" and add it back.
 * Options compare as buyers read them: case-insensitively, and a missing size or colour is a value
 * of its own (`coalesce(…, '')`; blank labels are stored as NULL, never ''), so two "M" variants
 * without a colour collide while "M" and "M / Red" do not. A plain (size, colour) index would let
 * NULLs repeat, which is why this is an expression index.
 *
 * The service checks the same rule under the product lock and answers CONFLICT on `input.size`;
 * the index is the backstop, mapped to the same CONFLICT.
 */
export class CatalogVariantOptionsUnique1766300000000 implements MigrationInterface {
  name = 'CatalogVariantOptionsUnique1766300000000';

  async up(q: QueryRunner): Promise<void> {
    const [dupes]: Array<{ n: number }> = await q.query(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM variant WHERE removed_at IS NULL
          GROUP BY product_id, lower(coalesce(size, '')), lower(coalesce(colour, '')) HAVING count(*) > 1
       ) d`,
    );
    // Refuse loudly rather than pick a variant to remove: each one may carry stock and orders.
    if (dupes && dupes.n > 0) {
      throw new Error(
        `${dupes.n} product(s) have two variants on sale with the same size and colour; ` +
          'remove or rename one of each pair (removeVariant / updateVariant) and start again.',
      );
    }
    await q.query(
      `CREATE UNIQUE INDEX variant_options_live_key ON variant (product_id, lower(coalesce(size, '')), lower(coalesce(colour, '')))
        WHERE removed_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX variant_options_live_key`);
  }
}
