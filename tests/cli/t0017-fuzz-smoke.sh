#!/bin/sh
# A short smoke run of each libFuzzer target (tests/fuzz): builds them with
# clang and the sanitizers, and runs each for WITHUS_FUZZ_SECONDS (default
# 15) from its seed corpus. Only where WITHUS_FUZZ_SMOKE=1 (scripts/test sets
# it for the -Werror build) and clang with libFuzzer is here; the long runs
# and their figures are in docs/robustness.md.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"
skip() { echo "1..0 # SKIP $1"; exit 0; }
[ "${WITHUS_FUZZ_SMOKE:-0}" = 1 ] || skip "fuzzing runs in one build only (WITHUS_FUZZ_SMOKE=1)"
command -v "${CLANG:-clang}" >/dev/null 2>&1 || skip "no clang (scripts/install-deps --test installs it)"
FUZZ="$TEST_SRCDIR/fuzz"
expect_rc 0 "the five fuzz targets build with clang, libFuzzer and the sanitizers" "$FUZZ/build.sh" . "$TMP/fuzz"
for t in csv jsonl record policy sync; do
	run "$FUZZ/run.sh" "$TMP/fuzz" "${WITHUS_FUZZ_SECONDS:-15}" "$t"
	if [ "$rc" = 0 ] && grep -q "^fuzz-$t: [1-9][0-9]* runs in .*, 0 crashes$" "$TMP/out"; then
		ok "fuzz-$t: $(cat "$TMP/out")"
	else
		not_ok "fuzz-$t" "$(cat "$TMP/out" "$TMP/err" | head -n 12)"
	fi
done
done_testing
