#!/bin/sh
# The sync fault plan (../shared/SYNC.md): the server fails, answers 500,
# 413 or 429, drops connections, or dies; withus is killed (SIGKILL) at named
# points; a database comes back from an old backup. After each, nothing is
# lost, nothing is duplicated, and both peers converge with the server.
# Two withus databases sync through a fault-injecting proxy (tests/sync/proxy.js)
# in front of PouchDB Server.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"
. "$TEST_SRCDIR/sync/peer.sh"
start_peer minimum
start_proxy
export WITHUS_RETRY_BASE_MS=50 # a retry window of 1.5 s: long enough for a server slowed by a loaded machine
A="$TMP/a.db" B="$TMP/b.db"
a() { "$WITHUS" --db "$A" "$@"; }
b() { "$WITHUS" --db "$B" "$@"; }
is() { [ "$1" = "$2" ] || { echo "# got '$1', wanted '$2'"; return 1; }; }
same() { cmp -s "$1" "$2" || { diff "$1" "$2" | head -n 6 | sed 's/^/# /'; return 1; }; }
killed() { "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; [ "$rc" = 137 ]; } # 128 + SIGKILL

# budget_lines N: N new shared budget lines of the project, as JSON Lines
budget_lines() {
	python3 -c "
import json, sys, uuid
for i in range($1):
    print(json.dumps({'type': 'budget', 'id': str(uuid.uuid4()), 'project': '$P', 'recipient': '$ORG',
                      'category': 'kt', 'amount': '%d.00' % (100 + i), 'currency': 'GBP',
                      'value_date': '2024-01-01', 'created': '2026-01-01T00:00:00Z'}))"
}
add_budgets() { budget_lines "$2" > "$TMP/lines.jsonl" && "$WITHUS" --db "$1" import "$TMP/lines.jsonl" >/dev/null; }

# What each side holds: "doc_id rev" of every live document, sorted.
held() { sqlite3 "$1" "SELECT d.doc_id || ' ' || r.gen || '-' || r.sig FROM doc d JOIN rev r ON r.pk = d.winner WHERE NOT d.deleted" | grep -v "${SKIP_ID:-^$}" | LC_ALL=C sort; }
on_server() { curl -sf "$PEER/hub/_all_docs" | jq -r '.rows[] | "\(.id) \(.value.rev)"' | LC_ALL=C sort; }
# converged: A, B and the server hold the same documents at the same revisions,
# with no conflicts, and as many records as the server has documents.
converged() {
	held "$A" > "$TMP/ha"; held "$B" > "$TMP/hb"; on_server > "$TMP/hs"
	same "$TMP/ha" "$TMP/hs" && same "$TMP/hb" "$TMP/hs" &&
		[ -z "$(a conflicts)" ] && [ -z "$(b conflicts)" ] &&
		[ "$(b list budget --json | jq length)" = "$(grep -c '^budget:' "$TMP/hs")" ] &&
		[ "$(sqlite3 "$A" 'PRAGMA integrity_check')" = ok ] && [ "$(sqlite3 "$B" 'PRAGMA integrity_check')" = ok ]
}
# What a pull changes in B: its records, revisions and pull checkpoint. (The
# push half of a sync runs first and may commit its own checkpoint.)
pulled_state() { b export; sqlite3 "$B" "SELECT * FROM doc; SELECT * FROM rev; SELECT * FROM checkpoint WHERE direction = 'pull'"; }
# The server's document count, read from it directly (not through the
# proxy); when that fails, what it answered, so that a failure says why.
server_count() {
	_answer=$(curl -sS "$PEER/hub" 2>&1)
	printf '%s\n' "$_answer" | jq -e .doc_count 2>/dev/null || echo "no count from $PEER/hub: $_answer"
}
faults() { proxy_log | jq -r "select(.fault != null and (.path | contains(\"$1\"))) | .fault" | sort | uniq -c | sed 's/^ *//'; }

# The crash points exist only in test builds (configure --enable-test-hooks).
"$WITHUS" --db "$TMP/probe.db" remote add probe "$PROXY/hub" >/dev/null
killed env WITHUS_FAULT=request:1 "$WITHUS" --db "$TMP/probe.db" sync probe ||
	skip_all "withus was built without --enable-test-hooks: no crash points"

a init >/dev/null
ORG=$(a add org --name "Amara Collective" --kind sex-worker-led --country KE --visibility public)
P=$(a add project --title "Shared Study" --lead-org "Amara Collective" --visibility shared)
add_budgets "$A" 110
a remote add hub "$PROXY/hub" >/dev/null
b init >/dev/null
b remote add hub "$PROXY/hub" >/dev/null

# ---- 500 on the second batch ------------------------------------------------------------
proxy_rules '[{"method":"POST","path":"/_bulk_docs","nth":2,"times":-1,"status":500}]'
expect_rc 1 "a server that keeps failing the second batch stops the sync" a sync hub --batch-size 50 --create
check "... saying so" err_has "^withus: uploading documents: HTTP 500"
# Two batches are under way at once: the third (12 documents) may meet the
# 500s too before the second's last retry stops the run and gives it up.
check "... after retrying it (1 + 5 retries)" is "$(proxy_log | jq -s '[.[] | select(.fault == "status 500" and (.path | contains("_bulk_docs")))] |
	group_by(.bytes) | map(length) | max')" 6
check "... with the first batch on the server" is "$(server_count)" 50
proxy_rules '[{"method":"POST","path":"/_bulk_docs","nth":1,"status":500}]'
proxy_clear
expect_rc 0 "the next sync (one more 500, retried) finishes" a sync hub --batch-size 50
check "... resuming after the checkpointed batch: 62 sent, none twice" grep -q '^62 sent' "$TMP/out"
check "... one 500 was retried" is "$(faults _bulk_docs)" "1 status 500"
check "the server has every record once" is "$(server_count)" 112

# ---- a connection reset in the middle of _changes; 429 with Retry-After -------------------------
proxy_rules '[{"method":"GET","path":"/_changes","reset":"mid"},
              {"method":"POST","path":"/_bulk_get","status":429,"headers":{"Retry-After":"1"}}]'
proxy_clear
t0=$(date +%s%N)
expect_rc 0 "B pulls through a reset mid-_changes and a 429" b sync hub --batch-size 50
t1=$(date +%s%N)
check "... all 112 received once" grep -q '^0 sent, 112 received, 0 rejected, 0 conflicts' "$TMP/out"
check "... the reset happened" is "$(faults _changes)" "1 reset mid"
check "... and _changes was read again" test "$(proxy_log | jq -r 'select(.path | contains("_changes")) | .status' | grep -c 200)" -ge 2
check "... a 429 came" is "$(faults _bulk_get)" "1 status 429"
check "... and it waited the 1 s Retry-After asked for" test $(( (t1 - t0) / 1000000 )) -ge 1000
check "A, B and the server converge" converged
cp "$A" "$TMP/a-backup.db"
X=$(a list budget --json | jq -r '.[0].id')

# ---- 413 storm: every body over 6 kB is too large ----------------------------------------------
BIG=$(a add project --title "$(head -c 7000 /dev/zero | tr '\0' 'x')" --lead-org "Amara Collective" --visibility shared)
add_budgets "$A" 60
proxy_rules '[{"method":"POST","path":"/_bulk_docs","maxBody":6000,"times":-1,"status":413}]'
proxy_clear
expect_rc 0 "a push through a 413 storm bisects its batches" a sync hub --batch-size 50
check "... 60 sent, the one oversize document rejected" grep -q '^60 sent, 0 received, 1 rejected' "$TMP/out"
check "... after many 413s" test "$(proxy_log | jq -r 'select(.status == 413) | .path' | wc -l)" -ge 5
check "... the rejection is recorded with its status" sh -c "[ \"\$(sqlite3 '$A' \"SELECT status FROM sync_rejection WHERE doc_id = 'project:$BIG'\")\" = 413 ]"
SKIP_ID="^project:$BIG "
proxy_rules '[]'
b sync hub --batch-size 50 >/dev/null 2>&1
check "A, B and the server converge (but for the rejected document)" converged

# ---- client killed after an upload, before its checkpoint ---------------------------------------------
add_budgets "$A" 5
check "withus killed after the upload" killed env WITHUS_FAULT=after-upload "$WITHUS" --db "$A" sync hub --batch-size 50
check "... the documents reached the server" is "$(server_count)" 177
expect_rc 0 "the next sync" a sync hub --batch-size 50
check "... sends nothing twice: the server says it has them" grep -q '^0 sent' "$TMP/out"

# ---- client killed between the remote and the local checkpoint --------------------------------------
add_budgets "$A" 3
check "withus killed between the two checkpoint writes" killed env WITHUS_FAULT=between-checkpoints "$WITHUS" --db "$A" sync hub --batch-size 50
expect_rc 0 "the next sync" a sync hub --batch-size 50
check "... resumes from the last common session and sends nothing twice" grep -q '^0 sent' "$TMP/out"
check "... the server has every record once" is "$(server_count)" 180

# ---- client killed during the pull transaction ------------------------------------------------------
before=$(b list budget --json | jq length)
pulled_state > "$TMP/b-before"
check "B killed inside the pull transaction" killed env WITHUS_FAULT=pull-applied "$WITHUS" --db "$B" sync hub --batch-size 50
pulled_state > "$TMP/b-after"
check "... nothing of that page is there: the transaction rolled back" same "$TMP/b-before" "$TMP/b-after"
expect_rc 0 "B's next sync" b sync hub --batch-size 50
check "... receives the 8 new records" grep -q '^0 sent, 8 received' "$TMP/out"
check "A, B and the server converge" converged

# ---- killed at every request of a sync in turn ----------------------------------------------------
add_budgets "$A" 2
a edit "$P" --title "Shared Study, phase 2" >/dev/null
i=1 kills=0
while [ $i -le 8 ]; do
	killed env WITHUS_FAULT="request:$i" "$WITHUS" --db "$A" sync hub --batch-size 50 && kills=$((kills + 1))
	killed env WITHUS_FAULT="request:$i" "$WITHUS" --db "$B" sync hub --batch-size 50 && kills=$((kills + 1))
	i=$((i + 1))
done
check "killed at request 1 to 8 of A's and B's syncs, where they got that far ($kills kills)" test "$kills" -ge 4
a sync hub --batch-size 50 >/dev/null 2>&1; b sync hub --batch-size 50 >/dev/null 2>&1
check "... then one clean sync each: A, B and the server converge" converged
check "... with the edit on both" sh -c "[ \"\$('$WITHUS' --db '$B' show '$P' --json | jq -r .title)\" = 'Shared Study, phase 2' ]"

# ---- the server does the work but the answer is lost -----------------------------------------------
add_budgets "$A" 4
proxy_rules '[{"method":"POST","path":"/_bulk_docs","times":-1,"reset":"after"}]'
expect_error 1 "bulk_docs" "a server that never answers a stored batch fails the sync" a sync hub --batch-size 50
proxy_rules '[]'
expect_rc 0 "the next sync" a sync hub --batch-size 50
check "... sends nothing twice" grep -q '^0 sent' "$TMP/out"
check "... and the server has every record once" is "$(server_count)" 186

# ---- the server is killed mid-push (and comes back empty: PouchDB Server in memory) --------------
add_budgets "$A" 60
proxy_rules '[{"method":"POST","path":"/_bulk_docs","nth":2,"delay":3000}]'
proxy_clear
a sync hub --batch-size 50 >"$TMP/bg.out" 2>"$TMP/bg.err" &
SYNC_PID=$!
i=0
until [ "$(proxy_log | jq -r 'select(.path | contains("_bulk_docs")) | .path' | wc -l)" -ge 2 ] || [ $i -ge 300 ]; do
	sleep 0.1; i=$((i + 1))
done
stop_peer
wait $SYNC_PID
check "a sync whose server dies mid-push fails" is "$?" 1
# withus gives up the batch the proxy holds (it no longer waits for a batch
# once an earlier one has failed), but the proxy still sends it on when its
# 3 s are up: let that meet the dead server, not the restarted one.
sleep 3.5
start_peer minimum "$PEER_PORT"
check "the server restarts on its old port, behind the same proxy" sh -c "curl -sf '$PEER/' | jq -e .version >/dev/null"
SKIP_ID=
proxy_rules '[]'
expect_error 2 "no such database" "the restarted, empty server has no database" a sync hub --batch-size 50
expect_rc 0 "sync --create fills it again from the start" a sync hub --batch-size 50 --create
check "... every live record, once" is "$(server_count)" 247
expect_rc 0 "B syncs with the new server" b sync hub --batch-size 50
check "... and receives what it had not seen (4 + 60 + the once-rejected document)" is "$(cut -d, -f1,2 "$TMP/out")" "0 sent, 65 received"
check "A, B and the server converge" converged

# ---- A comes back from an old backup --------------------------------------------------------------
a edit "$X" --amount 1 >/dev/null
a sync hub --batch-size 50 >/dev/null 2>&1
cp "$TMP/a-backup.db" "$A"
check "the backup is missing most of the records" sh -c "[ \$('$WITHUS' --db '$A' list budget --json | jq length) = 110 ]"
a edit "$X" --amount 2 >/dev/null
expect_rc 0 "the restored database syncs" a sync hub --batch-size 50
b sync hub --batch-size 50 >/dev/null 2>&1; a sync hub --batch-size 50 >/dev/null 2>&1
check "... gets back every record it had lost" is "$(a list budget --json | jq length)" 244
check "... the edit made before the restore and the one after are both kept, as a conflict on both sides" sh -c "
	'$WITHUS' --db '$A' conflicts --json | jq -se 'length == 1 and (.[0].revs | map(.body.amount) | sort) == [\"1.00\", \"2.00\"]' >/dev/null &&
	'$WITHUS' --db '$B' conflicts --json | jq -se 'length == 1' >/dev/null"
W=$(a conflicts --json | jq -r .winner)
a resolve "$X" --keep "$W" >/dev/null
a sync hub --batch-size 50 >/dev/null 2>&1; b sync hub --batch-size 50 >/dev/null 2>&1
check "resolved once, A, B and the server converge" converged

# ---- a bearer token (the proxy plays a server that checks it) --------------------------------
J="$TMP/j.db"
"$WITHUS" --db "$J" remote add hub "$PROXY/hub" --auth jwt >/dev/null
proxy_rules '[{"bearer":"good-token","times":-1,"status":401,"body":{"error":"unauthorized","reason":"token expired"}}]'
proxy_clear
expect_error 1 "refused the token: it has expired" "an expired token is reported as such" env WITHUS_TOKEN=old-token "$WITHUS" --db "$J" sync hub
check "... after one request" is "$(proxy_log | wc -l)" 1
check "... and the token is not shown" sh -c "! grep -q old-token '$TMP/err'"
proxy_clear
expect_rc 0 "a valid token syncs" env WITHUS_TOKEN=good-token "$WITHUS" --db "$J" sync hub
check "... pulling every record" is "$("$WITHUS" --db "$J" list budget --json | jq length)" 244
check "... the token sent as a bearer token with every request" is "$(proxy_log | jq -r .auth | sort -u)" Bearer

# ---- how many requests a push costs --------------------------------------------------------------
# The first push to an empty database needs no _revs_diff; checkpoints are
# written at the end (and every 30 s), not per batch: ceil(N/B) uploads plus
# a constant. An incremental push asks _revs_diff once per page.
C="$TMP/c.db"
c() { "$WITHUS" --db "$C" "$@"; }
ORG=$(c add org --name "Zawadi Network" --kind sex-worker-led --country KE --visibility public)
P=$(c add project --title "Counted Study" --lead-org "Zawadi Network" --visibility shared)
budget_lines 230 > "$TMP/lines.jsonl" && c import "$TMP/lines.jsonl" >/dev/null
c remote add counted "$PROXY/counted" >/dev/null
proxy_rules '[]'
proxy_clear
expect_rc 0 "a first push of 232 records in batches of 50" c sync counted --push --create --batch-size 50
check "... sends them all" grep -q '^232 sent' "$TMP/out"
check "... in ceil(232/50) = 5 uploads" is "$(proxy_log | jq -r 'select(.path | endswith("/_bulk_docs")) | .path' | wc -l)" 5
check "... with no _revs_diff to an empty database" is "$(proxy_log | jq -r 'select(.path | contains("_revs_diff")) | .path' | wc -l)" 0
check "... and 5 more requests: GET /, GET and PUT the database, GET and PUT the checkpoint" is "$(proxy_log | wc -l)" 10
check "... the summary counts the same" grep -q '(10 requests)' "$TMP/out"
budget_lines 60 > "$TMP/lines.jsonl" && c import "$TMP/lines.jsonl" >/dev/null
proxy_clear
expect_rc 0 "an incremental push of 60 records" c sync counted --push --batch-size 50
check "... asks _revs_diff and uploads once per page (2 pages), plus 4" is "$(proxy_log | jq -r '.method + " " + (.path | sub("^/counted"; "") | sub("/_local/.*"; "/_local"))' | tr '\n' ',')" \
	"GET /,GET ,GET /_local,POST /_revs_diff,POST /_bulk_docs,POST /_revs_diff,POST /_bulk_docs,PUT /_local,"
proxy_clear
expect_rc 0 "a push with nothing to send" c sync counted --push
check "... makes 3 requests and writes no checkpoint" is "$(proxy_log | wc -l)" 3

done_testing
