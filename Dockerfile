# syntax=docker/dockerfile:1
#
# One image for every process of the supergraph (router and each subgraph); docker-compose.yml
# picks the entry point per service with `command:`. TypeScript runs through tsx at runtime
# (there is no separate build step), so tsx — a devDependency — must be installed: hence a full
# `npm ci` rather than `npm ci --omit=dev`.
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, so source edits don't invalidate the npm layer. Every workspace's
# package.json must be present for `npm ci` to link the @fashionistar/* packages: a new subgraph
# adds its own line here.
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY router/package.json router/
COPY subgraphs/identity/package.json subgraphs/identity/
COPY subgraphs/vendors/package.json subgraphs/vendors/
COPY subgraphs/catalog/package.json subgraphs/catalog/
COPY subgraphs/reviews/package.json subgraphs/reviews/
COPY tests/package.json tests/
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY . .

# /keys is where the identity subgraph reads its signing keys (JWT_KEYS_DIR in compose). Creating
# it here, owned by `node`, makes a fresh named volume mounted there writable by `node` too.
RUN mkdir -p /keys && chown node:node /keys

ENV NODE_ENV=production \
    TSX_TSCONFIG_PATH=tsconfig.base.json

USER node

# Default: the router. Subgraph services override this in docker-compose.yml, e.g.
#   command: ["node", "--import", "tsx", "subgraphs/identity/src/index.ts"]
EXPOSE 4000
CMD ["node", "--import", "tsx", "router/src/index.ts"]
