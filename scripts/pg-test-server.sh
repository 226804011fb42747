#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on 127.0.0.1 for the tests and prints its admin URL
# (what NODEPLAN_TEST_PG_URL expects). The cluster lives in a temp dir, runs as the `postgres`
# user, trusts loopback connections, and keeps nothing durable (fsync off): it is for tests only.
#   eval "export NODEPLAN_TEST_PG_URL=$(scripts/pg-test-server.sh)"
#   scripts/pg-test-server.sh stop DIR     stops a cluster it started (DIR is on stderr)
# Environment: PGPORT (default: a free port), PG_BIN (default: the oldest /usr/lib/postgresql/*/bin, 15 here),
# PG_TEST_DIR (an empty directory for the cluster; default: a new one under /tmp).
set -euo pipefail

# Debian's postgresql package: 15 on bookworm; a newer major where that is what apt installed.
PG_BIN="${PG_BIN:-$( (ls -d /usr/lib/postgresql/*/bin 2>/dev/null || true) | sort -V | head -1)}"
[ -x "$PG_BIN/initdb" ] || { echo "pg-test-server: no initdb in $PG_BIN (apt-get install postgresql)" >&2; exit 1; }

# initdb refuses to run as root: root runs it as the postgres user, anyone else as themselves.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-}" = stop ]; then
  as_postgres "$PG_BIN/pg_ctl" -D "$2/data" -m immediate stop >&2
  rm -rf "$2"
  exit 0
fi

port="${PGPORT:-}"
if [ -z "$port" ]; then
  port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
fi

dir="${PG_TEST_DIR:-$(mktemp -d /tmp/nodeplan-pg.XXXXXX)}"
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 start \
  -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -qAt -c 'CREATE DATABASE nodeplan_test' >/dev/null

echo "pg-test-server: PostgreSQL on 127.0.0.1:$port, data in $dir (stop: $0 stop $dir)" >&2
echo "postgresql://postgres@127.0.0.1:$port/nodeplan_test"
