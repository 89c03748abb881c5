#!/bin/sh
# Crash safety and concurrency: withus killed (SIGKILL) at random moments
# during imports, edits and syncs, many times over; then two writers and a
# sync on one database at once. After every kill the database passes
# PRAGMA integrity_check and every operation is there whole or not at all;
# the concurrent run loses no write and never shows "database is locked".
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"
. "$TEST_SRCDIR/sync/peer.sh"
is() { [ "$1" = "$2" ] || { echo "# got '$1', wanted '$2'"; return 1; }; }
rand() { od -An -N2 -tu2 /dev/urandom | awk -v m="$1" '{ print $1 % m }'; } # 0 .. m-1
ms() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }                   # milliseconds for sleep
intact() { [ "$(sqlite3 "$1" 'PRAGMA integrity_check')" = ok ]; }
count() { sqlite3 "$1" "SELECT count(*) FROM $2"; }

SEED="$TMP/seed.db"
ORG=$("$WITHUS" --db "$SEED" add org --name "Amara Collective" --kind sex-worker-led --country KE --visibility public)
P=$("$WITHUS" --db "$SEED" add project --title "Study" --lead-org "Amara Collective" --visibility shared)
lines() { # lines N: N budget lines as JSON Lines, new ids each time
	python3 -c "
import json, uuid
for i in range($1):
    print(json.dumps({'type': 'budget', 'id': str(uuid.uuid4()), 'project': '$P', 'recipient': '$ORG', 'category': 'kt',
                      'amount': '%d.00' % (100 + i), 'currency': 'GBP', 'value_date': '2025-01-01'}))"
}

# ---- import, killed at random -----------------------------------------------------------------
lines 3000 > "$TMP/big.jsonl"
ITER=${WITHUS_KILL_ITERATIONS:-30}
# How long one import takes here: the kills are spread over that time.
cp "$SEED" "$TMP/timing.db"
t0=$(date +%s%N)
"$WITHUS" --db "$TMP/timing.db" import "$TMP/big.jsonl" >/dev/null 2>&1
SPAN=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$SPAN" -ge 20 ] || SPAN=20
i=0 killed=0 whole=0 bad=""
while [ $i -lt "$ITER" ]; do
	D="$TMP/import.db"
	rm -f "$D"*
	cp "$SEED" "$D"
	"$WITHUS" --db "$D" import "$TMP/big.jsonl" >/dev/null 2>&1 &
	pid=$!
	sleep "$(ms "$(rand "$SPAN")")"
	kill -9 $pid 2>/dev/null
	wait $pid
	[ $? = 137 ] && killed=$((killed + 1))
	got=$(count "$D" budget)
	[ "$got" = 3000 ] && whole=$((whole + 1))
	intact "$D" && { [ "$got" = 0 ] || [ "$got" = 3000 ]; } || bad="$bad $i:$got"
	i=$((i + 1))
done
check "import killed at random in a ${SPAN} ms window $ITER times ($killed killed, $whole finished): intact, and all 3000 lines or none" is "$bad" ""
check "... the kills landed inside imports, not only before or after them" test "$killed" -ge $((ITER / 3))

# ---- commands started during an import -------------------------------------------------------
# An import alone on the database writes with a rollback journal (memory flat
# however large the input): commands started meanwhile wait for it, then run.
D="$TMP/during.db"
cp "$SEED" "$D"
lines 20000 > "$TMP/huge.jsonl"
"$WITHUS" --db "$D" import "$TMP/huge.jsonl" >/dev/null 2>"$TMP/during-import.err" &
pid=$!
sleep 0.2
"$WITHUS" --db "$D" add org --name "During Org" --kind ngo --country GB >/dev/null 2>"$TMP/during-add.err"; add_rc=$?
"$WITHUS" --db "$D" list budget --json >"$TMP/during.json" 2>"$TMP/during-list.err"; list_rc=$?
wait $pid; import_rc=$?
check "an import and an add and a list started during it all succeed" is "$import_rc $add_rc $list_rc" "0 0 0"
check "... the list saw all of the import or none of it" sh -c "n=\$(jq length '$TMP/during.json'); [ \$n = 0 ] || [ \$n = 20000 ]"
check "... both writes are there" is "$(count "$D" budget) $(count "$D" org)" "20000 2"
check "... and the database is back in WAL mode, intact" is "$(sqlite3 "$D" 'PRAGMA journal_mode') $(sqlite3 "$D" 'PRAGMA integrity_check')" "wal ok"

# ---- edit, killed at random --------------------------------------------------------------------
D="$TMP/edit.db"
cp "$SEED" "$D"
X=$("$WITHUS" --db "$D" add budget --project Study --recipient "Amara Collective" --category kt --amount 1 --currency GBP --value-date 2025-01-01)
i=0 bad=""
while [ $i -lt "$ITER" ]; do
	"$WITHUS" --db "$D" edit "$X" --amount "$((i + 2))" >/dev/null 2>&1 &
	pid=$!
	sleep "$(ms "$(rand 40)")"
	kill -9 $pid 2>/dev/null
	wait $pid
	# The record and its history agree: the amount now is the newest change's, or the first one.
	now=$("$WITHUS" --db "$D" show "$X" --json | jq -r .amount)
	last=$(sqlite3 "$D" "SELECT json_extract(changes, '\$.amount[1]') FROM history WHERE id = '$X' AND op = 'update' ORDER BY seq DESC LIMIT 1")
	{ intact "$D" && [ "$now" = "${last:-1.00}" ]; } || bad="$bad $i:$now/$last"
	i=$((i + 1))
done
check "edit killed at random $ITER times: intact, and record and history agree every time" is "$bad" ""

# ---- sync, killed at random; then two writers and a sync at once --------------------------------
start_peer minimum
export WITHUS_RETRY_BASE_MS=50
A="$TMP/a.db" B="$TMP/b.db"
cp "$SEED" "$A"
"$WITHUS" --db "$A" remote add hub "$PEER/hub" >/dev/null
"$WITHUS" --db "$A" sync --create >/dev/null 2>&1
"$WITHUS" --db "$B" remote add hub "$PEER/hub" >/dev/null
i=0 bad="" killed=0
while [ $i -lt "$ITER" ]; do
	lines 40 > "$TMP/more.jsonl"
	"$WITHUS" --db "$A" import "$TMP/more.jsonl" >/dev/null 2>&1
	for d in "$A" "$B"; do
		"$WITHUS" --db "$d" sync --batch-size 10 >/dev/null 2>&1 &
		pid=$!
		sleep "$(ms "$(rand 300)")"
		kill -9 $pid 2>/dev/null
		wait $pid
		[ $? = 137 ] && killed=$((killed + 1))
		intact "$d" || bad="$bad $i:$d"
	done
	i=$((i + 1))
done
check "sync killed at random $((ITER * 2)) times ($killed killed mid-sync): both databases intact" is "$bad" ""
"$WITHUS" --db "$A" sync >/dev/null 2>&1; "$WITHUS" --db "$B" sync >/dev/null 2>&1
check "... then one clean sync each: A, B and the server hold every record once" sh -c "
	a=\$(sqlite3 '$A' 'SELECT count(*) FROM budget'); b=\$(sqlite3 '$B' 'SELECT count(*) FROM budget')
	s=\$(curl -sf '$PEER/hub/_all_docs' | jq '[.rows[] | select(.id | startswith(\"budget:\"))] | length')
	[ \$a = $((ITER * 40)) ] && [ \$b = \$a ] && [ \$s = \$a ]"

writer() { # writer NAME: 60 records, one command each
	j=0
	while [ $j -lt 60 ]; do
		"$WITHUS" --db "$A" add org --name "$1 $j" --kind ngo --country GB --visibility public >/dev/null 2>"$TMP/$1.err" ||
			echo "FAIL $1 $j: $(cat "$TMP/$1.err")"
		j=$((j + 1))
	done
}
syncer() { # five syncs while the writers write
	j=0
	while [ $j -lt 5 ]; do
		"$WITHUS" --db "$A" sync >/dev/null 2>"$TMP/syncer.err" || echo "FAIL sync $j: $(cat "$TMP/syncer.err")"
		j=$((j + 1))
	done
}
writer alpha > "$TMP/w1" 2>&1 &
p1=$!
writer beta > "$TMP/w2" 2>&1 &
p2=$!
syncer > "$TMP/w3" 2>&1 &
p3=$!
wait $p1; wait $p2; wait $p3
check "two writers and a sync at once: every command succeeds" sh -c "! grep . '$TMP/w1' '$TMP/w2' '$TMP/w3' | sed 's/^/# /' | grep ."
check "... no 'database is locked' anywhere" sh -c "! grep -rqi locked '$TMP/w1' '$TMP/w2' '$TMP/w3'"
check "... all 120 new records are there" is "$(sqlite3 "$A" "SELECT count(*) FROM org WHERE name LIKE 'alpha %' OR name LIKE 'beta %'")" 120
"$WITHUS" --db "$A" sync >/dev/null 2>&1
check "... and after one more sync the server has them all" is "$(curl -sf "$PEER/hub/_all_docs" | jq '[.rows[] | select(.id | startswith("org:"))] | length')" 121
check "... the database is intact" intact "$A"

done_testing
