#!/usr/bin/env bash
# Scheduler overhead: planning a 1,000-point sweep (target < 1 s), re-running a fully cached
# ~100-stage experiment (target < 2 s) and validating a 100,000-point sweep (target < 5 s).
# Usage: scripts/bench-scheduler.sh path/to/accordion
set -euo pipefail
BIN=${1:-.build/release/accordion}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

widths=$(seq -s, 1 1000)
cat > "$WORK/sweep.yaml" <<YAML
name: plan-bench
model:
  depth: 3
  width: {grid: [$widths]}
estimators: {pr: {}, twonn: {}, mle: {}}
YAML
big=$(seq -s, 1 50000)
cat > "$WORK/big.yaml" <<YAML
name: validate-bench
model:
  depth: {grid: [2, 3]}
  width: {grid: [$big]}
estimators: {pr: {}, twonn: {}, mle: {}}
YAML
cat > "$WORK/cached.yaml" <<YAML
name: cache-bench
data: {train_size: 500, test_size: 200}
model: {depth: 3, width: {grid: [8, 16, 24, 32, 40, 48, 56]}}
train: {epochs: 1}
probe: {epochs: [0, 1], size: 100}
YAML

now() { date +%s.%N; }
t0=$(now); "$BIN" plan "$WORK/sweep.yaml" --results "$WORK/r" > "$WORK/plan.out"; t1=$(now)
points=$(head -1 "$WORK/plan.out" | grep -o '[0-9]* run points')
stages=$(grep -o '^[0-9]* stages' "$WORK/plan.out")
"$BIN" run "$WORK/cached.yaml" --results "$WORK/r" > /dev/null
t2=$(now); "$BIN" run "$WORK/cached.yaml" --results "$WORK/r" > "$WORK/cached.out"; t3=$(now)
summary=$(grep -E '^[0-9]+ stages:' "$WORK/cached.out")
t4=$(now); "$BIN" validate "$WORK/big.yaml" > "$WORK/validate.out"; t5=$(now)
bigpoints=$(grep -o '[0-9]* run points' "$WORK/validate.out")
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v e="$t4" -v f="$t5" -v p="$points" -v s="$stages" -v cs="$summary" -v bp="$bigpoints" 'BEGIN {
  printf "plan of %s (%s):      %6.3f s   (target < 1 s)\n", p, s, b - a
  printf "fully cached re-run (%s): %6.3f s   (target < 2 s)\n", cs, d - c
  printf "validate of %s:      %6.3f s   (target < 5 s)\n", bp, f - e
}'
