#!/usr/bin/env bash
# The release leg of `make test`: the profile-guided, link-time optimised binary (`make
# release`) must compute what the default build computes. Both simulate the same scenarios;
# their journals must be byte-identical, and each replays the other's exactly.
# usage: scripts/test-release.sh DEFAULT_TAPEDECK RELEASE_TAPEDECK
set -euo pipefail
plain=${1:?usage: scripts/test-release.sh DEFAULT_TAPEDECK RELEASE_TAPEDECK}
release=${2:?usage: scripts/test-release.sh DEFAULT_TAPEDECK RELEASE_TAPEDECK}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The example scenarios (each names its strategy), and the other strategies on the defaults.
scenarios=()
for scenario in calm faulty-venue kill-switch latency-heavy; do
  strategy=$(sed -n 's/^strategy *= *"\(.*\)".*/\1/p' "examples/$scenario.toml" | head -1)
  scenarios+=("--strategy ${strategy:-market-maker} --config examples/$scenario.toml")
done
scenarios+=("--strategy momentum" "--strategy twap")
runs=0
for scenario in "${scenarios[@]}"; do
  read -ra extra <<<"$scenario"
  args=(simulate --synth 11 --seed 4 "${extra[@]}")
  "$plain" "${args[@]}" -o "$work/plain" >/dev/null
  "$release" "${args[@]}" -o "$work/release" >/dev/null
  for f in "$work/plain"/*; do
    if ! cmp -s "$f" "$work/release/$(basename "$f")"; then
      echo "test-release: $scenario: $(basename "$f") differs between $plain and $release" >&2
      exit 1
    fi
  done
  "$release" replay "$work/plain" >/dev/null
  "$plain" replay "$work/release" >/dev/null
  rm -rf "$work/plain" "$work/release"
  runs=$((runs + 1))
done
echo "test-release: $runs scenario runs, byte-identical journals from both builds, each replayed" \
  "exactly by the other"
