#!/usr/bin/env bash
# Installs the real-VS-Code test host (the team's shared/vscode-host: code-server + headless Chromium)
# into a writable cache, and prints the path of its code shim for VSCODE_EXECUTABLE_PATH.
# Idempotent: about a minute the first time, a second after.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src=${OSTOPO_SHARED:-$here/../shared}/vscode-host
cache=${OSTOPO_VSCODE_HOST_DIR:-/var/tmp/ostopo-vscode-host}
[ -f "$src/lib.mjs" ] || { echo "vscode-host not found at $src (set OSTOPO_SHARED)" >&2; exit 2; }
if ! cmp -s "$src/package-lock.json" "$cache/package-lock.json" || ! cmp -s "$src/lib.mjs" "$cache/lib.mjs"; then
  rm -rf "$cache"
  mkdir -p "$cache"
  cp -r "$src/." "$cache/"
  chmod -R u+w "$cache"
fi
bash "$cache/install-code-server.sh" >&2
echo "$cache/code-shim.mjs"
