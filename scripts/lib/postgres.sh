#!/usr/bin/env bash
# A private PostgreSQL cluster in a folder: used by `scripts/run` (embedded database
# under .data/), by `scripts/test` (a throwaway cluster), and by tests that stop and
# start the database. PostgreSQL refuses to run as root, so as root every server
# command runs as the `postgres` user. That user may not be able to reach DIR (a
# checkout under /root, mode 700): then the cluster's files live in
# /var/lib/salesops/clusters/<hash of DIR> and DIR is a symbolic link to them. As any
# other user the server runs as that user, in DIR itself. DIR may hold spaces.
#
#   postgres.sh init  DIR          create the cluster (superuser password in DIR/../secrets/postgres.password)
#   postgres.sh start DIR PORT     start it on 127.0.0.1:PORT (TCP only, no Unix socket)
#   postgres.sh stop  DIR          fast shutdown (idempotent)
#   postgres.sh status DIR         exit 0 when the cluster is running
#   postgres.sh free-port          print a free TCP port on 127.0.0.1
#   postgres.sh create-db DIR PORT NAME   a role and a database named NAME, password in DIR/../secrets/NAME.password
set -euo pipefail

pg_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] || { echo "PostgreSQL server binaries not found (install postgresql)" >&2; exit 1; }
  echo "$dir"
}

# From /, so that the server's user is never left in a folder it cannot enter.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

random_password() { openssl rand -hex 24; }

secrets_dir() { echo "$(dirname "$1")/secrets"; }

# Where the server's own files are: DIR, or where its symbolic link points.
server_dir() { readlink -f -- "$1"; }

# True when the server's user can reach (search) every directory above and including $1.
owner_can_reach() {
  [ "$(id -u)" -ne 0 ] || runuser -u postgres -- test -x "$1" 2>/dev/null
}

# Root's clusters that `postgres` cannot reach live here, one folder per DIR.
SHADOW_ROOT="${SALESOPS_PG_SHADOW_ROOT:-/var/lib/salesops/clusters}"

cmd_init() {
  local data="$1" secrets parent
  secrets="$(secrets_dir "$data")"
  parent="$(dirname "$data")"
  mkdir -p "$parent" "$secrets"
  chmod 700 "$secrets"
  [ -f "$secrets/postgres.password" ] || random_password >"$secrets/postgres.password"
  chmod 600 "$secrets/postgres.password"
  if [ "$(id -u)" -ne 0 ]; then
    mkdir -p "$data"
    chmod 700 "$data"
    "$(pg_bindir)/initdb" -D "$data" -U postgres --auth=scram-sha-256 \
      --pwfile="$secrets/postgres.password" -E UTF8 --locale=C.UTF-8 >/dev/null
    return
  fi
  if ! owner_can_reach "$parent"; then
    local shadow
    shadow="$SHADOW_ROOT/$(printf '%s' "$(cd "$parent" && pwd)/$(basename "$data")" |
      sha256sum | cut -c1-16)"
    mkdir -p "$SHADOW_ROOT"
    chmod 755 "$SHADOW_ROOT" "$(dirname "$SHADOW_ROOT")"
    rm -rf "$shadow"
    mkdir -p "$shadow/data"
    chown postgres:postgres "$shadow" && chmod 700 "$shadow"
    rm -rf "$data"
    ln -s "$shadow/data" "$data"
  fi
  local server
  server="$(server_dir "$data")"
  mkdir -p "$server"
  chown postgres:postgres "$server"
  chmod 700 "$server"
  # initdb reads the password from a file: hand it a copy only the server's user can read,
  # in a folder that user can reach.
  local pwdir
  pwdir="$(mktemp -d /tmp/salesops-initdb.XXXXXX)"
  chmod 711 "$pwdir"
  install -m 600 -o postgres "$secrets/postgres.password" "$pwdir/pw"
  as_owner "$(pg_bindir)/initdb" -D "$server" -U postgres --auth=scram-sha-256 \
    --pwfile="$pwdir/pw" -E UTF8 --locale=C.UTF-8 >/dev/null || { rm -rf "$pwdir"; return 1; }
  rm -rf "$pwdir"
}

cmd_start() {
  local data="$1" port="$2" server
  server="$(server_dir "$data")"
  # Settings go in a file the cluster includes, not on pg_ctl's command line, which the
  # shell would split at a space in the path. No Unix socket: its path is limited to
  # 107 bytes and every client here connects over TCP.
  grep -q "^include_if_exists = 'salesops.conf'" "$server/postgresql.conf" ||
    echo "include_if_exists = 'salesops.conf'" | as_owner tee -a "$server/postgresql.conf" >/dev/null
  printf '%s\n' "listen_addresses = '127.0.0.1'" "port = $port" "unix_socket_directories = ''" \
    "max_connections = 300" "fsync = ${SALESOPS_PG_FSYNC:-on}" |
    as_owner tee "$server/salesops.conf" >/dev/null
  as_owner "$(pg_bindir)/pg_ctl" -D "$server" -l "$server/server.log" -w -t 60 start >/dev/null
}

cmd_stop() {
  local server
  server="$(server_dir "$1")"
  [ -f "$server/postmaster.pid" ] || return 0
  as_owner "$(pg_bindir)/pg_ctl" -D "$server" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

cmd_status() {
  local server
  server="$(server_dir "$1")"
  [ -f "$server/postmaster.pid" ] || return 1
  as_owner "$(pg_bindir)/pg_ctl" -D "$server" status >/dev/null 2>&1
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
  *) sed -n '2,15p' "$0"; exit 2 ;;
esac
