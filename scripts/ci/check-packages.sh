#!/usr/bin/env bash
# CI: the packages as their users get them. Packs every package under packages/, checks each with
# publint and are-the-types-wrong, installs the tarballs into the external write service
# (examples/write-service, copied out of the workspace) and runs it and its type-check with plain
# node, then installs the CLI into a fresh global prefix and runs `changeflow --help`, `migrate`,
# `topology --apply` and `status` against Postgres and a local SNS/SQS. Needs `npm run build` first.
source "$(dirname "$0")/stack.sh" packages
packages=(errors migrator aws semaphore outbox consumer reval app-kit cli)

echo "--- npm pack"
mkdir -p "$work/tarballs"
for p in "${packages[@]}"; do
  npm pack --workspace "packages/$p" --pack-destination "$work/tarballs" --json --loglevel=error |
    node -e 'const [r] = JSON.parse(require("fs").readFileSync(0, "utf8"));
      console.log(`${r.filename.padEnd(34)} ${(r.size / 1024).toFixed(1).padStart(6)} kB packed, ${(r.unpackedSize / 1024).toFixed(1).padStart(6)} kB unpacked, ${r.entryCount} files`)'
done

echo "--- publint (strict) and are-the-types-wrong (ESM only: engines >= 22)"
for p in "${packages[@]}"; do
  if ! npx --no-install publint "packages/$p" --strict --pack npm >"$work/publint.log" 2>&1; then
    cat "$work/publint.log" >&2
    exit 1
  fi
  npx --no-install attw "$work/tarballs/changeflow-$p-"[0-9]*.tgz --profile esm-only --quiet ||
    npx --no-install attw "$work/tarballs/changeflow-$p-"[0-9]*.tgz --profile esm-only
  echo "@changeflow/$p: publint $(tail -1 "$work/publint.log"); are-the-types-wrong: no problems"
done

echo "--- the external write service (examples/write-service), from the tarballs, with plain node"
cp -R examples/write-service "$work/write-service"
(
  cd "$work/write-service"
  npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/changeflow-{errors,migrator,aws,semaphore,outbox}-[0-9]*.tgz
  npm test
  npm run typecheck
)

echo "--- the CLI, installed globally into a fresh prefix"
# Until the packages are on a registry, the CLI's own @changeflow dependencies come from their
# tarballs in the same install (a registry would serve them).
npm install --global --prefix "$work/cli" --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz
changeflow="$work/cli/bin/changeflow"
"$changeflow" --help | head -3
start_aws_local
(
  cd "$work"
  export DATABASE_URL="$schema_url"
  export INDEX_SCHEMA="${schema}_index" AWS_ENDPOINT_URL="$endpoint" AWS_REGION=us-east-1 CHANGEFLOW_PREFIX="$schema"
  "$changeflow" migrate
  "$changeflow" topology --apply >/dev/null
  "$changeflow" status
)
echo "packages: every check passed"
