#!/bin/sh
# Add, list, show, edit, rm and history for every record type, as a user would.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"
export WITHUS_DB="$TMP/r.db"

add() { run w add "$@"; if [ "$rc" = 0 ]; then cat "$TMP/out"; else echo "ADD FAILED: $(cat "$TMP/err")" >&2; fi; }

SWLO=$(add org --name "Amara Collective" --kind sex-worker-led --country KE --region "Nairobi County" --swl-self-declared true --visibility alias --alias "Collective A")
check "add org prints a new id" sh -c "echo '$SWLO' | grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\$'"
UNI=$(add org --name "Northfield University" --kind academic --country GB --ror 03yrm5c26 --iati-type 80)
FUND=$(add org --name "Lakeside Foundation" --kind funder --country GB --org-id GB-CHC-0000001)
P=$(add project --title "Safer Work" --lead-org "Northfield University" --funders "Lakeside Foundation" \
	--budget-total 250000 --currency GBP --planned-start 2024-01-01 --planned-end 2025-12-31 \
	--populations sex-workers,migrants --decrim-stance public-support --dp-plan yes --le-request-policy yes)
check "add project with references by name" test -n "$P"
expect_rc 0 "add site" w add site --project "Safer Work" --country KE --legal-model full-criminalisation
expect_rc 0 "add partnership (TYPE VERB form)" w partnership add --project "Safer Work" --org "Amara Collective" \
	--research-roles co-lead --research-roles kt-partner --iati-roles implementing --first-engaged 2023-02-01 \
	--agreement-signed 2023-09-01 --agreement-covers roles,budget,data-ownership --co-applicant true
expect_rc 0 "add involvement" w add involvement --project "Safer Work" --org "Amara Collective" --phase analysis \
	--level collaborate --nominated-by org --evidence https://example.org/minutes/1
expect_rc 0 "add governance body" w add body --project "Safer Work" --name "Community Advisory Board" --kind advisory --seats 8 --swlo-seats 5
expect_rc 0 "add role slot" w add role --project "Safer Work" --role peer-researcher --org "Amara Collective" --recruited-via swlo --count 4
KT=$(add budget --project "Safer Work" --recipient "Amara Collective" --category kt --amount 40000.00 --currency GBP --value-date 2023-11-01 --status committed)
check "add KT budget line" test -n "$KT"
expect_rc 0 "add disbursement" w add transaction --project "Safer Work" --budget "$KT" --kind disbursement \
	--provider "Northfield University" --receiver "Amara Collective" --amount 9000 --currency GBP --date 2024-02-26 \
	--activity-date 2024-02-10 --invoice-date 2024-02-12
expect_rc 0 "add pay rate" w add payrate --project "Safer Work" --party community --role peer-researcher --unit day --amount 190 --currency GBP
OUT=$(add output --project "Safer Work" --kind paper --title "Working safely" --peer-reviewed yes --coauthorship-offered yes)
expect_rc 0 "add contribution" w add contribution --output "Working safely" --org "Amara Collective" --credit-role investigation --degree equal --group-author yes

# list, as a table and as JSON
expect_rc 0 "list org" w list org
check "the table has a header and three rows" sh -c "[ \$(wc -l < '$TMP/out') = 4 ] && grep -q '^id ' '$TMP/out'"
check "references show by name" sh -c "'$WITHUS' list budget | grep -q 'Amara Collective'"
for t in org project site partnership involvement body role budget transaction payrate output contribution; do
	run w list "$t" --json
	if [ "$rc" = 0 ] && jq -e "length >= 1 and all(.[]; .type == \"$t\" and (.id|length) == 36)" "$TMP/out" >/dev/null; then
		ok "list $t --json is an array of $t records"
	else not_ok "list $t --json is an array of $t records" "$(cat "$TMP/out" "$TMP/err")"; fi
done
expect_rc 0 "list everything as JSON" w list --json
check "14 records in all" sh -c "jq -e 'length == 14' '$TMP/out' >/dev/null"
expect_rc 0 "list --project filters" w list --project "Safer Work" --json
check "... the project and its 10 dependent records" sh -c "jq -e 'length == 11' '$TMP/out' >/dev/null"
expect_rc 0 "list --org filters" w list budget --org "Northfield University" --json
check "... no budget line names the university" sh -c "jq -e 'length == 0' '$TMP/out' >/dev/null"
expect_rc 0 "TYPE VERB: withus org list" w org list

# show
expect_rc 0 "show by name" w show "Safer Work"
check "show prints fields in order" sh -c "grep -q 'budget_total: *250000.00' '$TMP/out' && grep -q 'lead_org: *Northfield University' '$TMP/out'"
PREFIX=$(echo "$KT" | cut -c1-8)
expect_rc 0 "show by id prefix, as JSON" w show "$PREFIX" --json
check "the canonical budget has an exact amount string" sh -c "jq -e '.amount == \"40000.00\" and .currency == \"GBP\" and .type == \"budget\"' '$TMP/out' >/dev/null"
expect_error 2 "no record matches" "show of nothing" w show "no such thing"

# edit
expect_rc 0 "edit changes a field" w edit "$KT" --amount 45000.5 --note "revised in year 2"
check "the change is stored" sh -c "'$WITHUS' show '$KT' --json | jq -e '.amount == \"45000.50\" and .note == \"revised in year 2\"' >/dev/null"
expect_rc 0 "edit --unset removes a field" w budget edit "$KT" --unset note
check "the field is gone" sh -c "'$WITHUS' show '$KT' --json | jq -e 'has(\"note\") | not' >/dev/null"
expect_rc 0 "edit --json prints the record" w edit "Safer Work" --title "Safer Work II" --json
check "... with the new title" sh -c "jq -e '.title == \"Safer Work II\"' '$TMP/out' >/dev/null"
expect_error 2 "nothing to change" "edit without changes" w edit "$KT"
expect_error 2 "budget.project: required" "edit cannot remove a required field" w edit "$KT" --unset project

# history
expect_rc 0 "history of a record" w history "$KT"
check "create and two updates" sh -c "[ \$(grep -Ec '^[0-9]+ ' '$TMP/out') = 3 ] && grep -q 'amount: \"40000.00\" -> \"45000.50\"' '$TMP/out'"
expect_rc 0 "history --json" w --user auditor history --json
check "every entry has when, who, what" sh -c "jq -e 'length >= 14 and all(.[]; has(\"at\") and has(\"user\") and has(\"op\"))' '$TMP/out' >/dev/null"
w --user alice edit "$KT" --status indicative >/dev/null 2>&1
check "--user is recorded" sh -c "'$WITHUS' history '$KT' --json | jq -e '.[-1].user == \"alice\"' >/dev/null"

# rm
expect_error 2 "referenced by" "rm refuses a referenced record" w rm "Amara Collective"
expect_rc 0 "rm removes a contribution" w rm "$(w list contribution --json | jq -r '.[0].id')"
run w list contribution --json
check "... it is gone" sh -c "jq -e 'length == 0' '$TMP/out' >/dev/null"
CNT=$(w list --json | jq length)
expect_error 2 "no record" "rm of several is all or nothing" w rm "$OUT" "no-such-record"
check "... the first one is still there" sh -c "[ \$('$WITHUS' list --json | jq length) = $CNT ]"

done_testing
