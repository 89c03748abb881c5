#!/bin/sh
# Sync, end to end: two withus databases replicate through a real
# CouchDB-compatible server (PouchDB Server, tests/sync/peer.js), and an
# independent PouchDB client reads what withus wrote and writes what withus reads.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"
. "$TEST_SRCDIR/sync/peer.sh"
start_peer minimum
export WITHUS_RETRY_BASE_MS=20
A="$TMP/a.db" B="$TMP/b.db"
a() { "$WITHUS" --db "$A" "$@"; }
b() { "$WITHUS" --db "$B" "$@"; }
doc() { curl -sf "$PEER/hub/$1"; }
docs() { curl -sf "$PEER/hub/_all_docs?include_docs=true" | jq -c '.rows[].doc'; }

# ---- remotes ----------------------------------------------------------------------
a init >/dev/null
expect_error 2 "credentials in a URL are refused" "a URL with a password is refused" \
	a remote add hub "http://alice:secret@127.0.0.1:$PEER_PORT/hub"
check "... and the password is not echoed" sh -c "! grep -q secret '$TMP/err'"
expect_error 2 "plain http to another machine" "plain http beyond this machine is refused" \
	a remote add far http://example.org/hub
expect_rc 0 "... unless --allow-http says so" a remote add far http://example.org/hub --allow-http
expect_error 2 "not http or https" "other schemes are refused" a remote add f ftp://127.0.0.1/hub
expect_error 2 "names no database" "a server URL without a database is refused" a remote add s "$PEER/"
expect_error 2 "needs --user" "basic auth without a user is refused" a remote add u "$PEER/hub" --auth basic
expect_rc 0 "remote add" a remote add hub "$PEER/hub/"
expect_error 2 "exists already" "a second remote of the same name is refused" a remote add hub "$PEER/x"
expect_rc 0 "remote list" a remote list
check "... lists both, the URL without its trailing slash" sh -c "grep -q '^hub	$PEER/hub	none' '$TMP/out' && grep -q '^far	' '$TMP/out'"
expect_error 2 "name the one" "with two remotes, sync needs a name" a sync
expect_rc 0 "remote rm" a remote rm far
expect_error 2 "no remote 'far'" "rm of an unknown remote" a remote rm far
check "no secret or credential column in the database" sh -c "! sqlite3 '$A' .schema | grep -Eiq 'password|secret|token'"

# ---- what A has: shared and private records ----------------------------------------
a add org --name "Northfield University" --kind academic --country GB --visibility public >/dev/null
a add org --name "Amara Collective" --alias "Collective A" --kind sex-worker-led --swl-self-declared yes --country KE --visibility alias >/dev/null
a add org --name "Quiet Group" --kind community-led --represents migrants --country KE >/dev/null
P=$(a add project --title "Shared Study" --lead-org "Northfield University" --visibility shared)
Q=$(a add project --title "Private Study" --lead-org "Northfield University")
INV=$(a add involvement --project "Shared Study" --org "Amara Collective" --phase design --level collaborate --note "met at the drop-in")
a add involvement --project "Private Study" --org "Amara Collective" --phase design --level consult >/dev/null
a add budget --project "Shared Study" --recipient "Amara Collective" --category kt --amount 4000 --currency GBP --value-date 2024-01-01 --visibility private >/dev/null
KT=$(a add budget --project "Shared Study" --recipient "Amara Collective" --category kt --amount 12000.50 --currency GBP --value-date 2024-01-01)

expect_error 2 "no such database" "sync to a missing database stops and says --create" a sync hub
expect_rc 0 "a dry run to a database not made yet" a sync hub --dry-run --create
check "... lists the 5 shareable documents" sh -c "[ \$(wc -l < '$TMP/out') = 5 ] && grep -q 'would have 5 sent' '$TMP/err'"
check "... and does not make the database" sh -c "! curl -sf '$PEER/hub' >/dev/null"
expect_rc 0 "first sync --create pushes" a sync hub --create
check "... 5 documents sent (2 orgs, 1 project, 1 involvement, 1 budget)" grep -q '^5 sent, 0 received, 0 rejected, 0 conflicts' "$TMP/out"
check "... progress on stderr" grep -q 'push: 5 sent' "$TMP/err"
docs > "$TMP/server"
check "the server has exactly the shared records" sh -c "[ \$(wc -l < '$TMP/server') = 5 ]"
check "... no private project" sh -c "! grep -q 'Private Study' '$TMP/server'"
check "... no private organisation" sh -c "! grep -q 'Quiet Group' '$TMP/server'"
check "... no private budget line" sh -c "! grep -q '4000.00' '$TMP/server'"
check "... an alias organisation without its name" sh -c "grep -q 'Collective A' '$TMP/server' && ! grep -q 'Amara' '$TMP/server'"
check "... no notes" sh -c "! grep -q 'drop-in' '$TMP/server'"
check "... ids are TYPE:UUID with a type field" sh -c "jq -se 'map(select(._id == \"project:$P\")) | length == 1 and .[0].type == \"project\" and .[0].title == \"Shared Study\"' '$TMP/server' >/dev/null"
check "... money as an exact decimal" sh -c "jq -se 'map(select(.type == \"budget\")) | length == 1 and .[0].amount == \"12000.50\"' '$TMP/server' >/dev/null"
check "... revision ids are N-<32 hex>" sh -c "jq -se 'all(._rev | test(\"^1-[0-9a-f]{32}\$\"))' '$TMP/server' >/dev/null"

expect_rc 0 "a sync with nothing to do" a sync hub
check "... makes at most 5 requests" sh -c "n=\$(sed -n 's/.*(\([0-9]*\) requests)/\1/p' '$TMP/out'); [ \"\$n\" -le 5 ]"
check "... and sends nothing" grep -q '^0 sent, 0 received' "$TMP/out"

# ---- dry run --------------------------------------------------------------------
a edit "$KT" --amount 13000 >/dev/null
db_content "$A" > "$TMP/before"
expect_rc 0 "sync --dry-run" a sync hub --dry-run
check "... prints exactly the one document that would go" sh -c "[ \$(wc -l < '$TMP/out') = 1 ] && jq -e '._id == \"budget:$KT\" and .amount == \"13000.00\" and (._rev | startswith(\"2-\"))' '$TMP/out' >/dev/null"
check "... says what it would have done" grep -q 'dry run: would have 1 sent' "$TMP/err"
db_content "$A" > "$TMP/after"
check "... and changes nothing here" cmp -s "$TMP/before" "$TMP/after"
check "... nor on the server" sh -c "curl -sf '$PEER/hub/budget:$KT' | jq -e '.amount == \"12000.50\"' >/dev/null"
expect_rc 0 "the real sync sends it" a sync hub
check "... 1 sent" grep -q '^1 sent' "$TMP/out"

# ---- a second peer ----------------------------------------------------------------
b init >/dev/null
b remote add hub "$PEER/hub" >/dev/null
expect_rc 0 "B's first sync pulls" b sync
check "... 5 received" grep -q '^0 sent, 5 received' "$TMP/out"
check "B lists the shared project" sh -c "'$WITHUS' --db '$B' list project --json | jq -e 'length == 1 and .[0].title == \"Shared Study\"' >/dev/null"
check "... the alias organisation under its alias" sh -c "'$WITHUS' --db '$B' show '$INV' --json | jq -e '.level == \"collaborate\"' >/dev/null && '$WITHUS' --db '$B' list org | grep -q 'Collective A' && ! '$WITHUS' --db '$B' list org | grep -q Amara"
check "... the edited amount" sh -c "'$WITHUS' --db '$B' show '$KT' --json | jq -e '.amount == \"13000.00\"' >/dev/null"
check "A still has its own name and note" sh -c "'$WITHUS' --db '$A' list org | grep -q Amara && '$WITHUS' --db '$A' show '$INV' --json | jq -e '.note == \"met at the drop-in\"' >/dev/null"
expect_rc 0 "B syncs again" b sync
check "... nothing moves (pulled records are not pushed back)" grep -q '^0 sent, 0 received' "$TMP/out"
expect_rc 0 "A syncs again" a sync
check "... nothing moves" grep -q '^0 sent, 0 received' "$TMP/out"

# ---- both see the union -----------------------------------------------------------
b add site --project "Shared Study" --country KE --legal-model full-criminalisation --visibility shared >/dev/null
a add body --project "Shared Study" --name "Advisory board" --kind advisory --seats 6 --swlo-seats 4 >/dev/null
a sync >/dev/null 2>&1; b sync >/dev/null 2>&1; a sync >/dev/null 2>&1
check "B has A's new body" sh -c "'$WITHUS' --db '$B' list body --json | jq -e 'length == 1' >/dev/null"
check "A has B's new site" sh -c "'$WITHUS' --db '$A' list site --json | jq -e 'length == 1 and .[0].legal_model == \"full-criminalisation\"' >/dev/null"

# ---- a private project made shared takes its records along -----------------------
a edit "$Q" --visibility shared >/dev/null
expect_rc 0 "sharing a project" a sync
check "... pushes it and its involvement record" grep -q '^2 sent' "$TMP/out"

# ---- a record made private is withdrawn, and stays private -----------------------------
BODY=$(a list body --json | jq -r '.[0].id')
b sync >/dev/null 2>&1
a edit "$BODY" --visibility private >/dev/null
expect_rc 0 "making a shared record private" a sync
check "... withdraws it from the server" sh -c "! curl -sf '$PEER/hub/body:$BODY' >/dev/null"
check "... keeps it here" sh -c "'$WITHUS' --db '$A' show '$BODY' --json | jq -e '.visibility == \"private\"' >/dev/null"
b sync >/dev/null 2>&1
check "... and removes it from the other peer" sh -c "'$WITHUS' --db '$B' list body --json | jq -e 'length == 0' >/dev/null"

# ---- conflicts ----------------------------------------------------------------------
b sync >/dev/null 2>&1
a edit "$P" --title "Shared Study (A)" >/dev/null
b edit "$P" --title "Shared Study (B)" >/dev/null
a sync >/dev/null 2>&1
expect_rc 0 "B syncs after a conflicting edit" b sync
check "... reports the conflict" sh -c "grep -q '1 conflict' '$TMP/out' && grep -q 'withus conflicts' '$TMP/err'"
a sync >/dev/null 2>&1
a conflicts --json > "$TMP/ca"; b conflicts --json > "$TMP/cb"
check "both peers show the conflict" sh -c "[ \$(wc -l < '$TMP/ca') = 1 ] && [ \$(wc -l < '$TMP/cb') = 1 ]"
check "... with the same versions and the same winner" sh -c "[ \"\$(jq -c '[.winner, [.revs[].rev]]' '$TMP/ca')\" = \"\$(jq -c '[.winner, [.revs[].rev]]' '$TMP/cb')\" ]"
W=$(jq -r .winner "$TMP/ca")
SRV=$(doc "project:$P?conflicts=true")
check "... the server's winner and conflicts agree" sh -c "echo '$SRV' | jq -e '._rev == \"$W\" and (._conflicts | length) == 1' >/dev/null"
check "both show the winner's title" sh -c "[ \"\$('$WITHUS' --db '$A' show '$P' --json | jq -r .title)\" = \"\$('$WITHUS' --db '$B' show '$P' --json | jq -r .title)\" ]"
expect_rc 0 "conflicts (text) names the differing field" a conflicts
check "... title" grep -q 'title: Shared Study' "$TMP/out"
LOSER=$(jq -r '.revs[1].rev' "$TMP/ca")
LOSER_TITLE=$(jq -r '.revs[1].body.title' "$TMP/ca")
expect_error 2 "not a live version" "resolve refuses an unknown revision" a resolve "$P" --keep 9-0123456789abcdef0123456789abcdef
expect_rc 0 "resolve --keep the losing version" a resolve "$P" --keep "$LOSER"
check "... A has no conflict left and the kept title" sh -c "[ -z \"\$('$WITHUS' --db '$A' conflicts)\" ] && [ \"\$('$WITHUS' --db '$A' show '$P' --json | jq -r .title)\" = '$LOSER_TITLE' ]"
a sync >/dev/null 2>&1; b sync >/dev/null 2>&1
check "... and after syncing, neither does B, with the same title" sh -c "[ -z \"\$('$WITHUS' --db '$B' conflicts)\" ] && [ \"\$('$WITHUS' --db '$B' show '$P' --json | jq -r .title)\" = '$LOSER_TITLE' ]"
check "... nor the server" sh -c "curl -sf '$PEER/hub/project:$P?conflicts=true' | jq -e '._conflicts == null and .title == \"$LOSER_TITLE\"' >/dev/null"

# ---- identical edits do not conflict -------------------------------------------------
a edit "$KT" --amount 15000 >/dev/null
b edit "$KT" --amount 15000 >/dev/null
a sync >/dev/null 2>&1; b sync >/dev/null 2>&1; a sync >/dev/null 2>&1
check "the same edit on both peers is the same revision: no conflict" sh -c "[ -z \"\$('$WITHUS' --db '$A' conflicts)\" ] && [ -z \"\$('$WITHUS' --db '$B' conflicts)\" ]"
check "... and one revision on the server" sh -c "curl -sf '$PEER/hub/budget:$KT?conflicts=true' | jq -e '(._rev | startswith(\"3-\")) and ._conflicts == null' >/dev/null"

# ---- delete vs edit: the live version wins --------------------------------------------
a rm "$INV" >/dev/null
b edit "$INV" --level lead >/dev/null
a sync >/dev/null 2>&1; b sync >/dev/null 2>&1; a sync >/dev/null 2>&1
check "the edit survives a concurrent delete, on both peers" sh -c "'$WITHUS' --db '$A' show '$INV' --json | jq -e '.level == \"lead\"' >/dev/null && '$WITHUS' --db '$B' show '$INV' --json | jq -e '.level == \"lead\"' >/dev/null"
check "... as on the server" sh -c "curl -sf '$PEER/hub/involvement:$INV' | jq -e '.level == \"lead\"' >/dev/null"

# ---- deletions travel as tombstones -------------------------------------------------------
SITE=$(b list site --json | jq -r '.[0].id')
b rm "$SITE" >/dev/null
b sync >/dev/null 2>&1; a sync >/dev/null 2>&1
check "a deletion reaches the other peer" sh -c "'$WITHUS' --db '$A' list site --json | jq -e 'length == 0' >/dev/null"
check "... as a tombstone that keeps its type" sh -c "curl -sf '$PEER/hub/site:$SITE?revs=true&open_revs=all' -H 'Accept: application/json' | jq -e '.[0].ok._deleted == true and .[0].ok.type == \"site\"' >/dev/null"

# ---- an independent client: PouchDB's replicator ---------------------------------------
run node "$PEER_DIR/pouch-client.js" "$PEER/hub" read
check "PouchDB replicates what withus pushed" sh -c "[ $rc = 0 ] && jq -se 'map(select(._id == \"project:$P\")) | length == 1 and .[0].title == \"$LOSER_TITLE\"' '$TMP/out' >/dev/null"
check "... every live withus record" sh -c "[ \$(jq -s 'length' '$TMP/out') = \$(curl -sf '$PEER/hub/_all_docs' | jq '.total_rows') ]"
NEW=$(cat /proc/sys/kernel/random/uuid)
run node "$PEER_DIR/pouch-client.js" "$PEER/hub" write "{\"_id\":\"org:$NEW\",\"type\":\"org\",\"name\":\"Written by PouchDB\",\"kind\":\"sex-worker-led\",\"country\":\"TH\",\"visibility\":\"public\",\"created\":\"2026-01-02T03:04:05Z\"}"
check "PouchDB writes a record to the server" test "$rc" = 0
expect_rc 0 "withus pulls it" b sync
check "... and it appears in withus list" sh -c "'$WITHUS' --db '$B' list org | grep -q 'Written by PouchDB'"
BAD=$(cat /proc/sys/kernel/random/uuid)
node "$PEER_DIR/pouch-client.js" "$PEER/hub" write "{\"_id\":\"org:$BAD\",\"type\":\"org\",\"name\":\"Bad\",\"kind\":\"no-such-kind\",\"country\":\"TH\",\"visibility\":\"public\",\"created\":\"2026-01-02T03:04:05Z\"}"
node "$PEER_DIR/pouch-client.js" "$PEER/hub" write "{\"_id\":\"notes-1\",\"text\":\"not a withus record\"}"
expect_rc 0 "a record withus cannot take does not stop the sync" a sync
check "... it is counted as rejected" grep -q ' 1 rejected' "$TMP/out"
check "... kept out of the records" sh -c "! '$WITHUS' --db '$A' list org | grep -q Bad"
check "... and recorded with its reason" sh -c "sqlite3 '$A' \"SELECT reason FROM sync_rejection WHERE doc_id = 'org:$BAD'\" | grep -q kind"
check "... while the good one arrived" sh -c "'$WITHUS' --db '$A' list org | grep -q 'Written by PouchDB'"

# ---- errors ------------------------------------------------------------------------------
expect_error 2 "no remote 'nope'" "sync with an unknown remote" a sync nope
C="$TMP/c.db"
"$WITHUS" --db "$C" remote add dead "http://127.0.0.1:1/hub" >/dev/null
expect_error 1 "127.0.0.1" "an unreachable server is a clear error (after retries)" "$WITHUS" --db "$C" sync
check "the databases are intact" sh -c "[ \$(sqlite3 '$A' 'PRAGMA integrity_check') = ok ] && [ \$(sqlite3 '$B' 'PRAGMA integrity_check') = ok ]"

done_testing
