# shellcheck shell=bash
# What the CI checks share, sourced by each: a work folder, a Postgres schema of its own in the test
# database (and its index schema), a local SNS/SQS process from the development tree, and one
# cleanup on exit that stops what was started and drops what was made.
#   source scripts/ci/stack.sh LABEL     # sets repo, work, schema; defines start_aws_local, free_port
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$(pwd)
work=$(mktemp -d "/tmp/changeflow-$1.XXXXXX")
schema="${1//-/_}_check_$(date +%s)_$$"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q -h 127.0.0.1 -U postgres -d test -c "drop schema if exists $schema cascade" \
    -c "drop schema if exists ${schema}_index cascade" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
psql -q -h 127.0.0.1 -U postgres -d test -c "create schema $schema" >/dev/null

# A connection string whose search_path is the schema.
schema_url="postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3D$schema"

# Starts the local SNS/SQS (the image never carries it) and sets `endpoint`.
start_aws_local() {
  node --conditions=@changeflow/source --import tsx packages/aws/src/bin/aws-local.ts --port 0 >"$work/aws.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 30); do grep -q '"endpoint"' "$work/aws.log" && break; sleep 1; done
  endpoint=$(grep -o '"endpoint":"[^"]*"' "$work/aws.log" | head -1 | cut -d'"' -f4)
  [ -n "$endpoint" ] || { echo "the local SNS/SQS did not start: $(cat "$work/aws.log")" >&2; return 1; }
}

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
