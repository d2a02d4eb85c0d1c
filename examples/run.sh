#!/bin/sh
# The README's main job: validate both 2026 policies, run them on the example data, print the
# headline outcomes as readable tables, write every output as JSON to out/ and the decision
# letters (one per region, HTML that prints on A4, and an index page) to out/beslut/.
set -e
cd "$(dirname "$0")/.."
mkdir -p out
villkor validate policies/2026_performance.yaml policies/2026_capacity.yaml
villkor run policies/2026_performance.yaml --data examples/2026 --format md \
  --outputs eligible,rate,compensation,payout,cap_reached 2>/dev/null
villkor run policies/2026_capacity.yaml --data examples/2026 --format md \
  --outputs allotment,qualifies,requisitioned,redistributed,payout,unused,undocumented,repayment 2>/dev/null
for policy in 2026_performance 2026_capacity; do
  villkor run "policies/$policy.yaml" --data examples/2026 --format json -o "out/$policy.json"
  echo "wrote out/$policy.json (every output, with the sha256 of policy and data)" >&2
done
for policy in 2026_performance 2026_capacity; do
  villkor decisions "policies/$policy.yaml" --data examples/2026 --format html -o out/beslut 2>/dev/null
  echo "wrote out/beslut/$policy-index.html (and one decision letter per region)" >&2
done
