#!/usr/bin/env bash
# The training run of the release build's profile-guided optimisation (`make release`).
# usage: scripts/pgo-train.sh INSTRUMENTED_TAPEDECK
#
# It runs the instrumented binary (built with TD_PGO=generate, which writes its profile where
# that build says) on embedded inputs only: the seeded synthetic market and the example
# scenarios. No external data is read, so the profile is the same on every machine, and it is
# not fitted to the LOBSTER day that `tapedeck bench simulate` measures.
set -euo pipefail
bin=${1:?usage: scripts/pgo-train.sh INSTRUMENTED_TAPEDECK}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" synth --seed 7 --duration 60s -o "$work/market" >/dev/null
# Each strategy over the synthetic day, journaled and replayed exactly (bench simulate does
# both), as the benchmark runs the market maker over LOBSTER's.
for strategy in market-maker momentum twap; do
  "$bin" bench simulate --market "$work/market" --strategy "$strategy" --runs 2 >/dev/null
done
# The fault paths: a faulty venue and the kill switch, replayed.
for scenario in faulty-venue kill-switch; do
  "$bin" simulate --synth 3 --strategy market-maker --config "examples/$scenario.toml" --seed 5 \
    -o "$work/$scenario" >/dev/null
  "$bin" replay "$work/$scenario" >/dev/null
done
"$bin" bench journal --events 2000000 >/dev/null
"$bin" bench book --ops 2000000 >/dev/null
echo "pgo-train: profile written by $bin"
