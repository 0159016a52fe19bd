#!/usr/bin/env bash
# CI's stand-in for running the image (no Docker engine here): the runtime stage's production
# install (scripts/production-tree.sh, then npm ci --omit=dev) in a temporary folder, then workers
# and repository-service started from it with plain node against Postgres and a local SNS/SQS. Each
# must answer /health, a write through the API must reach the index, and SIGTERM must stop both
# with exit 0. Needs `npm run build` first.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
work=$(mktemp -d /tmp/changeflow-production.XXXXXX)
schema="production_check_$(date +%s)_$$"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q -h 127.0.0.1 -U postgres -d test -c "drop schema if exists $schema cascade" \
    -c "drop schema if exists ${schema}_index cascade" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "production install: $*" >&2; for f in "$work"/*.log; do echo "--- $f" >&2; tail -20 "$f" >&2; done; exit 1; }
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_for() { # URL SECONDS
  for _ in $(seq 1 "$2"); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 1; done
  return 1
}

bash scripts/production-tree.sh "$work/app"
(cd "$work/app" && npm ci --omit=dev --no-audit --no-fund --loglevel=error \
  --workspace workers --workspace repository-service --workspace demo-data)
for dev_only in tsx typescript vitest fauxqs @biomejs/biome; do
  [ ! -e "$work/app/node_modules/$dev_only" ] || fail "$dev_only is installed: it is a development dependency"
done
echo "production install: $(du -sh "$work/app/node_modules" | cut -f1) of node_modules, no dev dependencies"

# The local SNS/SQS comes from the development tree: the image never carries it.
node --conditions=@changeflow/source --import tsx packages/aws/src/bin/aws-local.ts --port 0 >"$work/aws.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 30); do grep -q '"endpoint"' "$work/aws.log" && break; sleep 1; done
endpoint=$(grep -o '"endpoint":"[^"]*"' "$work/aws.log" | head -1 | cut -d'"' -f4)
[ -n "$endpoint" ] || fail "the local SNS/SQS did not start"

psql -q -h 127.0.0.1 -U postgres -d test -c "create schema $schema" >/dev/null
admin_port=$(free_port)
port=$(free_port)
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3D$schema"
export INDEX_SCHEMA="${schema}_index" AWS_ENDPOINT_URL="$endpoint" AWS_REGION=us-east-1
export CHANGEFLOW_PREFIX="$schema" CHANGEFLOW_PROVISION=true LOG_LEVEL=warn NODE_ENV=production
export READ_TOKEN=read-production-check WRITE_TOKEN=write-production-check

cd "$work/app"
ADMIN_PORT=$admin_port node workers/dist/main.js >"$work/workers.log" 2>&1 &
workers_pid=$!
pids+=("$workers_pid")
wait_for "http://127.0.0.1:$admin_port/health" 60 || fail "workers did not answer /health"
echo "workers: /health answered on port $admin_port ($(curl -fsS "http://127.0.0.1:$admin_port/health"))"
PORT=$port node repository-service/dist/main.js >"$work/repository-service.log" 2>&1 &
service_pid=$!
pids+=("$service_pid")
wait_for "http://127.0.0.1:$port/health" 60 || fail "repository-service did not answer /health"
echo "repository-service: /health answered on port $port ($(curl -fsS "http://127.0.0.1:$port/health"))"

curl -fsS -X PUT -H "Authorization: Bearer $WRITE_TOKEN" -H 'content-type: application/json' \
  "http://127.0.0.1:$port/api/gmc/doctors/7000001" \
  -d '{"doctorFirstName":"Grace","doctorLastName":"Hopper","designatedBodyCode":"1-1RUZUSF","underNotice":"YES","existsInGmc":true}' \
  >/dev/null || fail "the write was refused"
seen=""
for _ in $(seq 1 60); do
  if curl -fsS -H "Authorization: Bearer $READ_TOKEN" "http://127.0.0.1:$port/api/v1/doctors?searchQuery=7000001" |
    grep -q '"gmcReferenceNumber":"7000001"'; then seen=yes; break; fi
  sleep 1
done
[ -n "$seen" ] || fail "the doctor written through the API did not reach the index"
echo "a write through the API reached the index"

kill -TERM "$service_pid" "$workers_pid"
wait "$service_pid" || fail "repository-service exited $? on SIGTERM"
wait "$workers_pid" || fail "workers exited $? on SIGTERM"
echo "production install: both apps stopped cleanly on SIGTERM"
