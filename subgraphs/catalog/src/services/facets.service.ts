import DataLoader from 'dataloader';
import { money, Problems, type MoneyValue } from '@fashionistar/shared';
import type { CatalogContext } from '../context';
import { ProductEntity } from '../entities/product.entity';
import { FACET_GROUPS, filterConditions, where, type FacetGroup, type ProductFilterArgs } from './search.service';

/** Most values a facet group answers (its most frequent ones). */
export const FACET_VALUES_MAX = 100;

/** A size or colour with the number of products it would match. */
export interface FacetValue {
  value: string;
  count: number;
}

export interface BrandCount {
  brandId: string;
  count: number;
}

export interface CategoryCount {
  categoryId: string;
  count: number;
}

export interface PriceRange {
  min: MoneyValue;
  max: MoneyValue;
}

interface FacetResults {
  sizes: FacetValue[];
  colours: FacetValue[];
  brands: BrandCount[];
  categories: CategoryCount[];
  priceRange: PriceRange | null;
}

/** The facets of one list: each group loaded on demand; the groups a request selects share one statement. */
export interface FacetsModel {
  load<G extends FacetGroup>(group: G): Promise<FacetResults[G]>;
}

/**
 * Facets of the storefront list for `filter` (already checked by the list) and the corrected
 * search `query`. Counts are products. Each group's counts apply every filter except the group's
 * own (sizes ignore `filter.sizes`, colours `filter.colours`, brands `filter.brandId`, categories
 * `filter.categoryId`/`categorySlug`, the price range `minPrice`/`maxPrice`), so a page keeps
 * offering the other values of a facet the shopper has picked one of. The groups selected in one
 * request are computed by one statement, whatever the page size or the number of values.
 */
export function productFacets(ctx: CatalogContext, filter: ProductFilterArgs, query: string | null): FacetsModel {
  const loader = new DataLoader<FacetGroup, FacetResults[FacetGroup]>(async (groups) => {
    const results = await computeFacets(ctx, filter, query, new Set(groups));
    return groups.map((g) => results[g]);
  });
  return { load: (group) => loader.load(group) as Promise<never> };
}

type Row = { facet: FacetGroup; key: string | null; label: string | null; n: string; lo: string | null; hi: string | null };

async function computeFacets(
  ctx: CatalogContext,
  filter: ProductFilterArgs,
  query: string | null,
  groups: ReadonlySet<FacetGroup>,
): Promise<FacetResults> {
  // The list already answered BAD_USER_INPUT for a bad filter; a problem here cannot happen.
  const problems = new Problems();
  const { common, own } = filterConditions(filter, { kind: 'public' }, query, problems);
  problems.throwIfAny();

  // The products matching every filter but the facets' own, each with one flag per group: does
  // it meet that group's own filters? A group counts the rows meeting every other group's flag.
  const matching = ctx.em
    .createQueryBuilder(ProductEntity, 'p')
    .select('p.id', 'id')
    .addSelect('p.brand_id', 'brand_id')
    .addSelect('p.category_id', 'category_id')
    .addSelect('p.price_kobo', 'price_kobo');
  where(matching, common);
  for (const g of FACET_GROUPS) {
    const conds = own[g];
    matching.addSelect(conds.length ? `(${conds.map((c) => c.sql).join(' AND ')})` : 'true', `ok_${g.toLowerCase()}`);
    for (const c of conds) matching.setParameters(c.params);
  }
  const [sql, params] = matching.getQueryAndParameters();
  const others = (g: FacetGroup) =>
    FACET_GROUPS.filter((o) => o !== g)
      .map((o) => `m.ok_${o.toLowerCase()}`)
      .join(' AND ');
  const top = `ORDER BY n DESC, key LIMIT ${FACET_VALUES_MAX}`;
  const variantFacet = (g: 'sizes' | 'colours', column: 'size' | 'colour') =>
    `(SELECT '${g}' AS facet, key, label, n, NULL::bigint AS lo, NULL::bigint AS hi FROM (
        SELECT lower(v.${column}) AS key, mode() WITHIN GROUP (ORDER BY v.${column}) AS label, count(DISTINCT m.id) AS n
          FROM m JOIN variant v ON v.product_id = m.id AND v.removed_at IS NULL AND v.${column} <> ''
         WHERE ${others(g)} GROUP BY 1) x ${top})`;
  const parts: string[] = [];
  if (groups.has('sizes')) parts.push(variantFacet('sizes', 'size'));
  if (groups.has('colours')) parts.push(variantFacet('colours', 'colour'));
  if (groups.has('brands')) {
    parts.push(`(SELECT 'brands', m.brand_id::text AS key, NULL, count(*) AS n, NULL, NULL FROM m
       WHERE m.brand_id IS NOT NULL AND ${others('brands')} GROUP BY m.brand_id ${top})`);
  }
  if (groups.has('categories')) {
    // A category counts the products of its whole subtree, as the categoryId filter matches them.
    parts.push(`(SELECT 'categories', a.ancestor::text AS key, NULL, count(*) AS n, NULL, NULL FROM m
       JOIN ancestry a ON a.category_id = m.category_id WHERE ${others('categories')} GROUP BY a.ancestor ${top})`);
  }
  if (groups.has('priceRange')) {
    parts.push(`(SELECT 'priceRange', NULL, NULL, count(*), min(m.price_kobo), max(m.price_kobo) FROM m WHERE ${others('priceRange')})`);
  }
  const ancestry = groups.has('categories')
    ? `, ancestry (category_id, ancestor) AS (
         SELECT id, id FROM category
         UNION ALL SELECT a.category_id, c.parent_id FROM ancestry a JOIN category c ON c.id = a.ancestor WHERE c.parent_id IS NOT NULL)`
    : '';
  const rows: Row[] = await ctx.em.query(`WITH RECURSIVE m AS MATERIALIZED (${sql})${ancestry} ${parts.join(' UNION ALL ')}`, params);

  const of = (g: FacetGroup) => rows.filter((r) => r.facet === g);
  const values = (g: FacetGroup) => of(g).map((r) => ({ value: r.label!, count: Number(r.n) }));
  const price = of('priceRange')[0];
  return {
    sizes: values('sizes'),
    colours: values('colours'),
    brands: of('brands').map((r) => ({ brandId: r.key!, count: Number(r.n) })),
    categories: of('categories').map((r) => ({ categoryId: r.key!, count: Number(r.n) })),
    priceRange: price && Number(price.n) > 0 ? { min: money(price.lo!), max: money(price.hi!) } : null,
  };
}
