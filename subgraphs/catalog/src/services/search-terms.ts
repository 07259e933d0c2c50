import type { EntityManager } from 'typeorm';

/**
 * Typo tolerance on a vocabulary rather than on products: every word of titles, tags and descriptions is kept
 * in `search_term`; a query word that is not a known term is replaced by the most similar one
 * (trigram similarity, indexed), then products are found by an indexed full-text match. Cost no
 * longer grows with the number of products ("ankra dres" → "ankara dress").
 */
const WORDS_SQL = (source: string) =>
  `SELECT DISTINCT lower(w) FROM ${source}, regexp_split_to_table(p.title || ' ' || tags_text(p.tags) || ' ' || p.description, '[^[:alnum:]]+') AS w WHERE length(w) >= 3`;

/** Adds the words of the given products (or of all products) to the vocabulary. */
export async function learnTerms(em: EntityManager, productIds?: string[]): Promise<void> {
  if (productIds) {
    await em.query(`INSERT INTO search_term (term) ${WORDS_SQL('product p')} AND p.id = ANY($1::uuid[]) ON CONFLICT DO NOTHING`, [
      productIds,
    ]);
  } else {
    await em.query(`INSERT INTO search_term (term) ${WORDS_SQL('product p')} ON CONFLICT DO NOTHING`);
  }
}

/** `term` in the case the shopper typed the word it replaces: "ANKRA" → "ANKARA", "Ankra" → "Ankara". */
function likeTyped(typed: string, term: string): string {
  if (typed.length > 1 && typed === typed.toUpperCase() && typed !== typed.toLowerCase()) return term.toUpperCase();
  if (typed[0] !== typed[0]!.toLowerCase()) return term[0]!.toUpperCase() + term.slice(1);
  return term;
}

/**
 * The query with each unknown word replaced by its closest known term (kept as is when none is
 * close). Words are replaced in place, in the case they were typed, so websearch syntax
 * ("quotes", -word, or) survives and the result reads well as "showing results for …"
 * (`ProductConnection.searchCorrection`).
 */
export async function correctQuery(em: EntityManager, q: string): Promise<string> {
  const words = q
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 12);
  if (!words.length) return q;
  const rows: Array<{ word: string; best: string | null }> = await em.query(
    `SELECT w.word, COALESCE(
              (SELECT term FROM search_term WHERE term = w.word),
              (SELECT term FROM search_term WHERE length(w.word) >= 3 AND term % w.word ORDER BY similarity(term, w.word) DESC, term LIMIT 1)
            ) AS best
       FROM unnest($1::text[]) WITH ORDINALITY AS w(word, ord) ORDER BY w.ord`,
    [words],
  );
  let corrected = q;
  for (const r of rows) {
    if (!r.best || r.best === r.word) continue;
    const word = r.word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const best = r.best;
    corrected = corrected.replace(new RegExp(`(?<![\\p{L}\\p{N}])${word}(?![\\p{L}\\p{N}])`, 'giu'), (typed) => likeTyped(typed, best));
  }
  return corrected;
}
