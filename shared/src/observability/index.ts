/** Metrics, access logs and tracing: what the router and every subgraph report about themselves. */
export * from './metrics';
export * from './metrics-route';
export * from './operation-plugin';
export * from './tracing';
