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

pwfile="$dir/private/superuser-password"

case "$cmd" in
  start)
    # Password (scram-sha-256) for every TCP connection, never trust: any local user could connect
    # as the superuser otherwise. The password stays in a folder only this script's user can read.
    mkdir -p "$dir/private"
    chmod 700 "$dir/private"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      mkdir -p "$dir/data"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir/data"
      (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$pwfile")
      handed=$(mktemp)
      cp "$pwfile" "$handed"
      [ "$(id -u)" = 0 ] && chown postgres "$handed"
      "${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
        --pwfile="$handed" -E UTF8 --locale=C.UTF-8 >/dev/null
      rm -f "$handed"
    fi
    export PGPASSWORD; PGPASSWORD=$(cat "$pwfile")
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=''" start >/dev/null
    "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tc \
      "select 1 from pg_database where datname = 'agreement_ledger'" | grep -q 1 \
      || "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "create database agreement_ledger" >/dev/null
    echo "ConnectionStrings__Ledger=Host=127.0.0.1;Port=$port;Username=postgres;Password=$PGPASSWORD;Database=agreement_ledger"
    ;;
  stop)
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop
    ;;
  *) echo "usage: $0 start|stop [DIR] [PORT]" >&2; exit 2 ;;
esac
