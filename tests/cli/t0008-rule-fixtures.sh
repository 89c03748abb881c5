#!/bin/sh
# Every rule has a passing and a failing fixture. The pass fixture is the demo's
# good-practice project, which every rule judges and passes (none is "not
# applicable" to it). Each fail fixture changes that project the way a real
# team might get it wrong, and the rule must then fail on it. A rule added to
# the catalogue without a fixture fails this test.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"

BASE="$TMP/base.db"
P1="Safer Work, Stronger Voices"
AS_OF=2026-11-29
w --db "$BASE" demo >/dev/null

DB="$BASE"
W() { "$WITHUS" --db "$DB" "$@"; }
# ids TYPE JQ-CONDITION: the ids of the good project's records of TYPE that match
ids() { W list "$1" --project "$P1" --json | jq -r ".[] | select($2) | .id"; }
one() { ids "$@" | head -n 1; }
org() { W list org --json | jq -r ".[] | select(.name == \"$1\") | .id"; }
edit_each() { # edit_each TYPE JQ-CONDITION EDIT-ARGS...
	t=$1 c=$2; shift 2
	for i in $(ids "$t" "$c"); do W edit "$i" "$@" >/dev/null || return 1; done
}
amara_partnership() { one partnership ".org == \"$(org 'Amara Sex Worker Collective')\""; }
amara_budget() { ids budget ".recipient == \"$(org 'Amara Sex Worker Collective')\""; }
project() { W edit "$P1" "$@" >/dev/null; }
# rm_claim ID: an attested claim cannot be deleted under its attestations; a
# team that really withdraws one removes them first.
rm_claim() {
	for a in $(W list attestation --json | jq -r ".[] | select(.claim == \"$1\") | .id"); do W rm "$a" >/dev/null || return 1; done
	W rm "$1" >/dev/null
}

# ---- one function per rule: how to break it -----------------------------------
fx_site_legal_model() { edit_each site true --legal-model unknown; }
fx_decrim_stance() { project --decrim-stance support; }
fx_output_stance() { W edit "$(one output '.kind == "paper"')" --unset stance >/dev/null; }
fx_output_criminalisation() { W edit "$(one output '.kind == "community-brief"')" --stance criminalisation-recommended >/dev/null; }
fx_data_protection_plan() { project --dp-plan false; }
fx_law_enforcement_policy() { project --le-request-policy false; }
fx_confidentiality_certificate() { project --cert-confidentiality false; }
fx_no_police_recruitment() { project --police-in-recruitment true; }
fx_no_police_data_sharing() { project --data-shared-with-police true; }
fx_swlo_partner() { rm_claim "$(amara_partnership)"; }
fx_swlo_status_evidenced() { W edit "$(org 'Amara Sex Worker Collective')" --swl-self-declared false --swl-board-pct 20 >/dev/null; }
fx_involvement_breadth() { edit_each involvement '.phase | IN("identifying","commissioning","design","analysis","evaluation")' --level consult; }
fx_involvement_floor() { edit_each involvement '.phase == "analysis"' --level consult; }
fx_recruitment_only() { W edit "$(amara_partnership)" --research-roles recruitment-only >/dev/null; }
fx_early_engagement() { edit_each involvement '.phase | IN("identifying","commissioning")' --level involve; }
fx_written_agreement() { W edit "$(amara_partnership)" --agreement-signed 2024-03-01 >/dev/null; }
fx_agreement_coverage() { W edit "$(amara_partnership)" --agreement-covers roles,budget >/dev/null; }
fx_body_swlo_seats() { edit_each body true --swlo-seats 3; }
fx_body_tokenism() { edit_each body true --swlo-seats 1; }
fx_intersecting_partners() { project --populations sex-workers,migrants; }
fx_claims_corroborated() { edit_each involvement '.phase | IN("design","analysis","evaluation")' --recorded-by research-team; }
fx_claims_confirmed() { edit_each involvement true --evidence https://example.org/minutes-revised; }
fx_no_disputed_claims() { W attest "$(amara_partnership)" disputed --comment "We advised; we did not co-lead." >/dev/null; }
fx_swlo_co_lead() { W rm "$(one role '.role == "co-lead"')" >/dev/null && W edit "$(amara_partnership)" --research-roles kt-partner,peer-research >/dev/null; }
fx_peer_recruitment() { edit_each role '.role == "peer-researcher"' --recruited-via open-call; }
fx_coauthorship_offered() { W edit "$(one output '.kind == "paper"')" --coauthorship-offered false >/dev/null; }
fx_coauthorship_achieved() {
	for c in $(ids contribution ".org == \"$(org 'Amara Sex Worker Collective')\" and .output == \"$(one output '.kind == "paper"')\""); do
		rm_claim "$c" || return 1
	done
}
fx_review_window() { W edit "$(one output '.kind == "paper"')" --review-sent 2025-03-15 >/dev/null; }
fx_findings_returned() {
	W edit "$(one output '.kind == "community-brief"')" --unset returned_to_community >/dev/null &&
		W edit "$(one output '.kind == "paper"')" --returned-to-community 2025-12-01 >/dev/null
}
fx_questions_originated() { W edit "$(amara_partnership)" --questions-originated 0 >/dev/null; }
fx_swlo_funded() { for b in $(amara_budget); do W edit "$b" --recipient "Northfield University" >/dev/null || return 1; done; }
fx_swlo_budget_share() { edit_each budget '.category == "other"' --amount 900000.00; }
fx_kt_budget() { edit_each budget '.category == "kt"' --category other; }
fx_kt_swlo_share() { edit_each budget ".category == \"kt\" and .recipient != \"$(org 'Amara Sex Worker Collective')\"" --amount 60000.00; }
fx_swlo_direct_funding() { W edit "$(amara_partnership)" --co-applicant false --direct-awardee false >/dev/null; }
fx_intermediary() { W edit "$(amara_budget | head -n 1)" --via-org "Harbour Light Outreach" >/dev/null; }
fx_swlo_overhead() { edit_each budget '.category == "overhead"' --category other; }
fx_payment_lag_median() { edit_each transaction '.kind == "disbursement"' --activity-date 2024-01-01 --invoice-date 2024-01-01; }
fx_payment_lag_max() { edit_each transaction '.date == "2024-05-10"' --activity-date 2024-01-01 --invoice-date 2024-01-01; }
fx_pay_parity() { edit_each payrate '.party == "community"' --amount 150.00; }
fx_committed_disbursed() { rm_claim "$(one transaction '.kind == "disbursement" and .amount == "20000.00"')"; }
fx_no_match_required() { W edit "$(amara_budget | head -n 1)" --match-required true >/dev/null; }

# outcome_of DB RULE: fail, insufficient-data or pass for the good project
outcome_of() {
	"$WITHUS" --db "$1" check --project "$P1" --as-of $AS_OF --format json |
		jq -r --arg r "$2" '[.findings[] | select(.rule == $r) | .outcome][0] // "pass"'
}

"$WITHUS" --db "$BASE" check --project "$P1" --as-of $AS_OF --format json > "$TMP/base.json"
check "the pass fixture: every rule passes on the good project (none inapplicable)" \
	sh -c "jq -e '([.projects[0].recommendations[].passed] | add) == ($("$WITHUS" rules --json | jq length)) and (.findings | length) == 0' '$TMP/base.json' >/dev/null"

for rule in $("$WITHUS" rules --json | jq -r '.[].id'); do
	fn=fx_$(printf '%s' "$rule" | tr - _)
	if ! command -v "$fn" >/dev/null 2>&1; then
		not_ok "$rule: has a fail fixture" "add $fn to $0"
		continue
	fi
	DB="$TMP/$rule.db"
	cp "$BASE" "$DB"
	if ! $fn; then
		not_ok "$rule: the fail fixture applies" "$(cat "$TMP/err" 2>/dev/null)"
		continue
	fi
	got=$(outcome_of "$DB" "$rule")
	if [ "$got" = fail ]; then ok "$rule: passes on the good project, fails on its fixture"
	else not_ok "$rule: fails on its fixture" "outcome: $got"; fi
	rm -f "$DB"
done

done_testing
