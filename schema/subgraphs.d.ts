/** One entry of schema/subgraphs.json. */
export interface SubgraphConfig {
    name: string;
    routingUrl: string;
    urlEnv: string;
    sdl: string;
    package: string;
}
export declare const ROOT: string;
export declare function readSubgraphConfig(): SubgraphConfig[];
/** A subgraph's SDL: its .graphql files in name order, concatenated. */
export declare function readSdl(config: SubgraphConfig): string;
