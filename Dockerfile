# syntax=docker/dockerfile:1
# One image for every Changeflow process: the compose service picks the command
# (`npm run repository-service`, `npm run workers`, `npm run demo-data -- …`).
# TypeScript runs as is through tsx (`node --import tsx <entry>`), as in development: no build step.

# Only the manifests, so the `npm ci` layer below is rebuilt when dependencies change, not on every edit.
FROM node:20-bookworm-slim AS manifests
WORKDIR /app
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete \
  && find . -depth -type d -empty -delete

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=manifests /app/ ./
# Dev dependencies too: tsx (a root devDependency) is what runs the TypeScript entries.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
USER node
ENV HOST=0.0.0.0
CMD ["npm", "run", "repository-service"]
