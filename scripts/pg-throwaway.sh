#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster for the test suite.
#   scripts/pg-throwaway.sh start   -> prints the DATABASE_URL to use
#   scripts/pg-throwaway.sh stop
# As root the cluster runs as the `postgres` user (initdb refuses root).
set -eu
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DIR=${PG_TEST_DIR:-/tmp/supportdesk-pg-test}
PORT=${PG_TEST_PORT:-54329}
as_owner() {
  # From a folder the postgres user may enter, or it complains about the current one.
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
case "${1:-}" in
start)
  [ -x "$PGBIN/initdb" ] || { echo "PostgreSQL is not installed ($PGBIN/initdb)" >&2; exit 1; }
  if [ -f "$DIR/data/postmaster.pid" ]; then as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$DIR"; mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
  as_owner "$PGBIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
  # Durability is pointless for a cluster that is thrown away; speed is not.
  as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o \
    "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  echo "postgres://postgres@127.0.0.1:$PORT/supportdesk"
  ;;
stop)
  [ -f "$DIR/data/postmaster.pid" ] && as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null || true
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
