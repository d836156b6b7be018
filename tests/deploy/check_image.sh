#!/usr/bin/env bash
# What can be checked of deploy/Dockerfile without a container engine, on this Debian 12
# machine (the image's own distribution):
#  1. the build stage installs the one package list (scripts/lib/common.sh's ensure_dependencies,
#     as scripts/test does) on debian:12;
#  2. it builds and copies every service binary there is;
#  3. the runtime stage's packages cover every shared library the built binaries load (ldd,
#     mapped to packages by dpkg -S), directly, through their dependencies, or as part of the base
#     image (priority required); and it installs no library package the binaries do not load.
# Usage: check_image.sh <source dir> <build dir>
set -euo pipefail
source_dir="$1"
build_dir="$2"
dockerfile="$source_dir/deploy/Dockerfile"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

grep -q '^12\.' /etc/debian_version || fail "not on Debian 12: the package checks would not hold"

# 1. The build stage.
build_stage="$(sed -n '/^FROM debian:12 AS build/,/^FROM /p' "$dockerfile")"
[ -n "$build_stage" ] || fail "no 'FROM debian:12 AS build' stage"
grep -q "source scripts/lib/common.sh && ensure_dependencies" <<<"$build_stage" ||
  fail "the build stage does not install scripts/lib/common.sh's package list"
grep -q '^ensure_dependencies$' "$source_dir/scripts/test" ||
  fail "scripts/test no longer installs through ensure_dependencies"

# 2. Every service binary.
binaries=()
for binary in "$build_dir"/services/salesops-*; do
  [ -x "$binary" ] && binaries+=("$binary")
done
[ ${#binaries[@]} -eq 4 ] || fail "expected 4 service binaries in $build_dir/services"
binaries+=("$build_dir/cli/salesopsctl")
for binary in "${binaries[@]}"; do
  name="$(basename "$binary")"
  grep -q -- " $name" <<<"$build_stage" || fail "the Dockerfile does not build $name"
  grep -q "/$name" <<<"$build_stage" || fail "the Dockerfile does not copy $name"
done

# 3. Runtime packages.
declared="$(sed -n 's/^ARG RUNTIME_PACKAGES="\(.*\)"$/\1/p' "$dockerfile")"
[ -n "$declared" ] || fail "no ARG RUNTIME_PACKAGES=\"...\" in the runtime stage"
package_of() {
  local file="$1" owner=""
  for candidate in "$file" "$(readlink -f "$file")" "/usr$file" "${file#/usr}"; do
    owner="$(dpkg -S "$candidate" 2>/dev/null | head -n1)" && [ -n "$owner" ] && break
  done
  [ -n "$owner" ] || return 1
  owner="${owner%%: *}"
  echo "${owner%%:*}"
}
needed="$(
  for binary in "${binaries[@]}"; do
    ldd "$binary" | awk '/=> \// {print $3}'
  done | sort -u | while read -r library; do
    package_of "$library" || echo "UNOWNED:$library"
  done | sort -u
)"
grep -q '^UNOWNED:' <<<"$needed" && fail "libraries from no package: $(grep '^UNOWNED:' <<<"$needed" | tr '\n' ' ')"

# shellcheck disable=SC2086
covered="$(
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances $declared 2>/dev/null | grep -v '^ ' | tr -d '<>' | sort -u
)"
for package in $needed; do
  grep -qx "$package" <<<"$covered" && continue
  [ "$(dpkg-query -W -f='${Priority}' "$package" 2>/dev/null)" = required ] && continue
  fail "the binaries load $package, which the runtime stage does not install"
done
for package in $declared; do
  # Data, not libraries: certificates for TLS, and the font documents are set in (loaded by
  # fontconfig at run time, so ldd cannot see it).
  [ "$package" = ca-certificates ] || [ "$package" = fonts-dejavu-core ] && continue
  grep -qx "$package" <<<"$needed" || fail "the runtime stage installs $package, which no binary loads"
done

echo "checked ${#binaries[@]} binaries, $(wc -w <<<"$needed") library packages, runtime list: $declared"
[ "$failures" -eq 0 ]
