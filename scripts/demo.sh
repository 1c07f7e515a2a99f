#!/usr/bin/env bash
# `make demo`: generate a synthetic market session (the embedded default: no external data
# needed) into a journal, inspect it, damage two copies the way crashes and bad disks do (a
# torn tail, a flipped byte in a middle block), and show verify finding the damage and recover
# repairing it. With ../shared/data present it also rebuilds a real Nasdaq (LOBSTER) day.
set -euo pipefail
TAPEDECK=${1:-build/tools/tapedeck}
OUT=out/demo
rm -rf "$OUT"
mkdir -p "$OUT"
J="$OUT/session.journal"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "Generate 30 s of a synthetic 4-instrument market (SYN1..SYN4, seed 1) into a journal"
run "$TAPEDECK" synth --seed 1 --duration 30s --instruments 4 -o "$J"

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

step "Simulate: the market maker against the simulated venue, with latency, ack faults, disconnects and a kill switch at 20 s"
S="$OUT/session.sim"
run "$TAPEDECK" simulate --synth 7 --strategy market-maker --config docs/examples/session.toml --seed 42 --duration 30s -o "$S"
step "Exact replay: the same engine, fed the recorded inputs, must reproduce every output bit for bit"
run "$TAPEDECK" replay "$S"
step "Post-mortem: would the racy variant (cancel-fill-race) have behaved differently here?"
set +e
run "$TAPEDECK" replay "$S" --set engine.bug=cancel-fill-race
echo "(replay exit status: $?)"
set -e
run "$TAPEDECK" journal stats "$S"
step "The racy variant simulated on the same seed: diff names the first record where the runs part"
R="$OUT/session-racy.sim"
run "$TAPEDECK" simulate --synth 7 --strategy market-maker --bug cancel-fill-race --config docs/examples/session.toml --seed 42 --duration 30s -o "$R"
set +e
run "$TAPEDECK" diff "$S" "$R"
echo "(diff exit status: $?)"
set -e
step "The kill switch under faults (examples/kill-switch.toml): flat with no open order after the kill"
K="$OUT/kill-switch.sim"
run "$TAPEDECK" simulate --synth 3 --strategy market-maker --config examples/kill-switch.toml --seed 3 --duration 12s -o "$K"

step "FIX 4.4 sessions on the simulated links (examples/fix-session.toml): lost messages resent, disconnects mid-request, then an exact replay"
F="$OUT/fix-session.sim"
run "$TAPEDECK" simulate --synth 1 --strategy market-maker --config examples/fix-session.toml --seed 3 --duration 12s -o "$F"
run "$TAPEDECK" replay "$F"

step "Journal throughput (1,000,000 ~64-byte records through the real writer and reader)"
run "$TAPEDECK" bench journal --events 1000000

LOBSTER=../shared/data/lobster
if [ -d "$LOBSTER" ]; then
  msg="$LOBSTER/GOOG_2012-06-21_34200000_57600000_message_10.csv"
  book="$LOBSTER/GOOG_2012-06-21_34200000_57600000_orderbook_10.csv"
  step "Real data: rebuild Nasdaq GOOG 2012-06-21 (LOBSTER, 10 levels) and compare every row"
  run "$TAPEDECK" book check-lobster "$msg" "$book"
  step "Fidelity: 1000 historical orders resubmitted as ours; do they reproduce their fills?"
  run "$TAPEDECK" fidelity lobster "$msg" "$book" --orders 1000 --seed 1
fi

step "Paper trading over loopback: the simulated exchange serves FIX 4.4 and a market-data feed in real time"
P="$OUT/paper.journal"
EXLOG="$OUT/exchange.log"
rm -rf "$P"
printf '$ %s\n' "$TAPEDECK exchange serve --synth 7 --fix-port 0 --md-port 0 --speed 1 --config examples/latency-heavy.toml &"
"$TAPEDECK" exchange serve --synth 7 --fix-port 0 --md-port 0 --speed 1 --config examples/latency-heavy.toml >"$EXLOG" 2>&1 &
EXPID=$!
trap 'kill $EXPID 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "^md listening" "$EXLOG" 2>/dev/null && break; sleep 0.1; done
cat "$EXLOG"
FIXPORT=$(sed -n 's/^fix listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$EXLOG")
MDPORT=$(sed -n 's/^md listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$EXLOG")
step "The market maker trades it for 5 s as a paper session; every input, output and FIX message is journaled"
run "$TAPEDECK" paper --fix "127.0.0.1:$FIXPORT" --md "127.0.0.1:$MDPORT" --strategy market-maker --duration 5s -o "$P"
kill "$EXPID" 2>/dev/null || true
wait "$EXPID" 2>/dev/null || true
trap - EXIT
step "Exact replay of the paper session: the engine, fed the recorded inputs, reproduces every output"
run "$TAPEDECK" replay "$P"
run "$TAPEDECK" journal stats "$P"

step "Done: journals are in $OUT"
