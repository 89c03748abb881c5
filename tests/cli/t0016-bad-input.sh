#!/bin/sh
# The bad-input corpus (tests/bad/MANIFEST): malformed CSV, JSON Lines,
# policy files, command lines and server responses. Each must end with the
# exit status listed, a first line on stderr "withus: ..." matching the
# pattern listed (naming the field or value), nothing on stdout, and the
# records exactly as they were.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"
. "$TEST_SRCDIR/sync/peer.sh"
BAD="$TEST_SRCDIR/bad"
TAB=$(printf '\t')
SEED="$TMP/seed.db"
"$WITHUS" --db "$SEED" import "$BAD/seed.jsonl" 2>/dev/null || bail "cannot load the seed" /dev/null
records() { "$WITHUS" --db "$1" export 2>/dev/null; }

# judge KIND FILE WANT PATTERN DB BEFORE: one verdict on the last run. A
# sync's progress lines come first: its error is the last line. A case that
# must succeed (exit 0) may change the records; one that fails may not.
judge() {
	case "$1" in response:*) first=$(tail -n 1 "$TMP/err") ;; *) first=$(head -n 1 "$TMP/err") ;; esac
	if [ "$rc" != "$3" ]; then
		not_ok "$1 $2" "exit $rc, wanted $3; stderr: $(head -c 300 "$TMP/err")"
	elif [ "$3" != 0 ] && ! printf '%s\n' "$first" | grep -Eq -- "^withus: .*$4"; then
		not_ok "$1 $2" "the first line on stderr does not match '$4': $first"
	elif [ "$3" != 0 ] && [ -s "$TMP/out" ]; then
		not_ok "$1 $2" "printed to stdout: $(head -c 200 "$TMP/out")"
	elif [ "$3" != 0 ] && ! records "$5" | cmp -s - "$6"; then
		not_ok "$1 $2" "the records changed"
	else
		ok "$1 $2"
	fi
}

records "$SEED" > "$TMP/seed.records"
responses=""
while IFS="$TAB" read -r kind file want pattern; do
	case "$kind" in ''|'#'*) continue ;; response:*) responses="$responses$kind$TAB$file$TAB$want$TAB$pattern
"; continue ;; esac
	DB="$TMP/case.db"
	rm -f "$DB"*
	cp "$SEED" "$DB"
	case "$kind" in
	csv-*) run "$WITHUS" --db "$DB" import --type "${kind#csv-}" "$BAD/$file" </dev/null ;;
	jsonl) run "$WITHUS" --db "$DB" import --format jsonl "$BAD/$file" </dev/null ;;
	policy) run "$WITHUS" --db "$DB" check --policy "$BAD/$file" </dev/null ;;
	args)
		set --
		while IFS= read -r a; do set -- "$@" "$a"; done < "$BAD/$file"
		run "$WITHUS" --db "$DB" "$@" </dev/null ;;
	*) not_ok "$kind $file" "unknown kind in the manifest"; continue ;;
	esac
	judge "$kind" "$file" "$want" "$pattern" "$DB" "$TMP/seed.records"
done < "$BAD/MANIFEST"
check "the corpus holds at least 60 malformed inputs" test "$(grep -c "^[a-z]" "$BAD/MANIFEST")" -ge 60

# ---- server responses: the proxy answers a path with the bad body ---------------------------------
start_peer minimum
start_proxy
export WITHUS_RETRY_BASE_MS=5
S="$TMP/synced.db"
cp "$SEED" "$S"
"$WITHUS" --db "$S" remote add hub "$PROXY/hub" >/dev/null
"$WITHUS" --db "$S" sync --create >/dev/null 2>&1 || bail "the first sync failed" "$TMP/err"
curl -sf -X PUT "$PEER/hub/budget:88888888-8888-4888-8888-888888888888" -H 'Content-Type: application/json' \
	-d "{\"type\":\"budget\",\"project\":\"33333333-3333-4333-8333-333333333333\",\"recipient\":\"11111111-1111-4111-8111-111111111111\",\"category\":\"kt\",\"amount\":\"7.00\",\"currency\":\"GBP\",\"value_date\":\"2025-01-01\",\"created\":\"2025-01-01T00:00:00Z\"}" >/dev/null # and to pull
printf '%s' "$responses" > "$TMP/responses"
while IFS="$TAB" read -r kind file want pattern; do
	where=${kind#response:}
	method=${where%% *}
	[ "$method" = "$where" ] && method= || where=${where#* }
	body=$(cat "$BAD/$file")
	if [ "$where" = / ]; then match=$(jq -cn --arg u / '{url: $u}'); else match=$(jq -cn --arg p "$where" '{path: $p}'); fi
	proxy_rules "$(jq -cn --argjson m "$match" --arg method "$method" --arg raw "$body" \
		'[$m + {times: -1, status: 200, raw: $raw} + (if $method == "" then {} else {method: $method} end)]')"
	DB="$TMP/case.db"
	rm -f "$DB"*
	cp "$S" "$DB"
	# something new to push each time (an earlier case may have pushed the last one)
	"$WITHUS" --db "$DB" add budget --project "Shared Study" --recipient "Amara Collective" --category kt --amount 5 \
		--currency GBP --value-date 2025-01-01 >/dev/null
	records "$DB" > "$TMP/case.records"
	run "$WITHUS" --db "$DB" sync </dev/null
	judge "$kind" "$file" "$want" "$pattern" "$DB" "$TMP/case.records"
	proxy_rules '[]'
done < "$TMP/responses"

done_testing
