#!/bin/sh
# Export and import: round trips in both formats, atomic failure, filters.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"
A="$TMP/a.db"

w --db "$A" demo >/dev/null
expect_rc 0 "export JSON Lines" w --db "$A" export
cp "$TMP/out" "$TMP/e1.jsonl"
check "one canonical record a line" sh -c "jq -ec 'select(.id and .type and .created and .updated)' '$TMP/e1.jsonl' | wc -l | grep -qx \$(wc -l < '$TMP/e1.jsonl')"
head -n 3 "$TMP/e1.jsonl" > "$TMP/head.jsonl"
jq -cS . "$TMP/head.jsonl" > "$TMP/sorted.jsonl"
check "keys are sorted, output compact" cmp -s "$TMP/head.jsonl" "$TMP/sorted.jsonl"
expect_rc 0 "import the export into a fresh database" w --db "$TMP/b.db" import "$TMP/e1.jsonl"
check "the count is reported" err_has "imported 134 records"
w --db "$TMP/b.db" export > "$TMP/e2.jsonl"
check "export again: identical output" cmp -s "$TMP/e1.jsonl" "$TMP/e2.jsonl"

expect_rc 0 "export CSV, one file per type" w --db "$A" export --format csv --output "$TMP/csv"
check "thirteen CSV files (one per type) with headers" sh -c "[ \$(ls '$TMP/csv'/*.csv | wc -l) = 13 ] && head -n 1 '$TMP/csv/budget.csv' | grep -q '^id,created,updated,project,recipient,category,amount,currency'"
expect_rc 0 "import the CSV directory" w --db "$TMP/c.db" import "$TMP/csv"
w --db "$TMP/c.db" export > "$TMP/e3.jsonl"
check "CSV round trip: identical JSON export" cmp -s "$TMP/e1.jsonl" "$TMP/e3.jsonl"
expect_rc 0 "CSV of one type to stdout" w --db "$A" export --format csv --type org
check "... header and eight organisations" sh -c "[ \$(wc -l < '$TMP/out') = 9 ]"
expect_rc 0 "import one CSV file, type from its name" w --db "$TMP/d.db" import "$TMP/csv/org.csv"
expect_rc 0 "import CSV from stdin with --type" sh -c "'$WITHUS' --db '$TMP/e.db' import --format csv --type org - < '$TMP/csv/org.csv'"
expect_rc 0 "import JSON Lines from stdin" sh -c "'$WITHUS' --db '$TMP/f.db' import - < '$TMP/e1.jsonl'"
expect_error 2 "csv writes one file per type" "CSV of every type needs a directory" w --db "$A" export --format csv
expect_error 2 "cannot tell the record type" "CSV of unknown type" sh -c "cp '$TMP/csv/org.csv' '$TMP/stuff.csv' && '$WITHUS' --db '$TMP/g.db' import '$TMP/stuff.csv'"

# filters
expect_rc 0 "export --project" w --db "$A" export --project "Nightlife Health Survey"
check "... only that project's records" sh -c "jq -e -s 'length > 5 and all(.[]; .type != \"org\")' '$TMP/out' >/dev/null"
expect_rc 0 "export --org gives an organisation its own records" w --db "$A" export --org "Amara Sex Worker Collective"
check "... every record names it" sh -c "jq -e -s --arg id \$('$WITHUS' --db '$A' show 'Amara Sex Worker Collective' --json | jq -r .id) 'all(.[]; tostring | contains(\$id))' '$TMP/out' >/dev/null"

# A failed import writes nothing: the database content is byte-for-byte the same.
B="$TMP/b.db"
db_content "$B" > "$TMP/before.sql"
unchanged() { db_content "$B" | cmp -s - "$TMP/before.sql"; }
printf '%s\n' '{"type":"org","name":"New Org","kind":"ngo","country":"GB"}' > "$TMP/bad.jsonl"
printf '%s\n' '{"type":"org","name":"Bad Org","kind":"ngo","country":"ZZ"}' >> "$TMP/bad.jsonl"
expect_error 2 "bad.jsonl:2: org.country: 'ZZ'" "a bad second line fails the import" w --db "$B" import "$TMP/bad.jsonl"
check "... saying nothing was written" err_has "nothing was written"
check "... and the database content is unchanged" unchanged
expect_error 2 "org.id: .* exists already" "importing the same records twice" w --db "$B" import "$TMP/e1.jsonl"
check "... leaves it unchanged too" unchanged
head -c 1000 "$TMP/e1.jsonl" > "$TMP/trunc.jsonl"
expect_error 2 "trunc.jsonl:[0-9]+: not valid JSON" "a truncated file" w --db "$TMP/trunc.db" import "$TMP/trunc.jsonl"
printf 'name,kind,country\n"Open quote,ngo,GB\n' > "$TMP/org.csv"
expect_error 2 "org.csv:2: a quoted cell is not closed" "CSV with an unclosed quote" w --db "$B" import "$TMP/org.csv"
printf '\000' > "$TMP/nul.jsonl"
expect_error 2 "nul.jsonl:1: the line contains a NUL byte" "a NUL byte" w --db "$B" import "$TMP/nul.jsonl"
check "after all the failures the content is unchanged" unchanged
expect_error 2 "bad.jsonl:2:" "two files in one import: the bad second undoes the first" w --db "$TMP/two.db" import "$TMP/e1.jsonl" "$TMP/bad.jsonl"
check "... the fresh database holds no records" sh -c "[ \$('$WITHUS' --db '$TMP/two.db' list --json | jq length) = 0 ]"
expect_error 1 "cannot open '.*/missing.jsonl'" "a missing file" w --db "$B" import "$TMP/missing.jsonl"
expect_error 2 "'xml' is not jsonl or csv" "unknown format" w --db "$B" import --format xml "$TMP/e1.jsonl"

done_testing
