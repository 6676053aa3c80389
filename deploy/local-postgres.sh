#!/usr/bin/env bash
# Start (or stop) a PostgreSQL cluster for the ledger from this machine's binaries, outside the
# service: for running several service processes against one database, or for inspecting data.
#   deploy/local-postgres.sh start [DIR] [PORT]   → prints the connection string to use
#   deploy/local-postgres.sh stop  [DIR]
set -euo pipefail
cmd=${1:-start}
dir=${2:-/var/lib/agreement-ledger/shared}
port=${3:-5433}
bin=$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups); fi

case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      "${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=''" start >/dev/null
    "${as_pg[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tc \
      "select 1 from pg_database where datname = 'agreement_ledger'" | grep -q 1 \
      || "${as_pg[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -c "create database agreement_ledger" >/dev/null
    echo "ConnectionStrings__Ledger=Host=127.0.0.1;Port=$port;Username=postgres;Database=agreement_ledger"
    ;;
  stop)
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop
    ;;
  *) echo "usage: $0 start|stop [DIR] [PORT]" >&2; exit 2 ;;
esac
