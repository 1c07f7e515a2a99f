#!/usr/bin/env bash
# `make demo`: record a synthetic session into a journal, inspect it, damage two copies the way
# crashes and bad disks do (a torn tail, a flipped byte in a middle block), and show verify
# finding the damage and recover repairing it. Needs no external data.
set -euo pipefail
TAPEDECK=${1:-build/tools/tapedeck}
OUT=out/demo
rm -rf "$OUT"
mkdir -p "$OUT"
J="$OUT/session.journal"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "Record 1,000,000 synthetic L3 market-data events through the journal writer"
run "$TAPEDECK" bench journal --events 1000000 --keep "$J"

step "What is in the journal"
run "$TAPEDECK" journal info "$J"
run "$TAPEDECK" journal cat "$J" --limit 3
run "$TAPEDECK" journal cat "$J" --from-seq 500000 --limit 1 --json

step "Verify: every block's checksum, the hash chain, sequence continuity, every record decoded"
run "$TAPEDECK" journal verify "$J"

seg="seg-000000.tdj"
size=$(stat -c %s "$J/$seg")

step "Crash: cut a copy in the middle of its last block (a writer killed mid-write)"
cp -r "$J" "$OUT/torn.journal"
rm -f "$OUT/torn.journal/index.tdx"
truncate -s $((size - 12345)) "$OUT/torn.journal/$seg"
set +e
run "$TAPEDECK" journal verify "$OUT/torn.journal"
echo "(verify exit status: $?)"
set -e
run "$TAPEDECK" journal recover "$OUT/torn.journal"
run "$TAPEDECK" journal verify "$OUT/torn.journal"

step "Bad disk: flip one byte in a middle block of another copy"
cp -r "$J" "$OUT/flipped.journal"
printf '\xa5' | dd of="$OUT/flipped.journal/$seg" bs=1 seek=$((size / 2)) conv=notrunc status=none
set +e
run "$TAPEDECK" journal verify "$OUT/flipped.journal"
echo "(verify exit status: $?)"
set -e
printf '$ %s\n' "$TAPEDECK journal cat $OUT/flipped.journal --skip-corrupt | wc -l"
"$TAPEDECK" journal cat "$OUT/flipped.journal" --skip-corrupt 2>&1 >/dev/null | head -3
echo "records still readable around the bad block: $("$TAPEDECK" journal cat "$OUT/flipped.journal" --skip-corrupt 2>/dev/null | wc -l)"
run "$TAPEDECK" journal recover "$OUT/flipped.journal"
run "$TAPEDECK" journal verify "$OUT/flipped.journal"

step "Statistics of the original"
run "$TAPEDECK" journal stats "$J"

step "Done: journals are in $OUT"
