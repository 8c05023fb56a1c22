#!/bin/sh
# Install the Debian/Ubuntu packages Machimori needs, or say exactly what to run.
#   tools/sysdeps.sh run    libraries for serving the demo
#   tools/sysdeps.sh test   also PostGIS, Chromium, PDF tools, npm and Dovecot for the test suite
#   tools/sysdeps.sh bench  also wrk, the HTTP load generator
#   tools/sysdeps.sh cluster  also nginx, pgbouncer and Redis for `make cluster`
# Library package names carry a version that differs between releases (libgdal32 on
# Debian 12, libgdal34t64 on Ubuntu 24.04), so they are looked up, not hard-coded.
set -eu
mode=${1:-run}

has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
has_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
pick() {  # newest package named like libgdal32 / libgdal34t64
  apt-cache pkgnames "$1" 2>/dev/null | grep -E "^$1[0-9.]+(t64)?\$" | sort -V | tail -n 1
}

need=""     # what is missing, as fixed names or as lookups "?prefix"
has_lib 'libgdal\.so' || need="$need ?libgdal"
has_lib 'libgeos_c\.so' || need="$need ?libgeos-c1v"
has_lib 'libproj\.so' || need="$need ?libproj"
# mod_spatialite is a loadable module, not in ldconfig's cache.
spatialite=no
for module in /usr/lib/*/mod_spatialite.so /usr/lib/mod_spatialite.so; do
  [ -e "$module" ] && spatialite=yes
done
[ "$spatialite" = yes ] || need="$need libsqlite3-mod-spatialite"
command -v msgfmt >/dev/null 2>&1 || need="$need gettext"
has_pkg fonts-ipaexfont || need="$need fonts-ipaexfont"
if [ "$mode" = "test" ] || [ "$mode" = "bench" ] || [ "$mode" = "cluster" ]; then
  pg=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  pg=${pg:-15}
  [ -f "/usr/share/postgresql/$pg/extension/postgis.control" ] || need="$need postgresql-$pg-postgis-3"
  [ -x /usr/bin/chromium ] || need="$need chromium"
  command -v pdftoppm >/dev/null 2>&1 || need="$need poppler-utils"
  command -v ogrinfo >/dev/null 2>&1 || need="$need gdal-bin"
  command -v npm >/dev/null 2>&1 || need="$need npm"  # axe-core comes from the npm registry
  # The IMAP server of the mail-intake tests (tools/dovecot.py runs its own instance).
  command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || need="$need dovecot-imapd"
fi
if [ "$mode" = "cluster" ]; then
  [ -x /usr/sbin/nginx ] || need="$need nginx"
  [ -x /usr/sbin/pgbouncer ] || need="$need pgbouncer"
  command -v redis-server >/dev/null 2>&1 || need="$need redis-server"
  command -v openssl >/dev/null 2>&1 || need="$need openssl"
fi
if [ "$mode" = "bench" ]; then
  command -v wrk >/dev/null 2>&1 || need="$need wrk"
fi
[ -z "$need" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Machimori needs these libraries (Debian/Ubuntu names):$need" | tr -d '?' >&2
  exit 1
fi
if [ "$(id -u)" != "0" ]; then
  echo "Machimori needs system packages. Please run, as root:" >&2
  echo "    apt-get update && apt-get install -y --no-install-recommends" \
       "libgdal32 libgeos-c1v5 libproj25 libsqlite3-mod-spatialite gettext fonts-ipaexfont" \
       "postgresql-15-postgis-3 chromium poppler-utils dovecot-imapd" >&2
  echo "(package versions as on Debian 12; on other releases use their libgdal/libgeos/libproj)" >&2
  exit 1
fi

apt-get update -qq
packages=""
for item in $need; do
  case "$item" in
    \?*) name=$(pick "${item#\?}"); [ -n "$name" ] || { echo "no package for ${item#\?}" >&2; exit 1; } ;;
    *) name=$item ;;
  esac
  packages="$packages $name"
done
echo "Installing:$packages"
postgres_was_running=no
pg_lsclusters 2>/dev/null | grep -q online && postgres_was_running=yes
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages
# Installing PostGIS may upgrade PostgreSQL under the running server, which then fails
# with "plpgsql.so: undefined symbol" until it is restarted (ENVIRONMENT.md).
case "$packages" in
  *postgis*)
    if [ "$postgres_was_running" = yes ]; then
      for version in $(ls /etc/postgresql 2>/dev/null); do
        pg_ctlcluster --skip-systemctl-redirect "$version" main restart || true
      done
    fi
    ;;
esac
# `make cluster` runs its own nginx, pgbouncer and Redis from var/cluster/; the system services
# the packages enable (and, where services may start, start) are not wanted.
for service in nginx pgbouncer redis-server; do
  case "$packages" in
    *"$service"*)
      if command -v systemctl >/dev/null 2>&1; then
        systemctl disable --now "$service.service" >/dev/null 2>&1 || true
      fi
      if command -v service >/dev/null 2>&1; then
        service "$service" stop >/dev/null 2>&1 || true
      fi
      ;;
  esac
done
# The tests start a private Dovecot from a configuration of their own; the system's mail
# service that the package enables (and, where services may start, starts) is not wanted.
case "$packages" in
  *dovecot*)
    if command -v systemctl >/dev/null 2>&1; then
      systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
    fi
    if command -v service >/dev/null 2>&1; then
      service dovecot stop >/dev/null 2>&1 || true
    fi
    ;;
esac
