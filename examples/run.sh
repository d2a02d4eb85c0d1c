#!/bin/sh
# The README's main job: validate both 2026 policies, run them on the example data, print
# readable tables and write the JSON decisions to out/.
set -e
cd "$(dirname "$0")/.."
mkdir -p out
villkor validate policies/2026_performance.yaml policies/2026_capacity.yaml
for policy in 2026_performance 2026_capacity; do
  villkor run "policies/$policy.yaml" --data examples/2026 --format md
  villkor run "policies/$policy.yaml" --data examples/2026 --format json -o "out/$policy.json" 2>/dev/null
  echo "wrote out/$policy.json" >&2
done
