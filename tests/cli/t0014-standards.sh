#!/bin/sh
# Standards exports: 360Giving 1.4 (flat CSV and JSON) and IATI 2.03
# activity XML, checked for their required fields and codelists by
# check-standards.py (which must itself catch a broken file), exact amounts,
# and the privacy profiles.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"
CHECK="$TEST_SRCDIR/cli/check-standards.py"
is() { [ "$1" = "$2" ] || { echo "# got '$1', wanted '$2'"; return 1; }; }
D="$TMP/demo.db"
d() { "$WITHUS" --db "$D" "$@"; }
d demo >/dev/null

for profile in private funder; do
	for k in 360giving 360giving-json iati; do
		expect_rc 0 "export --format $k --profile $profile" d export --format $k --profile $profile --output "$TMP/$profile.$k"
		check "... has the required fields and codes" python3 "$CHECK" "$k" "$TMP/$profile.$k" "$D"
	done
done
check "private: 5 grants to community organisations" is "$(python3 "$CHECK" 360giving "$TMP/private.360giving" "$D")" "5 grants"
check "private: one activity per project" is "$(python3 "$CHECK" iati "$TMP/private.iati" "$D")" "4 activities"
check "the CSV and the JSON hold the same grants" sh -c "
	python3 -c \"
import csv, json, sys
rows = list(csv.DictReader(open('$TMP/private.360giving', newline='')))
doc = json.load(open('$TMP/private.360giving-json'), parse_float=str)
a = [(r['Identifier'], r['Amount Awarded'], r['Amount Disbursed']) for r in rows]
b = [(g['id'], g['amountAwarded'], g['amountDisbursed']) for g in doc['grants']]
sys.exit(a != b)\""

# The amounts, recomputed: committed lines of a project to one organisation.
P1=$(d list project --json | jq -r '.[] | select(.title == "Safer Work, Stronger Voices") | .id')
AMARA=$(d list org --json | jq -r '.[] | select(.name == "Amara Sex Worker Collective") | .id')
want=$(sqlite3 "$D" "SELECT sum(amount) FROM budget WHERE project = '$P1' AND recipient = '$AMARA' AND status = 'committed'")
paid=$(sqlite3 "$D" "SELECT sum(amount) FROM \"transaction\" WHERE project = '$P1' AND receiver = '$AMARA' AND kind = 'disbursement'")
check "Amount Awarded is the sum of the committed lines, exactly" \
	is "$(python3 -c "import json; print([g['amountAwarded'] for g in json.load(open('$TMP/private.360giving-json'), parse_float=str)['grants'] if '$P1' in g['id']][0])" | tr -d .)" "$want"
check "... Amount Disbursed the sum of the disbursements" \
	is "$(python3 -c "import json; print([g['amountDisbursed'] for g in json.load(open('$TMP/private.360giving-json'), parse_float=str)['grants'] if '$P1' in g['id']][0])" | tr -d .)" "$paid"
check "JSON amounts are exact decimal numbers, not floats" grep -q '"amountAwarded": 107000.00,' "$TMP/private.360giving-json"
check "IATI: the funder as participating-org role 1, the SWLO as implementing (4)" sh -c "
	python3 -c \"
import xml.etree.ElementTree as ET, sys
a = [x for x in ET.parse('$TMP/private.iati').getroot() if x.findtext('title/narrative') == 'Safer Work, Stronger Voices'][0]
roles = {(p.findtext('narrative'), p.get('role')) for p in a.findall('participating-org')}
sys.exit(not {('Lakeside Health Foundation', '1'), ('Amara Sex Worker Collective', '4')} <= roles)\""
check "IATI: every disbursement of the project is a transaction of type 3" \
	is "$(grep -c '<transaction-type code="3"/>' "$TMP/private.iati")" "$(sqlite3 "$D" "SELECT count(*) FROM \"transaction\" WHERE kind = 'disbursement'")"

# The checker is not a rubber stamp.
sed 's/currency="GBP"/currency="XXX"/' "$TMP/private.iati" > "$TMP/broken.iati"
check "the checker catches an unknown currency" sh -c "! python3 '$CHECK' iati '$TMP/broken.iati' '$D' >/dev/null"
sed '2s/^360G-withus/GB-withus/' "$TMP/private.360giving" > "$TMP/broken.360giving"
check "... and an identifier without the 360G- prefix" sh -c "! python3 '$CHECK' 360giving '$TMP/broken.360giving' '$D' >/dev/null"
sed 's/<activity-status code="2"\/>//' "$TMP/private.iati" | sed 's/<\/iati-identifier>/<\/iati-identifier><activity-status code="2"\/>/' > "$TMP/order.iati"
check "... and elements out of the schema's order" sh -c "! python3 '$CHECK' iati '$TMP/order.iati' '$D' >/dev/null"

# Privacy: the default profile is funder.
expect_rc 0 "the default profile of a standards export is funder" d export --format iati --output "$TMP/default.iati"
check "... the same bytes as --profile funder, but for the time stamp" sh -c "
	sed 's/generated-datetime=\"[^\"]*\"//' '$TMP/default.iati' > '$TMP/a' && sed 's/generated-datetime=\"[^\"]*\"//' '$TMP/funder.iati' > '$TMP/b' && cmp -s '$TMP/a' '$TMP/b'"
check "funder: only the shared projects" is "$(python3 "$CHECK" iati "$TMP/funder.iati" "$D")" "2 activities"
check "funder: no private project, no alias organisation's name, no registry id of one" sh -c "
	! grep -l -e 'Nightlife Health Survey' -e 'Community Safety Mapping' -e 'Amara Sex Worker Collective' -e 'Lotus Sex Worker Network' \
		-e 'Mekong Migrant Voices' -e \"Red Lantern Workers' Union\" '$TMP'/funder.*"
check "funder: alias organisations have a withus id, never one made from their name" sh -c "
	grep -q 'withus-18d4dce3-f369-4ce3-8270-0add20185705' '$TMP/funder.iati' && grep -q 'Collective A' '$TMP/funder.iati'"
expect_rc 0 "public works too" d export --format 360giving --profile public
check "... with the funder's grants" is "$(cat "$TMP/out" | wc -l)" "$(wc -l < "$TMP/funder.360giving")"
expect_error 2 "no project to export" "a private project cannot be exported as a funder's" d export --format iati --project "Nightlife Health Survey"
expect_rc 0 "... unless the profile is private" d export --format iati --project "Nightlife Health Survey" --profile private

# Options
expect_rc 0 "--prefix sets the grant identifiers' prefix" d export --format 360giving --prefix 360G-lakeside
check "... on every grant" sh -c "tail -n +2 '$TMP/out' | cut -c1-14 | sort -u | grep -qx '360G-lakeside-'"
expect_error 2 "--prefix: 'GB-123'" "a prefix that is not 360G-" d export --format 360giving --prefix GB-123
expect_error 2 "--profile: 'everyone'" "an unknown profile" d export --format iati --profile everyone
expect_error 2 "--prefix is for --format 360giving" "--prefix with jsonl" d export --prefix 360G-x
expect_error 2 "--type does not apply" "--type with a standard" d export --format iati --type budget

# Records under a profile: what an organisation (or a funder) is handed.
expect_rc 0 "export --profile funder (JSON Lines)" d export --profile funder
cp "$TMP/out" "$TMP/funder.jsonl"
check "... only what sync would share: no private project or its records" sh -c "
	! grep -q -e 'Nightlife Health Survey' -e 'Community Safety Mapping' '$TMP/funder.jsonl' &&
	[ \$(jq -r 'select(.project) | .project' '$TMP/funder.jsonl' | sort -u | wc -l) = 2 ]"
check "... no notes, no alias organisation's name" sh -c "
	! jq -e 'select(has(\"note\"))' '$TMP/funder.jsonl' >/dev/null && ! grep -q -e 'Amara Sex Worker Collective' -e \"Red Lantern Workers' Union\" '$TMP/funder.jsonl'"
check "... an organisation that did not consent is not shown as sex worker-led" sh -c "
	jq -s -e 'map(select(.type == \"org\" and .alias == \"Union B\"))[0] | .kind == \"other\" and (has(\"swl_self_declared\") | not) and (has(\"swl_board_pct\") | not)' '$TMP/funder.jsonl' >/dev/null"
check "... one that did, is" sh -c "jq -s -e 'map(select(.type == \"org\" and .alias == \"Collective A\"))[0] | .kind == \"sex-worker-led\"' '$TMP/funder.jsonl' >/dev/null"
expect_rc 0 "... and it imports into an empty database" "$WITHUS" --db "$TMP/handed.db" import "$TMP/funder.jsonl"
expect_rc 0 "export --org with --profile funder gives the organisation what may leave about it" d export --org "Amara Sex Worker Collective" --profile funder
check "... its claims and its attestations" sh -c "jq -r .type '$TMP/out' | sort -u | tr '\\n' ' ' | grep -qx 'attestation body budget contribution involvement org partnership payrate role transaction '"
expect_rc 0 "export --format csv --profile funder, one file per type" d export --format csv --profile funder --output "$TMP/funder-csv"
check "... the same records as the JSON Lines, and nothing more" sh -c "
	[ \$(cat '$TMP'/funder-csv/*.csv | grep -vc '^id,created,updated') = \$(wc -l < '$TMP/funder.jsonl') ] &&
	! grep -rq -e 'Nightlife Health Survey' -e 'Amara Sex Worker Collective' -e \"Red Lantern Workers' Union\" '$TMP/funder-csv'"
expect_rc 0 "... and the directory imports" "$WITHUS" --db "$TMP/handed-csv.db" import "$TMP/funder-csv"
check "... to the same records" sh -c "'$WITHUS' --db '$TMP/handed.db' export > '$TMP/h1' && '$WITHUS' --db '$TMP/handed-csv.db' export > '$TMP/h2' && cmp -s '$TMP/h1' '$TMP/h2'"

# Text that is not safe in XML or CSV stays text.
E="$TMP/odd.db"
"$WITHUS" --db "$E" add org --name 'Uni <A & B> "Q"' --kind academic --country GB --visibility public >/dev/null
"$WITHUS" --db "$E" add org --name "Collective, Inc" --kind sex-worker-led --country KE --visibility public >/dev/null
"$WITHUS" --db "$E" add project --title '=SUM(1) <b>&amp;</b>' --lead-org 'Uni <A & B> "Q"' --actual-start 2025-01-01 \
	--visibility shared >/dev/null
"$WITHUS" --db "$E" add budget --project '=SUM(1) <b>&amp;</b>' --recipient "Collective, Inc" --category kt --amount 5 \
	--currency JPY --value-date 2025-01-01 --status committed >/dev/null
expect_rc 0 "markup and commas in names" "$WITHUS" --db "$E" export --format iati
check "... make well-formed XML with the text intact" sh -c "python3 '$CHECK' iati '$TMP/out' '$E' >/dev/null &&
	python3 -c \"import xml.etree.ElementTree as ET, sys; r = ET.parse('$TMP/out').getroot(); sys.exit(r.findtext('iati-activity/title/narrative') != '=SUM(1) <b>&amp;</b>')\""
expect_rc 0 "... and in 360Giving CSV" "$WITHUS" --db "$E" export --format 360giving
odd_csv() { # the recipient's name kept whole, the formula defused, JPY without decimals
	python3 "$CHECK" 360giving "$TMP/out" "$E" >/dev/null && python3 - "$TMP/out" <<'PY'
import csv, sys
r = list(csv.DictReader(open(sys.argv[1], newline="")))[0]
sys.exit(not (r["Recipient Org:Name"] == "Collective, Inc" and r["Grant Programme:Title"].startswith("'=SUM")
              and r["Amount Awarded"] == "5"))
PY
}
check "... quoted cells, no formula, JPY without decimals" odd_csv

done_testing
