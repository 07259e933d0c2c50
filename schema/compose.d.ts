/** The files composition produces, by path relative to the repo root. */
export declare function composeSupergraph(sdlOverrides?: Record<string, string>, root?: string): Record<string, string>;
/** Paths whose committed content differs from `outputs`. */
export declare function staleFiles(outputs: Record<string, string>, root?: string): string[];
