#!/bin/sh
# tests/fuzz/run.sh OUTDIR SECONDS [TARGET...]: runs each target (default:
# all five) for SECONDS, from its seed corpus (tests/fuzz/corpus/TARGET) and
# the corpus an earlier run left in OUTDIR. Prints one line per target:
#   fuzz-csv: 1234567 runs in 600 s, 0 crashes
# and exits 1 if any target found a crash (its input is kept in OUTDIR).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$1 secs=$2
shift 2
targets=${*:-csv jsonl record policy sync}
status=0
for t in $targets; do
	mkdir -p "$out/corpus-$t" "$out/crashes-$t"
	"$out/fuzz-$t" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$out/crashes-$t/" \
		-rss_limit_mb=2048 -timeout=10 "$out/corpus-$t" "$top/tests/fuzz/corpus/$t" >"$out/fuzz-$t.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$out/fuzz-$t.log" | tail -n 1)
	[ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1/p' "$out/fuzz-$t.log" | tail -n 1)
	crashes=$(find "$out/crashes-$t" -type f | wc -l)
	echo "fuzz-$t: ${runs:-0} runs in $secs s, $crashes crashes"
	if [ $rc != 0 ] || [ "$crashes" != 0 ]; then
		status=1
		grep -m 3 -E "ERROR|SUMMARY" "$out/fuzz-$t.log" | sed 's/^/  /'
	fi
done
exit $status
