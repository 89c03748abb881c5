#!/bin/sh
# Every class of bad input: exit 2, one line naming the field and the value,
# and the database's content unchanged.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"
export WITHUS_DB="$TMP/v.db"

w add org --name Amara --kind sex-worker-led --country KE >/dev/null
w add org --name "Northfield University" --kind academic --country GB >/dev/null
w add project --title "Study" --lead-org "Northfield University" >/dev/null
w add partnership --project Study --org Amara >/dev/null
before=$(db_content "$WITHUS_DB")

# refused PATTERN DESC ARGS...: exit 2, the pattern on the first line, nothing written
refused() {
	pat=$1 desc=$2; shift 2
	expect_error 2 "$pat" "$desc" w "$@"
	if [ "$(wc -l < "$TMP/err")" != 1 ]; then
		not_ok "$desc: the error is one line" "$(cat "$TMP/err")"
	fi
	if [ "$(db_content "$WITHUS_DB")" != "$before" ]; then
		not_ok "$desc: the database is unchanged"
	fi
}

B="add budget --project Study --recipient Amara --category kt --currency GBP --value-date 2024-01-01"
refused "org.kind: 'charity' is not one of" "unknown enum value" add org --name X --kind charity --country GB
refused "org.country: 'UK' is not an ISO 3166-1" "unknown country" add org --name X --kind ngo --country UK
refused "org.country: 'gb'" "lowercase country" add org --name X --kind ngo --country gb
refused "org.name: required" "missing required field" add org --kind ngo --country GB
refused "org.name: the value is empty" "empty value" add org --name "" --kind ngo --country GB
refused "org.swl_board_pct: '101' is out of range" "percent over 100" add org --name X --kind ngo --country GB --swl-board-pct 101
refused "org.swl_board_pct: 'sixty' is not a whole number" "not a number" add org --name X --kind ngo --country GB --swl-board-pct sixty
refused "org.disclose_swl: 'maybe' is not true or false" "not a boolean" add org --name X --kind ngo --country GB --disclose-swl maybe
refused "org.ror: '03yrm5c27' is not a valid ROR" "ROR check digits" add org --name X --kind academic --country GB --ror 03yrm5c27
refused "org.org_id: 'charity-123' is not an org-id" "org-id shape" add org --name X --kind ngo --country GB --org-id charity-123
refused "org.represents: a community-led organisation needs" "community-led without groups" add org --name X --kind community-led --country GB
refused "org.represents: 'clowns' is not one of" "unknown group" add org --name X --kind community-led --country GB --represents trans,clowns
refused "org.name: 'jo@example.org' looks like an e-mail address" "e-mail in a name" add org --name "Contact jo@example.org" --kind ngo --country GB
refused "org.note: '\\+44 7700 900123' looks like a phone number" "phone number in a note" add org --name X --kind ngo --country GB --note "call +44 7700 900123"
refused "looks like a social media handle" "handle in a note" add org --name X --kind ngo --country GB --note "DM @sunny_day"
refused "budget.amount: '12.345' has more decimals than GBP allows \\(2\\)" "too many decimals" $B --amount 12.345
refused "budget.amount: '1.5' has more decimals than JPY allows \\(0\\)" "decimals in JPY" add budget --project Study --recipient Amara --category kt --currency JPY --value-date 2024-01-01 --amount 1.5
refused "budget.amount: '99999999999999999999' is too large" "64-bit overflow" $B --amount 99999999999999999999
refused "budget.amount: '-5' is negative" "negative amount" $B --amount -5
refused "budget.amount: '1,000.00' is not a decimal" "thousands separator" $B --amount 1,000.00
refused "budget.amount: '1e3' is not a decimal" "exponent notation" $B --amount 1e3
refused "budget.currency: 'ABC' is not an ISO 4217" "unknown currency" add budget --project Study --recipient Amara --category kt --currency ABC --value-date 2024-01-01 --amount 5
refused "budget.value_date: '2023-02-29' is not a real date" "impossible date" add budget --project Study --recipient Amara --category kt --currency GBP --value-date 2023-02-29 --amount 5
refused "budget.value_date: '01/02/2024' is not a real date" "non-ISO date" add budget --project Study --recipient Amara --category kt --currency GBP --value-date 01/02/2024 --amount 5
refused "budget.period_end: '2023-01-01' is before period_start '2024-01-01'" "end before start" $B --amount 5 --period-start 2024-01-01 --period-end 2023-01-01
refused "recipient: no org matches 'Nobody'" "dangling reference" add budget --project Study --recipient Nobody --category kt --currency GBP --value-date 2024-01-01 --amount 5
refused "project: no project matches 'Amara'" "reference to the wrong type" add site --project Amara --country KE --legal-model decriminalisation
refused "body.swlo_seats: '9' is more than the 8 seats" "more SWLO seats than seats" add body --project Study --name CAB --kind advisory --seats 8 --swlo-seats 9
refused "role.orcid: community members never appear as persons" "ORCID on a peer researcher" add role --project Study --role peer-researcher --orcid 0000-0002-1825-0097
refused "role.orcid: '0000-0002-1825-0098' is not a valid ORCID" "ORCID check digit" add role --project Study --role co-investigator --orcid 0000-0002-1825-0098
refused "already a partner of project" "duplicate partnership" add partnership --project Study --org Amara
refused "involvement.evidence: 'ftp://x' is not an http\\(s\\) URL" "evidence not a URL" add involvement --project Study --org Amara --phase design --level lead --evidence ftp://x
refused "transaction.receiver: .* is also the provider" "paying oneself" add transaction --project Study --kind disbursement --provider Amara --receiver Amara --amount 5 --currency GBP --date 2024-01-01
refused "'--colour' is not an option of add org" "unknown option" add org --name X --kind ngo --country GB --colour red
refused "option '--name' needs a value" "option without value" add org --kind ngo --country GB --name
refused "'person' is not a record type" "unknown record type" add person --name X
refused "add needs a record type" "add without a type" add
refused "referenced by" "rm of a referenced record" rm Amara
refused "--unset: 'colour' is not a field of org" "unset of an unknown field" edit Amara --unset colour
refused "org.country: 'XX'" "edit to a bad value" edit Amara --country XX

# a failed personal-data check says how to override, and --force does
expect_error 2 "looks like a phone number" "contact-like text is refused" w add org --name "Switchboard 020 7946 0958" --kind ngo --country GB
check "... and the message says how to override, on the same line" sh -c "[ \$(wc -l < '$TMP/err') = 1 ] && grep -q -- '--force accepts it' '$TMP/err'"
expect_rc 0 "--force accepts it" w add org --name "Switchboard 020 7946 0958" --kind ngo --country GB --force

done_testing
