#!/bin/sh
# axe-core for the accessibility tests, from the npm registry, into the venv (not the repo).
set -eu
target="$1"
version="${AXE_VERSION:-4.10.3}"
[ -f "$target" ] && exit 0
command -v npm >/dev/null 2>&1 || { echo "npm is needed to fetch axe-core (apt-get install npm)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@$version" >/dev/null && tar xzf axe-core-*.tgz)
mkdir -p "$(dirname "$target")"
cp "$work/package/axe.min.js" "$target"
