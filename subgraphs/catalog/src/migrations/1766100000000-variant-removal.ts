import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Removed variants stay as rows (`removed_at`) so the stock ledger keeps every movement attached
 * to the variant it moved. Until now a removal deleted the row and `ON DELETE SET NULL` silently
 * re-filed the variant's history under the product, so per-variant and per-product sums stopped
 * adding up to the stock.
 */
export class CatalogVariantRemoval1766100000000 implements MigrationInterface {
  name = 'CatalogVariantRemoval1766100000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE variant ADD COLUMN removed_at timestamptz`,
      // A SKU is unique among variants on sale only: a vendor who removes a variant and adds it
      // back (same options, same SKU) must not collide with the removed row the ledger keeps.
      `ALTER TABLE variant DROP CONSTRAINT variant_sku_key`,
      `CREATE UNIQUE INDEX variant_sku_live_key ON variant (sku) WHERE removed_at IS NULL`,
      // Live variants of a product, in order: what every storefront read asks for.
      `CREATE INDEX variant_live_product_idx ON variant (product_id, position) WHERE removed_at IS NULL`,
      `DROP INDEX variant_product_idx`,
      // A variant with movements can no longer be deleted: its history must not move elsewhere.
      `ALTER TABLE stock_movement DROP CONSTRAINT stock_movement_variant_id_fkey`,
      `ALTER TABLE stock_movement ADD CONSTRAINT stock_movement_variant_id_fkey
         FOREIGN KEY (variant_id) REFERENCES variant (id) ON DELETE RESTRICT`,
      // Serves the FK check on delete and a variant's own ledger.
      `CREATE INDEX stock_movement_variant_idx ON stock_movement (variant_id, created_at DESC) WHERE variant_id IS NOT NULL`,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    const statements = [
      `DROP INDEX stock_movement_variant_idx`,
      `ALTER TABLE stock_movement DROP CONSTRAINT stock_movement_variant_id_fkey`,
      `ALTER TABLE stock_movement ADD CONSTRAINT stock_movement_variant_id_fkey
         FOREIGN KEY (variant_id) REFERENCES variant (id) ON DELETE SET NULL`,
      // The old schema has no removed rows: drop them (their movements fall back to the product).
      `DELETE FROM variant WHERE removed_at IS NOT NULL`,
      `CREATE INDEX variant_product_idx ON variant (product_id, position)`,
      `DROP INDEX variant_live_product_idx`,
      `DROP INDEX variant_sku_live_key`,
      `ALTER TABLE variant ADD CONSTRAINT variant_sku_key UNIQUE (sku)`,
      `ALTER TABLE variant DROP COLUMN removed_at`,
    ];
    for (const sql of statements) await q.query(sql);
  }
}
