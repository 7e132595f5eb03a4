#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks, from Debian's `postgresql` binaries.
#
#   scripts/postgres-test-cluster.sh start        creates and starts a cluster; prints (for eval "$(... start)"):
#                                                   AMIPKI_PG_DIR=<temp dir>   (data directory, socket, log)
#                                                   AMIPKI_POSTGRES=<Npgsql connection string>
#   scripts/postgres-test-cluster.sh stop <dir>   stops that cluster and deletes its directory
#   scripts/postgres-test-cluster.sh pause <dir>  stops that cluster's server, keeping its data (an outage, for tests)
#   scripts/postgres-test-cluster.sh resume <dir> starts it again on the same port
#
# The cluster lives in a fresh temporary directory, listens on a free loopback port (127.0.0.1 only) and on a unix
# socket inside that directory, and trusts local connections as the superuser `amipki`: it holds nothing but test data
# and dies with `stop`. initdb and postgres refuse to run as root, so when run as root (CI) the server runs as the
# `postgres` system user the Debian package creates, owning the temporary directory.
set -euo pipefail

die() { echo "postgres-test-cluster: $*" >&2; exit 1; }

find_bin() {
  if [ -n "${PG_BIN:-}" ]; then
    [ -x "$PG_BIN/initdb" ] || die "PG_BIN=$PG_BIN has no initdb"
    echo "$PG_BIN"; return
  fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$newest" ] && [ -x "$newest/initdb" ] && [ -x "$newest/pg_ctl" ] \
    || die "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin: install them with 'sudo apt-get install postgresql' (or 'bash scripts/install-test-peers.sh')"
  echo "$newest"
}

# Runs a command as the cluster's owner: ourselves, or `postgres` when we are root.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' system user (created by Debian's postgresql package)"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local bin dir port attempt
  bin=$(find_bin)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/amipki-pg.XXXXXXXX")
  chmod 0755 "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
  fi
  # --no-sync: the cluster is thrown away, so initdb's own fsyncs buy nothing; the server itself runs with fsync on,
  # so commits (and the benchmark's figures) are durable as in production.
  as_owner "$bin/initdb" -D "$dir/data" -U amipki --auth=trust --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; die "initdb failed"; }
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue # something already answers there
    fi
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=200" start >/dev/null; then
      echo "$port" >"$dir/port"
      # Quoted: the connection string's semicolons would end the assignment in a shell that sources this output.
      echo "AMIPKI_PG_DIR='$dir'"
      echo "AMIPKI_POSTGRES='Host=$dir;Port=$port;Username=amipki;Database=postgres'"
      return 0
    fi
    # Most likely another process took the port between the probe and the bind: try another one.
  done
  cat "$dir/server.log" >&2 || true
  rm -rf "$dir"
  die "could not start PostgreSQL on a free loopback port"
}

stop() {
  local dir=${1:-}
  [ -n "$dir" ] && [ -d "$dir/data" ] || die "usage: $0 stop <dir printed by start>"
  case "$dir" in */amipki-pg.*) ;; *) die "refusing to delete '$dir': not a directory made by start" ;; esac
  local bin
  bin=$(find_bin)
  as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

server_opts() {
  echo "-p $(cat "$1/port") -c listen_addresses=127.0.0.1 -c unix_socket_directories=$1 -c max_connections=200"
}

pause() {
  local dir=${1:-}
  [ -n "$dir" ] && [ -f "$dir/port" ] || die "usage: $0 pause <dir printed by start>"
  as_owner "$(find_bin)/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
}

resume() {
  local dir=${1:-}
  [ -n "$dir" ] && [ -f "$dir/port" ] || die "usage: $0 resume <dir printed by start>"
  as_owner "$(find_bin)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$(server_opts "$dir")" start >/dev/null
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  pause) pause "${2:-}" ;;
  resume) resume "${2:-}" ;;
  *) die "usage: $0 start | stop <dir> | pause <dir> | resume <dir>" ;;
esac
