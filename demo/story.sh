#!/usr/bin/env bash
# The salesops story, played with salesopsctl against a running suite: sales quotes more than
# ops can support, is refused with the reason, amends, confirms; the warehouse pulls; the client
# changes their mind after prep started, and the impact reaches ops, who acknowledge it.
#
#   demo/story.sh            against scripts/run's suite (reads .data/salesopsctl.yaml)
#   scripts/run --demo       starts the suite, plays this, and keeps serving
#
# Each step prints what it runs. SALESOPS_STORY_DAY moves the event (default +10bd: ten
# business days ahead); every play books its own panels, so a second play on the same day is
# refused at step 4, as it should be.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export SALESOPS_CONFIG="${SALESOPS_CONFIG:-$root/.data/salesopsctl.yaml}"
ctl_binary="${SALESOPS_CTL:-$root/build/cli/salesopsctl}"
tokens="${SALESOPS_TOKENS_DIR:-$root/.data/tokens}"
day="${SALESOPS_STORY_DAY:-+10bd}"

bold=$'\e[1m' dim=$'\e[2m' plain=$'\e[0m'
[ -t 1 ] || bold="" dim="" plain=""
step() { printf '\n%s%s%s\n' "$bold" "$*" "$plain"; }
# Runs salesopsctl as a role, showing the command as a person would type it.
as() {
  local role="$1"
  shift
  printf '%s$ salesopsctl%s %s%s\n' "$dim" "$([ "$role" = admin ] || echo " --token-file .data/tokens/$role.token")" "$*" "$plain"
  "$ctl_binary" --token-file "$tokens/$role.token" "$@"
}
expect() {  # expect CODE COMMAND...: the story goes on only if the exit code is the one told
  local want="$1"
  shift
  "$@"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    printf 'The story expected exit %s here and got %s; stopping.\n' "$want" "$got" >&2
    exit 1
  fi
  [ "$want" -eq 0 ] || printf '%s(exit %s, as expected)%s\n' "$dim" "$got" "$plain"
}

step "1. Sales quotes three 5 x 3 m LED walls and a speech PA for a conference ($day)."
times=(--deliver-from "$day 05:00" --deliver-by "$day 08:00" --load-in "$day 07:00"
  --show-start "$day 13:00" --show-end "$day 22:00" --strike "$day 23:00")
printf '%s$ order=$(salesopsctl --token-file .data/tokens/sales.token quote --file demo/story/quote.yaml --id-only)%s\n' "$dim" "$plain"
order="$("$ctl_binary" --token-file "$tokens/sales.token" quote --file demo/story/quote.yaml \
  "${times[@]}" --id-only)" || exit 1
expect 0 as sales order show "$order"

step "2. Confirming is refused: ops cannot support three walls that day, and say what is short."
expect 3 as sales confirm "$order"

step "3. The client takes one wall. The amendment is a new revision, with its reason."
expect 0 as sales amend "$order" --product LED-WALL-5X3=1 \
  --reason "The client takes one wall: that is the budget"

step "4. Now it confirms: stock reserved, crew planned, and ops commit to a time."
expect 0 as sales confirm "$order"

step "5. The warehouse pulls from the pull sheet; the order moves to in-prep by itself."
expect 0 as ops pullsheet "$order"
expect 0 as ops prep "$order" --pulled LED-PANEL-500=30
expect 0 as ops order wait "$order" --stage in-prep

step "6. After prep started, the client adds a panel talk. The impact is computed and sent."
expect 0 as sales amend "$order" --product MIC-PACK-8=1 \
  --reason "A panel discussion was added: 8 more wireless microphones"

step "7. Ops read it in their inbox, and acknowledge it."
for _ in $(seq 50); do
  "$ctl_binary" --token-file "$tokens/ops.token" notifications --order "$order" \
    --type order-amended --json | grep -q '"notificationId"' && break
  sleep 0.2
done
expect 0 as ops notifications --order "$order" --type order-amended
expect 0 as ops ack-change "$order" --note "Mics added to the pull"

step "8. Everything that happened to order $order: who, when, why."
expect 0 as sales order history "$order"

printf '\nThe story is order %s. Try: salesopsctl order show %s\n' "$order" "$order"
