#!/bin/sh
# The database file: private mode, foreign and newer files refused,
# concurrent writers both succeed.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"
D="$TMP/d.db"

run sh -c "umask 000; '$WITHUS' --db '$D' init"
check "init with umask 000 still makes a 0600 file" sh -c "[ \$(stat -c %a '$D') = 600 ]"
w --db "$D" add org --name A --kind ngo --country GB >/dev/null
check "the WAL file is private too" sh -c "[ ! -e '$D-wal' ] || [ \$(stat -c %a '$D-wal') = 600 ]"
check "application_id marks the file as withus's" sh -c "[ \$(sqlite3 '$D' 'PRAGMA application_id') = 1465217841 ]"
check "foreign keys, WAL" sh -c "[ \$(sqlite3 '$D' 'PRAGMA journal_mode') = wal ]"
V=$(sqlite3 "$D" 'PRAGMA user_version')
check "schema version is the latest" sh -c "'$WITHUS' --version | grep -q 'schema $V)'"

cp "$D" "$TMP/newer.db"
sqlite3 "$TMP/newer.db" 'PRAGMA user_version = 99'
expect_error 1 "schema version 99, made by a newer withus" "a newer database is refused" w --db "$TMP/newer.db" list org
sqlite3 "$TMP/other.db" 'CREATE TABLE notes(x)'
expect_error 1 "not a withus database" "another program's SQLite file is refused" w --db "$TMP/other.db" list org
check "... and left alone" sh -c "[ \$(sqlite3 '$TMP/other.db' 'SELECT count(*) FROM sqlite_schema') = 1 ]"
echo "hello, this is text" > "$TMP/text.db"
expect_error 1 "not a withus database" "a text file is refused" w --db "$TMP/text.db" list org

# A version-2 file (pay rates in a table called 'rate', no sync tables) is
# migrated in place on first write, its pay rates kept as 'payrate' records.
O="$TMP/v2.db"
w --db "$O" init >/dev/null
w --db "$O" add org --name Old --kind sex-worker-led --country GB >/dev/null
w --db "$O" add project --title Old --lead-org Old >/dev/null
w --db "$O" add payrate --project Old --party community --role peer-researcher --unit day --amount 150 --currency GBP >/dev/null
sqlite3 "$O" "DROP INDEX payrate_project; DROP INDEX payrate_org; ALTER TABLE payrate RENAME TO rate;
CREATE INDEX rate_project ON rate (project); CREATE INDEX rate_org ON rate (org);
DROP TABLE attestation; DROP TABLE sync_rejection; DROP TABLE checkpoint; DROP TABLE remote; DROP TABLE rev; DROP TABLE doc;
DELETE FROM meta WHERE key IN ('local_seq', 'rev_mark'); PRAGMA user_version = 2"
expect_rc 0 "a version-2 database opens for writing (migrated)" w --db "$O" add org --name New --kind ngo --country GB
check "... its pay rate is a payrate record" sh -c "[ \$('$WITHUS' --db '$O' list payrate --json | jq -r '.[0].amount') = 150.00 ]"
check "... at the latest schema version" sh -c "[ \$(sqlite3 '$O' 'PRAGMA user_version') = $V ]"
check "... with nothing left under the old name ('rate' is now the exchange-rate table)" sh -c "[ \$(sqlite3 '$O' \"SELECT count(*) FROM sqlite_schema WHERE name IN ('rate_project', 'rate_org') OR (name = 'rate' AND sql LIKE '%party%')\") = 0 ]"

# A version-6 file (history's op checked with IN) is rebuilt in place: the
# same rows and seq values, the index and the append-only triggers kept.
S="$TMP/v6.db"
w --db "$S" add org --name Six --kind ngo --country GB >/dev/null
w --db "$S" edit Six --name "Six Two" >/dev/null
# Version 6 also had version 4's doc and rev tables (migration 8 rebuilds them).
sqlite3 -bail "$S" "DROP INDEX history_deleted;
CREATE TABLE h6 (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT NOT NULL,
op TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')), type TEXT NOT NULL, id TEXT NOT NULL, changes TEXT);
INSERT INTO h6 SELECT seq, at, user, op, type, id, changes FROM history; DROP TABLE history; ALTER TABLE h6 RENAME TO history;
CREATE INDEX history_id ON history (id);
DROP TABLE rev; DROP TABLE doc;
CREATE TABLE doc (pk INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, winner INTEGER,
deleted INTEGER NOT NULL DEFAULT 0, conflicted INTEGER NOT NULL DEFAULT 0, local_seq INTEGER NOT NULL UNIQUE);
CREATE INDEX doc_conflicted ON doc (conflicted) WHERE conflicted;
CREATE TABLE rev (pk INTEGER PRIMARY KEY, doc INTEGER NOT NULL REFERENCES doc (pk), parent INTEGER REFERENCES rev (pk),
gen INTEGER NOT NULL CHECK (gen >= 1), sig TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
leaf INTEGER NOT NULL DEFAULT 1, body TEXT, UNIQUE (doc, gen, sig));
CREATE INDEX rev_leaf ON rev (doc, leaf); CREATE INDEX rev_parent ON rev (parent);
PRAGMA user_version = 6"
check "a version-6 file is made (history with 7 columns)" sh -c "[ \$(sqlite3 '$S' 'PRAGMA user_version') = 6 ] && [ \$(sqlite3 '$S' 'SELECT count(*) FROM pragma_table_info(\"history\")') = 7 ]"
before=$(sqlite3 "$S" 'SELECT seq, at, user, op, type, id, changes FROM history ORDER BY seq')
expect_rc 0 "a version-6 database opens for writing (migrated)" w --db "$S" add org --name Seven --kind ngo --country GB
check "... its history rows are all there, unchanged" sh -c "[ \"\$(sqlite3 '$S' 'SELECT seq, at, user, op, type, id, changes FROM history WHERE seq <= 2 ORDER BY seq')\" = '$before' ] && [ \$(sqlite3 '$S' 'SELECT count(*) FROM history') = 3 ]"
check "... history notes where a create put its record" sh -c "[ \$(sqlite3 '$S' \"SELECT rec FROM history WHERE seq = 3\") = \$(sqlite3 '$S' \"SELECT rowid FROM org WHERE name = 'Seven'\") ]"
check "... the check on op no longer uses IN, and still refuses other ops" sh -c "
	! sqlite3 '$S' \"SELECT sql FROM sqlite_schema WHERE name = 'history'\" | grep -q ' IN ' &&
	! sqlite3 '$S' \"INSERT INTO history (at, user, op, type, id) VALUES ('x', 'x', 'rename', 'org', 'x')\" 2>/dev/null"
check "... history is still append-only, and indexed by id" sh -c "
	! sqlite3 '$S' 'UPDATE history SET user = 1' 2>/dev/null && ! sqlite3 '$S' 'DELETE FROM history' 2>/dev/null &&
	[ \$(sqlite3 '$S' \"SELECT count(*) FROM sqlite_schema WHERE name = 'history_id'\") = 1 ]"
check "... at the latest schema version" sh -c "[ \$(sqlite3 '$S' 'PRAGMA user_version') = $V ]"

# Two writers at once: both succeed, nothing is lost.
C="$TMP/c.db"
w --db "$C" init >/dev/null
writer() {
	i=0
	while [ $i -lt 40 ]; do
		"$WITHUS" --db "$C" add org --name "$1 $i" --kind ngo --country GB >/dev/null || echo "FAIL $1 $i"
		i=$((i + 1))
	done
}
writer alpha > "$TMP/w1" 2>&1 &
p1=$!
writer beta > "$TMP/w2" 2>&1 &
p2=$!
wait $p1; wait $p2
check "two concurrent writers: no failures" sh -c "! grep -q . '$TMP/w1' '$TMP/w2'"
check "... and all 80 records are there" sh -c "[ \$('$WITHUS' --db '$C' list org --json | jq length) = 80 ]"
check "... the database is intact" sh -c "[ \$(sqlite3 '$C' 'PRAGMA integrity_check') = ok ]"

# A reader while a writer holds a long transaction: the reader is not blocked (WAL).
sqlite3 "$C" "BEGIN IMMEDIATE; SELECT count(*) FROM org; SELECT 1 FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 500000) SELECT max(x) FROM c); COMMIT;" >/dev/null &
sleep 0.2
expect_rc 0 "a reader works while another process writes" w --db "$C" list org --json
wait

done_testing
