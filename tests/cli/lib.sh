# lib.sh - a small TAP harness for the end-to-end tests. Each test file
# sources it, calls the helpers, and ends with done_testing.
set -u
: "${WITHUS:?set WITHUS to the withus binary}"
n=0
failed=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/withus-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# Every test starts with no database of the user's, and the same locale.
export HOME="$TMP/home"
mkdir -p "$HOME"
unset XDG_DATA_HOME WITHUS_DB
export LC_ALL=C.UTF-8

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1))
	echo "not ok $n - $1"
	[ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/# /'
	return 0
}
check() { # check DESC COMMAND...: passes when the command succeeds
	desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# run CMD...: stdout in $TMP/out, stderr in $TMP/err, exit status in $rc
run() { "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }
w() { "$WITHUS" "$@"; }

# expect_rc WANT DESC CMD...
expect_rc() {
	want=$1 desc=$2; shift 2
	run "$@"
	if [ "$rc" = "$want" ]; then ok "$desc"
	else not_ok "$desc" "exit $rc, wanted $want; stderr: $(cat "$TMP/err")"; fi
}

# expect_error WANT_RC PATTERN DESC CMD...: the command fails with WANT_RC
# and its first line on stderr is "withus: ..." matching PATTERN (grep -E).
expect_error() {
	want=$1 pat=$2 desc=$3; shift 3
	run "$@"
	first=$(head -n 1 "$TMP/err")
	if [ "$rc" != "$want" ]; then
		not_ok "$desc" "exit $rc, wanted $want; stderr: $(cat "$TMP/err")"
	elif ! printf '%s\n' "$first" | grep -Eq -- "^withus: .*$pat"; then
		not_ok "$desc" "stderr does not match '$pat': $(cat "$TMP/err")"
	elif [ -s "$TMP/out" ]; then
		not_ok "$desc" "printed to stdout on failure: $(cat "$TMP/out")"
	else ok "$desc"; fi
}

# The logical content of a database, to show that a refused change wrote nothing.
db_content() { sqlite3 "$1" .dump; }

out_has() { grep -Eq -- "$1" "$TMP/out"; }
err_has() { grep -Eq -- "$1" "$TMP/err"; }

done_testing() {
	echo "1..$n"
	[ "$failed" = 0 ]
}
