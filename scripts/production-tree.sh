#!/usr/bin/env bash
# What the image's runtime stage holds, laid out in DEST: the root manifest and lockfile, every
# workspace's package.json (so `npm ci` sees the workspaces the lockfile names), and the compiled
# dist/ of the packages and apps the image runs. No sources, no tests. Then, in DEST:
#   npm ci --omit=dev --workspace workers --workspace repository-service --workspace demo-data
# Used by the Dockerfile's build stage and by CI's production-install check (scripts/ci/).
set -euo pipefail
dest=${1:?usage: scripts/production-tree.sh DEST}
cd "$(dirname "$0")/.."
runs=(packages/errors packages/migrator packages/aws packages/semaphore packages/outbox packages/consumer packages/reval packages/app-kit workers repository-service demo-data)
for ws in "${runs[@]}"; do
  if [ ! -f "$ws/dist/index.js" ]; then
    echo "production-tree: $ws/dist is missing: run npm run build first" >&2
    exit 1
  fi
done
mkdir -p "$dest"
cp package.json package-lock.json "$dest/"
for manifest in packages/*/package.json bench/package.json test-support/package.json workers/package.json \
  repository-service/package.json demo-data/package.json; do
  mkdir -p "$dest/$(dirname "$manifest")"
  cp "$manifest" "$dest/$manifest"
done
for ws in "${runs[@]}"; do
  cp -R "$ws/dist" "$dest/$ws/dist"
  # Source maps point at ../src, which the image does not carry; stack traces use the .js lines.
  find "$dest/$ws/dist" -name '*.map' -delete
done
