# shellcheck shell=bash
# Puts Node.js 24 first on PATH when the machine's Node is older, installing it from the npm registry
# (the node-linux-<arch> package carries the official binary) into a tools folder on first use.
#   source scripts/node24.sh            # in your shell, or in CI
# CHANGEFLOW_TOOLS_DIR chooses the folder (default: .tools/ in the repository, git-ignored).
changeflow_node24() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -ge 24 ]; then return 0; fi
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "node24.sh: no Node 24 package for $(uname -m); install Node 24 yourself" >&2; return 1 ;;
  esac
  local here dir
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  dir="${CHANGEFLOW_TOOLS_DIR:-$here/.tools}/node24"
  if [ ! -x "$dir/node_modules/node-linux-$arch/bin/node" ]; then
    echo "node24.sh: Node $(node --version 2>/dev/null || echo none) is older than 24: installing node-linux-$arch@24 into $dir" >&2
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "node-linux-$arch@24" >&2 || return 1
  fi
  export PATH="$dir/node_modules/node-linux-$arch/bin:$PATH"
  hash -r
}
changeflow_node24
