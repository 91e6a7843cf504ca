#!/usr/bin/env bash
# Flakiness check: the whole suite three times in a row while one core is kept busy; green only if all three are.
#   bash scripts/stress-tests.sh [RUNS]      (npm run test:stress)
# A test that waits for time instead of state, or leans on another test's leftovers, fails here first.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
node -e 'for (;;) {}' &   # one core busy for the whole check
busy=$!
trap 'kill $busy 2>/dev/null' EXIT
failed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if npm test --silent; then status=green; else status=RED; failed=$((failed + 1)); fi
  echo "stress run $i/$runs: $status in $(( $(date +%s) - start )) s"
done
echo "stress: $((runs - failed)) of $runs runs green"
[ "$failed" = 0 ]
