#!/bin/sh
# Lighthouse for `make bench`, from the npm registry, into the venv (not the repo). Version 12
# is the last major that runs on Debian 12's Node 20; it drives Debian's Chromium.
set -eu
prefix="$1"
version="${LIGHTHOUSE_VERSION:-12.8.2}"
[ -x "$prefix/node_modules/.bin/lighthouse" ] \
  && [ "$("$prefix/node_modules/.bin/lighthouse" --version)" = "$version" ] && exit 0
command -v npm >/dev/null 2>&1 || { echo "npm is needed to fetch Lighthouse (apt-get install npm)" >&2; exit 1; }
mkdir -p "$prefix"
npm install --silent --prefix "$prefix" --no-save --no-audit --no-fund "lighthouse@$version"
