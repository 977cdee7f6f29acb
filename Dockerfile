# syntax=docker/dockerfile:1
# Signalgate image: one image, two targets (CONTRACT §1):
#   node dist/apps/api/main.js            the API (default command, via scripts/start-prod.sh: migrate, then serve)
#   node dist/apps/cli/main.js <command>  the CLI (migrate up|status|down, config check, db verify, proof-pack)
# Build: docker build --build-arg GIT_SHA=$(git rev-parse HEAD) -t signalgate:$(git rev-parse --short HEAD) .

ARG NODE_IMAGE=node:26.10-trixie-slim

# ---- build: all dependencies (dev included), compile both targets ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# No .git in the build context: the sha comes in as a build argument (dist/build-info.json → GET /api/version).
ARG GIT_SHA=unknown
RUN GIT_SHA="${GIT_SHA}" npm run build

# ---- deps: production dependencies only ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime: bundles + production node_modules, non-root ----
# Start-up code cache (apps/api/src/compile-cache.ts): the API's first start in a container writes V8's compiled code
# for its bundle chunks under /tmp (an emptyDir in Kubernetes, so container restarts keep it; NODE_COMPILE_CACHE=<dir>
# to put it elsewhere, NODE_DISABLE_COMPILE_CACHE=1 to turn it off); later starts skip most of the parsing and compiling
# (about 300 ms of CPU); a new image's first start removes the older images' directories. Not warmed here: it is
# written once the API is ready, which needs a database the build lacks.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    ENV=prod \
    PORT=8001 \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node --chmod=0755 scripts/start-prod.sh ./scripts/start-prod.sh
# The official image's unprivileged user (uid 1000).
USER node
EXPOSE 8001
# Liveness only (the process answers): readiness (/api/ready) is for routers, not for restarting a container whose
# database is down. Slim images have no curl: node's own fetch, with a deadline.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8001) + '/api/health/live', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["./scripts/start-prod.sh"]
