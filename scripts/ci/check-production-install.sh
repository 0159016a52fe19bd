#!/usr/bin/env bash
# CI's stand-in for running the image (no Docker engine here): the runtime stage's production
# install (scripts/production-tree.sh, then npm ci --omit=dev) in a temporary folder, then workers
# and repository-service started from it with plain node against Postgres and a local SNS/SQS. Each
# must answer /health, a write through the API must reach the index, the console must render with
# its assets, and SIGTERM must stop both
# with exit 0. Needs `npm run build` first.
source "$(dirname "$0")/stack.sh" production
fail() { echo "production install: $*" >&2; for f in "$work"/*.log; do echo "--- $f" >&2; tail -20 "$f" >&2; done; exit 1; }
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

start_aws_local
admin_port=$(free_port)
port=$(free_port)
export DATABASE_URL="$schema_url"
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
curl -fsS "http://127.0.0.1:$port/console/login" | grep -q '<form' || fail "the console's sign-in page did not render"
curl -fsS "http://127.0.0.1:$port/console/assets/htmx.min.js" | grep -q htmx || fail "the console's htmx was not served"
echo "the console renders and serves its assets from the production install"

kill -TERM "$service_pid" "$workers_pid"
wait "$service_pid" || fail "repository-service exited $? on SIGTERM"
wait "$workers_pid" || fail "workers exited $? on SIGTERM"
echo "production install: both apps stopped cleanly on SIGTERM"
