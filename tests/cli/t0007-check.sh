#!/bin/sh
# withus check, rules, explain and policy, as a user drives them.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"
SRC="${TEST_SRCDIR:-$(dirname "$0")/..}/.."
AS_OF=2026-11-29
D="$TMP/demo.db"
w --db "$D" demo >/dev/null
C() { w --db "$D" check --as-of $AS_OF "$@"; }
jqt() { jq -e "$@" >/dev/null; }
P1="Safer Work, Stronger Voices"

# ---- text -------------------------------------------------------------------------
expect_rc 3 "check on the demo finds errors: exit 3" C
check "... every demo project is reported" sh -c "grep -c '^\(Safer Work\|Nightlife\|Mobility\|Community Safety\)' '$TMP/out' | grep -qx 4"
check "... with a verdict per recommendation" out_has "^  4 Fund SWLO involvement.* (met|partly met|not met|insufficient data)$"
check "... findings carry a remedy" out_has "remedy: "
check "... and a summary per recommendation" out_has "^  2 Collaborate.*met [0-9]+, partly met [0-9]+, not met [0-9]+, insufficient data [0-9]+$"
check "... nothing on stderr" sh -c "! test -s '$TMP/err'"
expect_rc 0 "the good project alone: exit 0" C --project "$P1"
check "... meets all four recommendations" sh -c "[ \$(grep -cE '^  [1-4] .* met\$' '$TMP/out') = 4 ] && ! grep -qE '^  [1-4] .*(not|partly) met\$' '$TMP/out'"
expect_rc 0 "a project named by id prefix" C --project "$(w --db "$D" list project --json | jq -r '.[0].id' | cut -c1-8)"
expect_rc 3 "--fail-on warning: the mixed project fails on warnings" C --project "Mobility and Rights Study" --fail-on warning
expect_rc 0 "--fail-on error: the same project passes (it has no errors)" C --project "Mobility and Rights Study"

# ---- JSON -------------------------------------------------------------------------
C --format json > "$TMP/check.json"
PY=""
for py in /usr/bin/python3 python3; do
	if "$py" -c 'import jsonschema' 2>/dev/null; then PY=$py; break; fi
done
if [ -n "$PY" ]; then
	check "the JSON validates against docs/check.schema.json" "$PY" "$SRC/tests/cli/validate-json.py" "$SRC/docs/check.schema.json" "$TMP/check.json"
	jq '.findings[0].severity = "fatal"' "$TMP/check.json" > "$TMP/bad.json"
	check "... and the schema check can fail (a wrong severity is caught)" sh -c "! '$PY' '$SRC/tests/cli/validate-json.py' '$SRC/docs/check.schema.json' '$TMP/bad.json' >/dev/null"
else
	echo "ok $((n + 1)) # SKIP no jsonschema module for python3"; n=$((n + 1))
fi
check "findings name rule, recommendation, severity, project, records, message, expected, actual, remedy" \
	jqt 'all(.findings[]; has("rule") and has("recommendation") and has("severity") and has("project") and (.records | type == "array") and has("message") and has("expected") and has("actual") and has("remedy"))' "$TMP/check.json"
for k in 1 2 3 4; do
	check "the demo has findings under recommendation $k" jqt "any(.findings[]; .recommendation == $k and .outcome == \"fail\")" "$TMP/check.json"
	check "... and a project that meets recommendation $k" jqt "any(.projects[]; .recommendations[$k - 1].status == \"met\")" "$TMP/check.json"
done
check "insufficient data is a finding that names what to record" \
	jqt 'any(.findings[]; .outcome == "insufficient-data" and (.remedy | test("withus ")))' "$TMP/check.json"
check "the too-little-data project has a recommendation with insufficient data" \
	jqt '.projects[] | select(.title == "Community Safety Mapping (pilot)") | any(.recommendations[]; .status == "insufficient data")' "$TMP/check.json"
check "every finding's records exist" sh -c "for id in \$(jq -r '.findings[].records[]' '$TMP/check.json' | sort -u); do '$WITHUS' --db '$D' show \$id >/dev/null || exit 1; done"

# ---- SARIF ------------------------------------------------------------------------
C --format sarif > "$TMP/check.sarif"
check "SARIF: version 2.1.0, one result per finding" sh -c "jq -e '.version == \"2.1.0\" and (.runs[0].results | length) == $(jq '.findings | length' "$TMP/check.json")' '$TMP/check.sarif' >/dev/null"
SARIF_SCHEMA="$SRC/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json"
if [ -n "$PY" ] && [ -f "$SARIF_SCHEMA" ]; then
	check "SARIF validates against the OASIS SARIF 2.1.0 schema" "$PY" "$SRC/tests/cli/validate-json.py" "$SARIF_SCHEMA" "$TMP/check.sarif"
else
	echo "ok $((n + 1)) # SKIP no SARIF schema (npm ci) or jsonschema"; n=$((n + 1))
fi
MT="$SRC/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [ -x "$MT" ]; then
	DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$MT" validate "$TMP/check.sarif" --output "$TMP/validation.sarif" >"$TMP/mt.log" 2>&1
	check "SARIF passes the SARIF Multitool's validator with no result" sh -c "jq -e '.runs[0].results | length == 0' '$TMP/validation.sarif' >/dev/null || { cat '$TMP/mt.log'; exit 1; }"
else
	echo "ok $((n + 1)) # SKIP no SARIF Multitool (npm ci)"; n=$((n + 1))
fi

# ---- policy -----------------------------------------------------------------------
status4() { jq -r --arg t "$P1" '.projects[] | select(.title == $t) | .recommendations[3].status' "$1"; }
check "by default the good project meets recommendation 4 (42.8% to SWLOs)" test "$(status4 "$TMP/check.json")" = met
cat > "$TMP/bar.json" <<'P'
{ "withus_policy": 1, "name": "Lakeside Foundation bar 2026",
  "rules": { "swlo-budget-share": { "min_pct": 50, "severity": "error" } } }
P
C --project "$P1" --policy "$TMP/bar.json" --format json > "$TMP/raised.json"; rc=$?
check "a policy raising the SWLO share to 50% changes the verdict to not met (exit 3)" test "$rc:$(status4 "$TMP/raised.json")" = "3:not met"
check "... the finding says 42.8% against 50%" jqt '.findings[] | select(.rule == "swlo-budget-share") | (.expected == ">= 50%") and (.actual | startswith("42.8%")) and .severity == "error"' "$TMP/raised.json"
check "... and the output names the policy" jqt '.policy == "Lakeside Foundation bar 2026"' "$TMP/raised.json"
printf '{"rules":{"law-enforcement-policy":{"enabled":false},"decrim-stance":{"severity":"info"}}}' > "$TMP/off.json"
C --format json --policy "$TMP/off.json" > "$TMP/off-out.json"
check "a disabled rule reports nothing" jqt 'all(.findings[]; .rule != "law-enforcement-policy")' "$TMP/off-out.json"
check "a severity override is applied" jqt 'all(.findings[] | select(.rule == "decrim-stance"); .severity == "info")' "$TMP/off-out.json"
printf '{"insufficient_data":"info"}' > "$TMP/insuf.json"
check "insufficient_data sets the severity of insufficient-data findings" sh -c "w() { '$WITHUS' \"\$@\"; }; w --db '$D' check --as-of $AS_OF --format json --policy '$TMP/insuf.json' | jq -e 'all(.findings[] | select(.outcome == \"insufficient-data\"); .severity == \"info\")' >/dev/null"

expect_rc 0 "policy show prints the effective policy" w policy show --policy "$TMP/bar.json"
check "... with the override in force" jqt '.rules["swlo-budget-share"].min_pct == 50 and .rules["swlo-budget-share"].severity == "error" and .rules["pay-parity"].min_pct == 90' "$TMP/out"
cp "$TMP/out" "$TMP/shown.json"
check "... which is itself a policy giving the same result" sh -c "'$WITHUS' --db '$D' check --as-of $AS_OF --project '$P1' --format json --policy '$TMP/shown.json' | jq -S . > '$TMP/a' ; jq -S . '$TMP/raised.json' > '$TMP/b'; cmp -s '$TMP/a' '$TMP/b'"
expect_rc 0 "policy show without a file shows the defaults" w policy show
check "... every rule, enabled" sh -c "jq -e '(.rules | length) == $(w rules --json | jq length) and all(.rules[]; .enabled)' '$TMP/out' >/dev/null"

bad_policy() { # bad_policy DESC PATTERN JSON
	printf '%s' "$3" > "$TMP/badpol.json"
	db_content "$D" > "$TMP/before.sql"
	expect_error 2 "$2" "bad policy refused: $1" w --db "$D" check --policy "$TMP/badpol.json"
}
bad_policy "unknown top-level key" "unknown key 'rulez'" '{"rulez":{}}'
bad_policy "unknown rule" "no rule 'swlo-budget'" '{"rules":{"swlo-budget":{"min_pct":40}}}'
bad_policy "unknown threshold" "unknown key 'min_percent'.*min_pct" '{"rules":{"swlo-budget-share":{"min_percent":40}}}'
bad_policy "a string for a percentage" "rules.swlo-budget-share.min_pct: expected a whole percentage 0-100, got \"40%\"" '{"rules":{"swlo-budget-share":{"min_pct":"40%"}}}'
bad_policy "a percentage over 100" "min_pct: expected a whole percentage 0-100, got 150" '{"rules":{"swlo-budget-share":{"min_pct":150}}}'
bad_policy "a fraction" "min_pct: expected a whole percentage" '{"rules":{"swlo-budget-share":{"min_pct":0.4}}}'
bad_policy "negative days" "max_days: expected a whole number of days" '{"rules":{"payment-lag-max":{"max_days":-1}}}'
bad_policy "an unknown level" "min_level: expected a level" '{"rules":{"early-engagement":{"min_level":"partner"}}}'
bad_policy "an unknown phase" "phases: expected an array of phases" '{"rules":{"involvement-floor":{"phases":["design","writing"]}}}'
bad_policy "an unknown severity" "severity: expected \"info\", \"warning\" or \"error\", got \"fatal\"" '{"rules":{"kt-budget":{"severity":"fatal"}}}'
bad_policy "enabled not a boolean" "enabled: expected true or false" '{"rules":{"kt-budget":{"enabled":"no"}}}'
bad_policy "a newer format" "withus_policy: this version of withus reads policy format 1" '{"withus_policy":2}'
bad_policy "not an object" "a policy is a JSON object" '[1,2]'
bad_policy "malformed JSON, with line and column" "badpol.json:1:[0-9]+: " '{"rules": {'
bad_policy "a duplicated key" "duplicate" '{"rules":{},"rules":{}}'
bad_policy "an empty name" "name: expected a non-empty string" '{"name":""}'
expect_error 2 "cannot read" "a missing policy file" w --db "$D" check --policy "$TMP/nope.json"
check "... and a refused policy leaves the database as it was" sh -c "sqlite3 '$D' .dump | cmp -s - '$TMP/before.sql'"

# ---- rules and explain ------------------------------------------------------------------
expect_rc 0 "rules lists the catalogue" w rules
check "... at least 25 rules" sh -c "[ \$(wc -l < '$TMP/out') -ge 25 ]"
w rules --json > "$TMP/rules.json"
for k in 1 2 3 4; do
	check "rules cover recommendation $k" jqt "any(.[]; .recommendation == $k)" "$TMP/rules.json"
done
check "every rule has an id, severity, why, remedy, and a source for each threshold" \
	jqt 'all(.[]; (.id | test("^[a-z0-9-]+$")) and (.why | length > 20) and (.remedy | length > 10) and all(.thresholds[]; .source | length > 0))' "$TMP/rules.json"
check "rule ids are unique" sh -c "[ \$(jq -r '.[].id' '$TMP/rules.json' | sort -u | wc -l) = \$(jq length '$TMP/rules.json') ]"
check "docs/rules.md is generated from the catalogue (withus rules --format markdown)" sh -c "w() { '$WITHUS' \"\$@\"; }; w rules --format markdown | cmp - '$SRC/docs/rules.md'"
expect_rc 0 "explain a rule" w explain swlo-budget-share
check "... says why, how, the threshold in force and its source" sh -c "grep -q '^Why: ' '$TMP/out' && grep -q '^How: ' '$TMP/out' && grep -q 'min_pct = 30%' '$TMP/out' && grep -q 'source: Cain' '$TMP/out'"
expect_rc 0 "explain under a policy" w explain --policy "$TMP/bar.json" swlo-budget-share
check "... shows the policy's threshold and names the policy as its source" sh -c "grep -q 'min_pct = 50%' '$TMP/out' && grep -q 'source: Lakeside Foundation bar 2026' '$TMP/out'"
expect_rc 0 "explain marks judgement thresholds" w explain kt-swlo-share
check "... as judgement" out_has "judgement"
expect_error 2 "no rule 'nope'" "explain an unknown rule" w explain nope

# A title with quotes, a backslash and non-ASCII text survives the streamed JSON.
Q="$TMP/quotes.db"
w --db "$Q" add org --name 'Uni "North" \ Süd' --kind academic --country DE >/dev/null
w --db "$Q" add project --title 'Say "no" \ to harm — São Paulo' --lead-org 'Uni "North" \ Süd' >/dev/null
w --db "$Q" check --format json > "$TMP/quotes.json"
check "JSON output escapes quotes and backslashes and keeps UTF-8" \
	jqt '.projects[0].title == "Say \"no\" \\ to harm — São Paulo" and (.findings | length) > 0' "$TMP/quotes.json"

# After `withus demo` (its own demo.db), a bare `withus check` points there.
w demo >/dev/null
expect_rc 0 "a bare check after the demo reads the real database, which is empty" w check
check "... and says where the demo is" err_has "the demo is in .*/demo.db: withus --db .*/demo.db check"

# ---- usage and edge cases -------------------------------------------------------------------
expect_error 2 "--format: 'xml'" "an unknown format" w --db "$D" check --format xml
expect_error 2 "--fail-on: 'info'" "an unknown --fail-on" w --db "$D" check --fail-on info
expect_error 2 "as_of: '2026-02-30' is not a date" "an impossible --as-of" w --db "$D" check --as-of 2026-02-30
expect_error 2 "no project matches 'Nope'" "an unknown project" w --db "$D" check --project Nope
expect_error 2 "unexpected argument" "a stray argument" w --db "$D" check Safer
E="$TMP/empty.db"
expect_rc 0 "check on an empty database" w --db "$E" check
check "... reports no projects" out_has "0 projects"
db_content "$D" > "$TMP/before.sql"
C >/dev/null 2>&1
check "check writes nothing to the database" sh -c "sqlite3 '$D' .dump | cmp -s - '$TMP/before.sql'"

done_testing
