#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for the test suite and print its URL.
#
#   eval "$(.ci/postgres.sh)"   # exports MATCHMAKER_TEST_DATABASE_URL
#
# The cluster lives in a temp dir owned by the `postgres` user (initdb refuses root), listens
# on 127.0.0.1:$PGPORT only (default 5439), runs with fsync off (it holds nothing worth
# keeping) and has a role and database `matchmaker` with password auth. Running it again while
# the cluster is up reuses it. Stop it with: .ci/postgres.sh stop
set -euo pipefail

PGPORT="${PGPORT:-5439}"
PGPASSWORD_TEST="${MATCHMAKER_PG_PASSWORD:-matchmaker}"
STATE="${TMPDIR:-/tmp}/matchmaker-pg-$PGPORT"
URL="postgresql+psycopg://matchmaker:${PGPASSWORD_TEST}@127.0.0.1:${PGPORT}/matchmaker"

bindir=""
for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$candidate/initdb" ]; then bindir="$candidate"; break; fi
done
if [ -z "$bindir" ]; then
  command -v initdb >/dev/null 2>&1 || { echo "postgres.sh: no initdb; apt-get install postgresql" >&2; exit 1; }
  bindir="$(dirname "$(command -v initdb)")"
fi

as_pg=()  # the server refuses to run as root: run its tools as the postgres user then
if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); fi

if [ "${1:-}" = "stop" ]; then
  if [ -d "$STATE/data" ]; then "${as_pg[@]}" "$bindir/pg_ctl" -D "$STATE/data" -m fast stop >&2 || true; fi
  rm -rf "$STATE"
  exit 0
fi

if ! "${as_pg[@]}" "$bindir/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" 2>/dev/null; then
  rm -rf "$STATE"
  mkdir -p "$STATE"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$STATE"; fi
  pwfile="$STATE/superuser-password"
  "${as_pg[@]}" sh -c "umask 077; printf '%s\n' '$PGPASSWORD_TEST' > '$pwfile'"
  "${as_pg[@]}" "$bindir/initdb" -D "$STATE/data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 >"$STATE/initdb.log" 2>&1 \
    || { cat "$STATE/initdb.log" >&2; exit 1; }
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$STATE/data" -l "$STATE/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $PGPORT -k $STATE -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off -c max_connections=200" \
    start >&2 || { cat "$STATE/server.log" >&2; exit 1; }
  # The test role creates and drops one database per test (from a template): CREATEDB, and
  # pg_signal_backend so that DROP DATABASE ... WITH (FORCE) may end leftover connections.
  # Autovacuum is off above: its workers would hold the short-lived databases open.
  "${as_pg[@]}" "$bindir/psql" -q -h "$STATE" -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE matchmaker LOGIN CREATEDB PASSWORD '$PGPASSWORD_TEST'" \
    -c "GRANT pg_signal_backend TO matchmaker" \
    -c "CREATE DATABASE matchmaker OWNER matchmaker" >&2
fi

echo "export MATCHMAKER_TEST_DATABASE_URL='$URL'"
