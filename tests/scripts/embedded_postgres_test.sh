#!/usr/bin/env bash
# scripts/run's embedded PostgreSQL set up where a newcomer's checkout lives: under a home
# folder the `postgres` user cannot enter (root's /root is mode 700), in a path with spaces,
# and, when this runs as root, also as an ordinary user in a home of their own.
# Usage: embedded_postgres_test.sh <source dir>
set -euo pipefail
source_dir="$1"
script="$source_dir/scripts/lib/postgres.sh"

work="$(mktemp -d /tmp/salesops-embedded-pg.XXXXXX)"
data="" user_data=""
cleanup() {
  [ -z "$data" ] || bash "$script" stop "$data" || true
  [ -z "$user_data" ] || runuser -u nobody -- bash "$work/postgres.sh" stop "$user_data" || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# Creates, starts, uses, stops and restarts a cluster at $2 as the current user, through the
# postgres.sh at $1: what scripts/run does on a first and a second start.
exercise_cluster() {
  local pg="$1" data="$2" port
  bash "$pg" init "$data" || fail "init in '$data'"
  [ -f "$data/PG_VERSION" ] || fail "no cluster in '$data' after init"
  port="$(bash "$pg" free-port)"
  bash "$pg" start "$data" "$port" || fail "start in '$data'"
  bash "$pg" status "$data" || fail "status says stopped after start"
  bash "$pg" create-db "$data" "$port" order_intake || fail "create-db"
  local answer
  answer="$(PGPASSWORD="$(cat "$(dirname "$data")/secrets/order_intake.password")" \
    psql -X -At -h 127.0.0.1 -p "$port" -U order_intake -d order_intake -c 'SELECT 40 + 2')"
  [ "$answer" = 42 ] || fail "query through the new role answered '$answer'"
  bash "$pg" stop "$data"
  if bash "$pg" status "$data"; then fail "status says running after stop"; fi
  # A second start of the same folder (scripts/run's later runs) keeps the data.
  bash "$pg" start "$data" "$port" || fail "restart in '$data'"
  bash "$pg" create-db "$data" "$port" order_intake || fail "create-db on restart"
  bash "$pg" stop "$data"
}

home="$work/home of a user"
mkdir -p "$home/my checkout"
chmod 700 "$home"
data="$home/my checkout/.data/postgres/data"

if [ "$(id -u)" -eq 0 ]; then
  # The case the issue reported: the server's user cannot enter the checkout.
  if runuser -u postgres -- test -x "$home" 2>/dev/null; then
    fail "precondition: postgres can enter '$home'"
  fi
  export SALESOPS_PG_SHADOW_ROOT="$work/shadow clusters"
  exercise_cluster "$script" "$data"
  [ -L "$data" ] || fail "expected '$data' to link to a folder postgres can reach"
  case "$(readlink -f "$data")" in
    "$SALESOPS_PG_SHADOW_ROOT"/*) ;;
    *) fail "cluster files in $(readlink -f "$data"), not under the shadow root" ;;
  esac
  [ "$(stat -c %U "$(readlink -f "$data")")" = postgres ] || fail "cluster not owned by postgres"

  # An ordinary user (nobody) with a private home: the server runs as that user, in place.
  user_home="$work/nobody's home"
  mkdir -p "$user_home/projects/sales ops"
  cp "$script" "$work/postgres.sh"
  chmod 755 "$work" "$work/postgres.sh"
  chown -R nobody "$user_home"
  chmod 700 "$user_home"
  user_data="$user_home/projects/sales ops/.data/postgres/data"
  runuser -u nobody -- bash -c "$(declare -f exercise_cluster fail); exercise_cluster '$work/postgres.sh' \"\$1\"" _ "$user_data" ||
    fail "as an ordinary user"
  [ ! -L "$user_data" ] || fail "an ordinary user's cluster should stay in place"
  [ "$(stat -c %U "$user_data")" = nobody ] || fail "ordinary user's cluster not owned by them"
else
  exercise_cluster "$script" "$data"
  [ ! -L "$data" ] || fail "an ordinary user's cluster should stay in place"
fi
echo "PASS"
