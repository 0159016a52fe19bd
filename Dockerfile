# syntax=docker/dockerfile:1
# The Changeflow image: repository-service, workers and the demo-data loader as compiled JavaScript
# on Node 24, with production dependencies only, run by plain node as a non-root user. The compose
# service (or your orchestrator) picks the command:
#   node repository-service/dist/main.js      (the default)
#   node workers/dist/main.js                 (set HEALTHCHECK_PORT to its ADMIN_PORT, 9464)
#   node demo-data/dist/bin/demo-data.js --doctors 1000
# CI cannot build images (no Docker engine); it runs the runtime stage's install and start instead
# (scripts/ci/check-production-install.sh with scripts/production-tree.sh, as below).

# Only the manifests, so the dependency layers are rebuilt when dependencies change, not on every edit.
FROM node:24-bookworm-slim AS manifests
WORKDIR /app
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete \
  && find . -depth -type d -empty -delete

# Build: every dependency, then tsc -b to dist/, then the runtime tree (manifests + dist/, no sources).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY --from=manifests /app/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npm run build && bash scripts/production-tree.sh /runtime

# Runtime: production dependencies of the apps and the compiled JavaScript, nothing else.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
  HOST=0.0.0.0 \
  ADMIN_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /runtime/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund \
  --workspace workers --workspace repository-service --workspace demo-data
USER node
EXPOSE 8080 9464
# /health of whichever app runs: PORT for repository-service, HEALTHCHECK_PORT=9464 for workers.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.HEALTHCHECK_PORT ?? process.env.PORT ?? 8080}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "repository-service/dist/main.js"]
