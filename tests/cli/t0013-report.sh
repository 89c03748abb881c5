#!/bin/sh
# The funder portfolio report: golden files for text, JSON and CSV on the
# demo; figures recomputed here with sqlite3; exchange rates; privacy
# profiles that must leak nothing they hide; and the HTML page opened in
# headless Chromium, its charts and figures read back from the rendered DOM.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"
GOLDEN="$TEST_SRCDIR/golden"
is() { [ "$1" = "$2" ] || { echo "# got '$1', wanted '$2'"; return 1; }; }
same_file() { cmp -s "$1" "$2" || { diff -u "$1" "$2" | head -n 20 | sed 's/^/# /'; return 1; }; }
D="$TMP/demo.db"
d() { "$WITHUS" --db "$D" "$@"; }
d demo >/dev/null
AS_OF=2026-11-29

# ---- golden files ---------------------------------------------------------------------------
for f in text json csv; do
	ext=$f; [ $f = text ] && ext=txt
	expect_rc 0 "report --format $f" d report --as-of $AS_OF --format $f
	check "... matches tests/golden/report.$ext" same_file "$TMP/out" "$GOLDEN/report.$ext"
done
d report --as-of $AS_OF --format json > "$TMP/r.json"

# ---- the figures, recomputed from the database --------------------------------------------------
SWLO="(o.swl_self_declared = 1 OR (o.swl_board_pct >= 60 AND o.swl_spokes_pct >= 60 AND o.swl_staff_pct >= 33))"
P1=$(d list project --json | jq -r '.[] | select(.title == "Safer Work, Stronger Voices") | .id')
sql() { sqlite3 "$D" "$1"; }
total=$(sql "SELECT sum(amount) FROM budget WHERE project = '$P1'")
swlo=$(sql "SELECT sum(b.amount) FROM budget b JOIN org o ON o.id = b.recipient WHERE b.project = '$P1' AND $SWLO")
paid=$(sql "SELECT sum(t.amount) FROM \"transaction\" t JOIN org o ON o.id = t.receiver WHERE t.project = '$P1' AND t.kind = 'disbursement' AND $SWLO")
share=$(( (swlo * 1000 + total / 2) / total ))
check "the SWLO share of a project's budget is the one sqlite3 gives ($swlo of $total)" \
	is "$(jq -r --arg p "$P1" '.projects[] | select(.id == $p) | .money[0].swlo_share_pct' "$TMP/r.json")" "$((share / 10)).$((share % 10))"
check "... its disbursements to SWLOs too" \
	is "$(jq -r --arg p "$P1" '.projects[] | select(.id == $p) | .money[0].disbursed_swlo' "$TMP/r.json" | tr -d .)" "$paid"
gbp=$(sql "SELECT sum(amount) FROM budget WHERE currency = 'GBP'")
check "the portfolio's GBP budget is the sum of every GBP line" \
	is "$(jq -r '.totals.money[] | select(.currency == "GBP") | .budget' "$TMP/r.json" | tr -d .)" "$gbp"
check "currencies are not added together without a rate" sh -c "jq -e '(.totals.money | length) == 2 and (.totals | has(\"converted\") | not)' '$TMP/r.json' >/dev/null"
check "the statuses are those of withus check" sh -c "
	'$WITHUS' --db '$D' check --as-of $AS_OF --format json | jq -c '[.projects[] | [.id, [.recommendations[].status]]]' > '$TMP/c1'
	jq -c '[.projects[] | [.id, [.recommendations[].status]]]' '$TMP/r.json' > '$TMP/c2'
	cmp -s '$TMP/c1' '$TMP/c2'"
check "the disputed claim is counted" is "$(jq '.totals.claims.disputed' "$TMP/r.json")" 1
check "the findings per recommendation are withus check's" sh -c "
	'$WITHUS' --db '$D' check --as-of $AS_OF --format json | jq -c '[range(1; 5) as \$r | [.findings[] | select(.recommendation == \$r)] | length]' > '$TMP/f1'
	jq -c '[.totals.recommendations[].findings | .error + .warning + .info + .insufficient_data]' '$TMP/r.json' > '$TMP/f2'
	cmp -s '$TMP/f1' '$TMP/f2'"

# ---- exchange rates ---------------------------------------------------------------------------
expect_rc 0 "report --currency GBP without a THB rate" d report --as-of $AS_OF --currency GBP --format json
check "... adds nothing up, and names the missing rate" sh -c "jq -e '.totals.converted == null and .totals.missing_rates == [\"THB\"]' '$TMP/out' >/dev/null"
d report --as-of $AS_OF --currency GBP > "$TMP/out"
check "... the text says so" out_has "not added up in GBP: no rate for THB"
expect_rc 0 "rate add THB GBP 0.0225, with its source" d rate add THB GBP 0.0225 --from 2024-01-01 --source "central bank, 2024-01-02"
expect_rc 0 "rate add THB GBP 0.03 from a later date" d rate add THB GBP 0.03 --from 2027-01-01
expect_rc 0 "report --currency GBP" d report --as-of $AS_OF --currency GBP --format json
check "... converts THB 2400000.00 at the rate in force (0.0225) exactly" \
	is "$(jq -r '.projects[] | select(.title == "Mobility and Rights Study") | .converted.budget' "$TMP/out")" 54000.00
check "... and adds the portfolio up: GBP 430000.00 + 54000.00" is "$(jq -r '.totals.converted.budget' "$TMP/out")" 484000.00
expect_rc 0 "the inverse rate serves the other direction" d report --as-of $AS_OF --currency THB --format json
check "... GBP 250000.00 / 0.0225 = THB 11111111.11" \
	is "$(jq -r '.projects[] | select(.title == "Safer Work, Stronger Voices") | .converted.budget' "$TMP/out")" 11111111.11
expect_rc 0 "rate list" d rate list
check "... shows both" is "$(cat "$TMP/out")" "1 THB = 0.0225 GBP from 2024-01-01 (central bank, 2024-01-02)
1 THB = 0.03 GBP from 2027-01-01"
db_content "$D" > "$TMP/before"
expect_error 2 "base: 'XYZ' is not an ISO 4217" "an unknown currency" d rate add XYZ GBP 1.2
expect_error 2 "rate: '1,5' is not a positive decimal" "a rate that is not a decimal" d rate add EUR GBP 1,5
expect_error 2 "rate: '0' is not a positive" "a zero rate" d rate add EUR GBP 0
expect_error 2 "rate: '0.1234567890123' is not a positive decimal with at most 12" "more than 12 decimals" d rate add EUR GBP 0.1234567890123
expect_error 2 "quote: 'GBP' is the base currency too" "a currency against itself" d rate add GBP GBP 1
expect_error 2 "from: '2025-02-30' is not a real date" "an impossible date" d rate add EUR GBP 0.85 --from 2025-02-30
expect_error 2 "currency: 'XYZ'" "report --currency XYZ" d report --currency XYZ
db_content "$D" > "$TMP/after"
check "... none of them wrote anything" same_file "$TMP/before" "$TMP/after"
expect_rc 0 "rate rm" d rate rm THB GBP --from 2027-01-01
expect_error 2 "no rate THB -> GBP from 2027-01-01" "rate rm of a rate that is not there" d rate rm THB GBP --from 2027-01-01

# ---- HTML in a browser ------------------------------------------------------------------------
d report --as-of $AS_OF --format html --currency GBP --output "$TMP/report.html"
check "the HTML has no script and loads nothing from elsewhere" sh -c "
	! grep -Eiq '<script|<link|<img|@import|url\\(|src=|href=\"http' '$TMP/report.html'"
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROMIUM" ]; then
	echo "ok $((n + 1)) # SKIP no Chromium here (scripts/install-deps --test installs it)"; n=$((n + 1))
else
	browser() { timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
		--user-data-dir="$TMP/chromium" "$@" 2>"$TMP/chromium.err"; }
	browser --dump-dom "file://$TMP/report.html" > "$TMP/dom.html"
	check "Chromium renders the report" grep -q '</html>' "$TMP/dom.html"
	check "... with the charts: SWLO share, committed vs disbursed, heatmaps, recommendations, findings" sh -c "grep -q 'id=\"chart-swlo-share\"' '$TMP/dom.html' && grep -q 'id=\"chart-series-GBP\"' '$TMP/dom.html' &&
		[ \$(grep -o 'class=\"heatmap\"' '$TMP/dom.html' | wc -l) = 4 ] && grep -q 'id=\"chart-recommendations\"' '$TMP/dom.html' &&
		grep -q 'id=\"chart-findings\"' '$TMP/dom.html' && [ \$(grep -o '<rect class=\"finding-error\"' '$TMP/dom.html' | wc -l) -ge 2 ]"
	check "... a bar per project and currency, red under the 30% floor" sh -c "
		[ \$(grep -o '<rect class=\"bar\"' '$TMP/dom.html' | wc -l) = 3 ] && grep -q 'fill=\"#c0392b\"' '$TMP/dom.html' && grep -q 'floor 30%' '$TMP/dom.html'"
	check "... the figures: 42.8% to SWLOs, 484000.00 in GBP in total" sh -c "grep -q '42.8%' '$TMP/dom.html' && grep -q '484000.00' '$TMP/dom.html'"
	check "... every status cell" is "$(grep -o '<td class="\(met\|partly\|notmet\|insufficient\)"' "$TMP/dom.html" | wc -l)" 16
	browser --window-size=1280,2400 --screenshot="$TMP/report.png" "file://$TMP/report.html" >/dev/null
	check "a screenshot of it is a 1280x2400 PNG with something drawn on it" python3 -c "
import struct, sys, zlib
b = open('$TMP/report.png', 'rb').read()
assert b[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
w, h = struct.unpack('>II', b[16:24])
assert (w, h) == (1280, 2400), (w, h)
# inflate the image data and count the distinct bytes of its rows: a blank page has almost none
data, i = b'', 8
while i < len(b):
    n, t = struct.unpack('>I4s', b[i:i + 8]); i += 8
    if t == b'IDAT': data += b[i:i + n]
    i += n + 4
raw = zlib.decompress(data)
assert len(set(raw)) > 64, len(set(raw))
"
fi

# ---- privacy profiles -------------------------------------------------------------------------
# Private projects, alias organisations' names, and the SWLO flag of an
# organisation that did not consent must not appear in any format.
d add budget --project "Safer Work, Stronger Voices" --recipient "Amara Sex Worker Collective" --category other \
	--amount 777.77 --currency GBP --value-date 2025-01-01 --visibility private >/dev/null
for profile in funder public; do
	for f in text json csv html; do
		d report --as-of $AS_OF --profile $profile --format $f --output "$TMP/$profile.$f" || echo "# report --profile $profile --format $f failed"
	done
	check "$profile: no private project in any format" sh -c "! grep -l -e 'Nightlife Health Survey' -e 'Community Safety Mapping' '$TMP/$profile'.*"
	check "$profile: no name of an organisation shown by alias" sh -c "! grep -l -e 'Amara Sex Worker Collective' -e 'Lotus Sex Worker Network' -e 'Mekong Migrant Voices' '$TMP/$profile'.*"
	check "$profile: its alias instead" grep -q "Collective A" "$TMP/$profile.text"
	check "$profile: no money from a record marked private" sh -c "! grep -l -e '777.77' -e '250777.77' -e '107777.77' '$TMP/$profile'.*"
	check "$profile: the SWLO flag only where the organisation consented" sh -c "
		jq -e '[.projects[].partners[] | select(has(\"swlo\")) | .label] | unique == [\"Collective A\", \"Network D\"]' '$TMP/$profile.json' >/dev/null"
	check "$profile: says how many projects it left out" is "$(jq .projects_left_out "$TMP/$profile.json")" 2
done
cp "$D" "$TMP/shared.db"
"$WITHUS" --db "$TMP/shared.db" edit "Nightlife Health Survey" --visibility shared >/dev/null
"$WITHUS" --db "$TMP/shared.db" report --as-of $AS_OF --profile funder --format json > "$TMP/shared.json"
check "funder: a sex worker-led organisation that did not consent is shown as 'other', without the flag" sh -c "
	jq -e '[.projects[].partners[] | select(.label == \"Union B\")][0] | .kind == \"other\" and (has(\"swlo\") | not)' '$TMP/shared.json' >/dev/null &&
	jq -e '[.projects[].partners[], .projects[].lead_org | select(.kind == \"sex-worker-led\" and (has(\"swlo\") | not))] | length == 0' '$TMP/shared.json' >/dev/null &&
	! grep -q \"Red Lantern\" '$TMP/shared.json'"
d report --as-of $AS_OF --profile private --format json > "$TMP/private.json"
check "private: every project, names, and the private line counted" sh -c "
	jq -e '(.projects | length) == 4 and ([.projects[].partners[].label] | index(\"Amara Sex Worker Collective\")) and
		(.projects[0].money[0].budget == \"250777.77\")' '$TMP/private.json' >/dev/null"
check "public: every count from 1 to 4 is shown as \"<5\"" sh -c "
	jq -e '[(.projects[] | (.involvement[][], .claims[], .payments.count)), (.totals.recommendations[] | .[\"met\",\"partly met\",\"not met\"])]
		| all(. == \"<5\" or (type == \"number\" and (. == 0 or . >= 5)))' '$TMP/public.json' >/dev/null"
check "public: no payment lag from fewer than 5 payments" sh -c "
	jq -e '[.projects[] | select(.payments.count == \"<5\") | .payments | has(\"lag_median_days\")] | any | not' '$TMP/public.json' >/dev/null"
check "funder: counts are not suppressed" sh -c "jq -e '[.projects[].involvement[][]] | all(type == \"number\")' '$TMP/funder.json' >/dev/null"
check "a report file is private to its owner (0600)" is "$(stat -c %a "$TMP/funder.html")" 600

# ---- CSV is safe to open in a spreadsheet ----------------------------------------------------------
E="$TMP/csv.db"
"$WITHUS" --db "$E" add org --name "=HYPERLINK(1)" --kind academic --country GB >/dev/null
"$WITHUS" --db "$E" add project --title '=cmd|"/c calc"!A1, "quoted"' --lead-org "=HYPERLINK(1)" >/dev/null
expect_rc 0 "a project title that looks like a formula" "$WITHUS" --db "$E" report --format csv
check "... is quoted and starts with an apostrophe" grep -q "\"'=cmd|\"\"/c calc\"\"!A1, \"\"quoted\"\"\"" "$TMP/out"


done_testing
