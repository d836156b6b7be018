#!/usr/bin/env bash
# A private PostgreSQL cluster in a folder: used by `scripts/run` (embedded database
# under .data/), by `scripts/test` (a throwaway cluster), and by tests that stop and
# start the database. PostgreSQL refuses to run as root, so as root every server
# command runs as the `postgres` user.
#
#   postgres.sh init  DIR          create the cluster (superuser password in DIR/../superuser.password)
#   postgres.sh start DIR PORT     start it on 127.0.0.1:PORT (socket in DIR)
#   postgres.sh stop  DIR          fast shutdown (idempotent)
#   postgres.sh status DIR         exit 0 when the cluster is running
#   postgres.sh free-port          print a free TCP port on 127.0.0.1
#   postgres.sh create-db DIR PORT NAME   a role and a database named NAME, password in DIR/../NAME.password
set -euo pipefail

pg_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] || { echo "PostgreSQL server binaries not found (install postgresql)" >&2; exit 1; }
  echo "$dir"
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

random_password() { openssl rand -hex 24; }

secrets_dir() { echo "$(dirname "$1")/secrets"; }

cmd_init() {
  local data="$1" secrets
  secrets="$(secrets_dir "$data")"
  mkdir -p "$data" "$secrets"
  chmod 700 "$data" "$secrets"
  [ -f "$secrets/postgres.password" ] || random_password >"$secrets/postgres.password"
  chmod 600 "$secrets/postgres.password"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$data"
    # The server reads the password file once, at initdb; hand it a copy it can read.
    local pwcopy="$data.pw"
    install -m 600 -o postgres "$secrets/postgres.password" "$pwcopy"
    as_owner "$(pg_bindir)/initdb" -D "$data" -U postgres --auth=scram-sha-256 \
      --pwfile="$pwcopy" -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwcopy"
  else
    "$(pg_bindir)/initdb" -D "$data" -U postgres --auth=scram-sha-256 \
      --pwfile="$secrets/postgres.password" -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
}

cmd_start() {
  local data="$1" port="$2"
  as_owner "$(pg_bindir)/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=${SALESOPS_PG_FSYNC:-on}" \
    start >/dev/null
}

cmd_stop() {
  local data="$1"
  [ -f "$data/postmaster.pid" ] || return 0
  as_owner "$(pg_bindir)/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

cmd_status() {
  local data="$1"
  [ -f "$data/postmaster.pid" ] || return 1
  as_owner "$(pg_bindir)/pg_ctl" -D "$data" status >/dev/null 2>&1
}

cmd_free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  echo "no free port found" >&2; exit 1
}

cmd_create_db() {
  local data="$1" port="$2" name="$3" secrets
  secrets="$(secrets_dir "$data")"
  [ -f "$secrets/$name.password" ] || { random_password >"$secrets/$name.password"; chmod 600 "$secrets/$name.password"; }
  local pw
  pw="$(cat "$secrets/$name.password")"
  PGPASSWORD="$(cat "$secrets/postgres.password")" psql -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U postgres -d postgres >/dev/null <<SQL
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', '$name', '$pw')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$name') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$name', '$name')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$name') \gexec
SQL
}

case "${1:-}" in
  init) cmd_init "$2" ;;
  start) cmd_start "$2" "$3" ;;
  stop) cmd_stop "$2" ;;
  status) cmd_status "$2" ;;
  free-port) cmd_free_port ;;
  create-db) cmd_create_db "$2" "$3" "$4" ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
