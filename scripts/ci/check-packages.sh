#!/usr/bin/env bash
# CI: the packages as their users get them. Packs every package under packages/, checks each with
# publint and are-the-types-wrong, installs the tarballs into the external write service
# (examples/write-service, copied out of the workspace) and runs it and its type-check with plain
# node, then installs the CLI into a fresh global prefix and runs `changeflow --help`, `migrate`,
# `topology --apply` and `status` against Postgres and a local SNS/SQS. Needs `npm run build` first.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
work=$(mktemp -d /tmp/changeflow-packages.XXXXXX)
schema="packages_check_$(date +%s)_$$"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q -h 127.0.0.1 -U postgres -d test -c "drop schema if exists $schema cascade" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
packages=(errors aws semaphore outbox consumer reval cli)

echo "--- npm pack"
mkdir -p "$work/tarballs"
for p in "${packages[@]}"; do
  npm pack --workspace "packages/$p" --pack-destination "$work/tarballs" --json --loglevel=error |
    node -e 'const [r] = JSON.parse(require("fs").readFileSync(0, "utf8"));
      console.log(`${r.filename.padEnd(34)} ${(r.size / 1024).toFixed(1).padStart(6)} kB packed, ${(r.unpackedSize / 1024).toFixed(1).padStart(6)} kB unpacked, ${r.entryCount} files`)'
done

echo "--- publint (strict) and are-the-types-wrong (ESM only: engines >= 22)"
for p in "${packages[@]}"; do
  npx --no-install publint "packages/$p" --strict --pack npm | grep -v '^Running publint\|^Packing files\|^Linting'
  npx --no-install attw "$work/tarballs/changeflow-$p-0.1.0.tgz" --profile esm-only --format table-flipped --no-emoji |
    grep -v '^$' | head -3
done

echo "--- the external write service (examples/write-service), from the tarballs, with plain node"
cp -R examples/write-service "$work/write-service"
(
  cd "$work/write-service"
  npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/changeflow-{errors,aws,semaphore,outbox}-0.1.0.tgz
  npm test
  npm run typecheck
)

echo "--- the CLI, installed globally into a fresh prefix"
# Until the packages are on a registry, the CLI's own @changeflow dependencies come from their
# tarballs in the same install (a registry would serve them).
npm install --global --prefix "$work/cli" --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz
changeflow="$work/cli/bin/changeflow"
"$changeflow" --help | head -3
node --conditions=@changeflow/source --import tsx packages/aws/src/bin/aws-local.ts --port 0 >"$work/aws.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 30); do grep -q '"endpoint"' "$work/aws.log" && break; sleep 1; done
endpoint=$(grep -o '"endpoint":"[^"]*"' "$work/aws.log" | head -1 | cut -d'"' -f4)
psql -q -h 127.0.0.1 -U postgres -d test -c "create schema $schema" >/dev/null
(
  cd "$work"
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3D$schema"
  export INDEX_SCHEMA="${schema}_index" AWS_ENDPOINT_URL="$endpoint" AWS_REGION=us-east-1 CHANGEFLOW_PREFIX="$schema"
  "$changeflow" migrate
  "$changeflow" topology --apply >/dev/null
  "$changeflow" status
)
echo "packages: every check passed"
