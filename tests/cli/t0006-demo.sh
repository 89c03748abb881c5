#!/bin/sh
# withus demo: a database of its own by default, never mixed with real records.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"

expect_rc 0 "demo runs on a fresh machine" w demo
check "it goes into demo.db, not the real database" sh -c "test -f '$HOME/.local/share/withus/demo.db' && test ! -e '$HOME/.local/share/withus/withus.db'"
check "it lists the demo projects" sh -c "grep -q 'Safer Work, Stronger Voices' '$TMP/out' && grep -q 'Nightlife Health Survey' '$TMP/out'"
check "it says the data is fictional" out_has "fictional"
DEMO="$HOME/.local/share/withus/demo.db"
check "every record type is used" sh -c "for t in org project site partnership involvement body role budget transaction payrate output contribution; do [ \$('$WITHUS' --db '$DEMO' list \$t --json | jq length) -gt 0 ] || exit 1; done"
check "no record carries contact details (every text passes the scan)" sh -c "'$WITHUS' --db '$DEMO' export > '$TMP/demo.jsonl' && '$WITHUS' --db '$TMP/rescan.db' import '$TMP/demo.jsonl' 2>/dev/null"
expect_rc 0 "demo again is harmless" w demo
check "... it says it is loaded already" out_has "already loaded"

R="$TMP/real.db"
w --db "$R" add org --name "Our partner" --kind sex-worker-led --country GB >/dev/null
db_content "$R" > "$TMP/before.sql"
expect_error 2 "not demo records" "demo refuses a database with real records" w --db "$R" demo
check "... and leaves it unchanged" sh -c "sqlite3 '$R' .dump | cmp -s - '$TMP/before.sql'"
WITHUS_DB="$TMP/empty.db" expect_rc 0 "demo into an empty database named by WITHUS_DB" w demo
check "... loads it there" sh -c "[ \$('$WITHUS' --db '$TMP/empty.db' list project --json | jq length) = 4 ]"

done_testing
