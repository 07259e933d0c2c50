/**
 * An event type's contract: its name, its version and (as a type only) its payload. Emitters
 * pass the contract to `emitEvent` and consumers key their handlers by it, so both sides are
 * checked against the one payload type: renaming a field on one side fails type-checking.
 */
export interface EventContract<T extends string = string, P = unknown, V extends number = number> {
  /** `<subgraph>.<aggregate>.<event>`. */
  readonly type: T;
  /** Bumped when the payload changes incompatibly; a v2 is a new contract beside v1. */
  readonly version: V;
  /** Type-level only: never set at run time. */
  readonly __payload?: P;
}

/** The payload type of an event contract. */
export type PayloadOf<E> = E extends EventContract<string, infer P> ? P : never;

/**
 * Declares an event contract: `defineEvent<Payload>()('vendors.vendor.status-changed', 1)`. (Two
 * calls so the payload is given explicitly while the type name and version are inferred literally.)
 */
export function defineEvent<P>() {
  return <T extends string, V extends number>(type: T, version: V): EventContract<T, P, V> => Object.freeze({ type, version });
}

/** Consumer name → the event contracts delivered to it. */
export type EventRoutes = Readonly<Record<string, readonly EventContract[]>>;

/**
 * An internal query of one subgraph, asked by others with the router secret (fields marked
 * `@inaccessible`, so they compose but never reach the public API). The document and its result
 * type live here once; a test validates every document against its owner's SDL.
 */
export interface InternalQuery<V extends Record<string, unknown>, R> {
  /** The subgraph that answers. */
  readonly subgraph: string;
  readonly document: string;
  /** Type-level only: the variables and the data of the answer. */
  readonly __types?: [V, R];
}

export function defineInternalQuery<V extends Record<string, unknown>, R>(subgraph: string, document: string): InternalQuery<V, R> {
  return Object.freeze({ subgraph, document });
}
