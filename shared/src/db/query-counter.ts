import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * Counts SQL statements per request, so tests can prove a list field is N+1-free: wrap the work
 * in `countQueries` and read the count afterwards. Costs one AsyncLocalStorage lookup per query.
 */
const store = new AsyncLocalStorage<{ count: number; statements: string[] }>();

export async function countQueries<T>(fn: () => Promise<T>): Promise<{ result: T; count: number; statements: string[] }> {
  const bucket = { count: 0, statements: [] as string[] };
  const result = await store.run(bucket, fn);
  return { result, count: bucket.count, statements: bucket.statements };
}

/** Runs `fn` inside a counting bucket that the caller already holds (for request-scoped counting). */
export function withQueryBucket<T>(bucket: { count: number; statements: string[] }, fn: () => T): T {
  return store.run(bucket, fn);
}

export class CountingLogger implements TypeOrmLogger {
  constructor(private readonly onSlow?: (query: string, ms: number) => void) {}
  logQuery(query: string): void {
    const b = store.getStore();
    if (b && !/^(START TRANSACTION|COMMIT|ROLLBACK|BEGIN)/i.test(query)) {
      b.count++;
      b.statements.push(query);
    }
  }
  logQueryError(): void {}
  // The bound parameters (third argument) are never passed on: they hold personal data.
  logQuerySlow(_time: number, query: string): void {
    this.onSlow?.(query, _time);
  }
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
