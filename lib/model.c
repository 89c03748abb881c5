/*
 * model.c - the record model: every record type and field, in one place.
 *
 * This table drives validation, the SQL columns (sql/001-init.sql must
 * match it; tests/unit/test-model.c fails when they drift), the canonical
 * JSON shape, the CSV columns and the CLI's --options. What the model does
 * not have it cannot store: there is no field for a person's name, contact
 * or birth date, by design (see docs/records.md, "Safety").
 */
#include "config.h"
#include <string.h>
#include "internal.h"

#define VALUES(name, ...) static const char *const name[] = { __VA_ARGS__, NULL }

VALUES(org_kinds, "sex-worker-led", "community-led", "community-based", "academic", "funder",
       "government", "ngo", "other");
VALUES(groups, "sex-workers", "migrants", "trans", "people-who-use-drugs", "indigenous",
       "racialised", "lgbtq", "people-living-with-hiv");
VALUES(org_visibility, "public", "alias", "private");
VALUES(iati_org_types, "10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71",
       "72", "73", "80", "90");
VALUES(project_visibility, "private", "shared");
VALUES(record_visibility, "inherit", "private", "shared");
VALUES(decrim_stances, "public-support", "support", "none", "opposed");
VALUES(legal_models, "full-criminalisation", "partial-criminalisation", "client-criminalisation",
       "regulation", "decriminalisation", "unknown");
VALUES(iati_roles, "funding", "accountable", "extending", "implementing");
VALUES(research_roles, "co-lead", "co-investigator", "advisory", "subcontractor",
       "recruitment-only", "peer-research", "kt-partner", "data-steward", "host", "other");
VALUES(agreement_terms, "roles", "decision-making", "data-ownership", "publication-review",
       "budget", "ip");
VALUES(phases, "identifying", "commissioning", "design", "undertaking", "analysis",
       "dissemination", "evaluation", "governance");
VALUES(levels, "none", "inform", "consult", "involve", "collaborate", "lead");
VALUES(who, "org", "research-team", "jointly");
VALUES(body_kinds, "advisory", "steering", "data-governance", "ethics", "other");
VALUES(role_kinds, "co-lead", "co-investigator", "peer-researcher", "community-researcher",
       "advisory-member", "research-assistant", "kt-officer", "other");
VALUES(recruitment, "swlo", "open-call", "researcher-network", "other-org", "unknown");
VALUES(budget_categories, "kt", "community-researcher-pay", "capacity-building",
       "participant-compensation", "overhead", "other");
VALUES(budget_statuses, "indicative", "committed");
VALUES(budget_types, "original", "revised");
VALUES(transaction_kinds, "incoming-funds", "outgoing-commitment", "disbursement", "expenditure",
       "reimbursement", "incoming-commitment", "outgoing-pledge", "incoming-pledge");
VALUES(parties, "community", "academic");
VALUES(rate_units, "hour", "day", "month", "session", "item");
VALUES(output_kinds, "paper", "community-brief", "report", "presentation", "policy-submission",
       "dataset", "media", "other");
VALUES(output_stances, "supports-decriminalisation", "neutral", "criminalisation-recommended",
       "not-applicable");
VALUES(credit_roles, "conceptualization", "data-curation", "formal-analysis",
       "funding-acquisition", "investigation", "methodology", "project-administration",
       "resources", "software", "supervision", "validation", "visualization",
       "writing-original-draft", "writing-review-editing");
VALUES(degrees, "lead", "equal", "supporting");
VALUES(attestation_statuses, "confirmed", "partly-confirmed", "disputed");

#define REQ WU_F_REQUIRED
#define LST WU_F_LIST
#define F(n, k, fl, help) { n, k, fl, NULL, NULL, NULL, NULL, help }
#define E(n, vals, fl, def, help) { n, WU_K_ENUM, fl, vals, NULL, NULL, def, help }
#define S(n, vals, fl, help) { n, WU_K_SET, fl, vals, NULL, NULL, NULL, help }
#define R(n, type, fl, help) { n, WU_K_REF, fl, NULL, type, NULL, NULL, help }
#define RS(n, type, fl, help) { n, WU_K_REFSET, fl, NULL, type, NULL, NULL, help }
#define M(n, fl, help) { n, WU_K_MONEY, fl, NULL, NULL, "currency", NULL, help }
#define VIS E("visibility", record_visibility, 0, "inherit", \
	      "inherit (follow the project), private (never leaves this machine) or shared")
#define NOTE F("note", WU_K_TEXT, 0, "a note; never about an individual")

static const wu_field org_fields[] = {
	F("name", WU_K_TEXT, REQ | LST, "the organisation's name (kept on this machine unless visibility is public)"),
	F("alias", WU_K_TEXT, LST, "a public alias, shown instead of the name where visibility is alias"),
	E("kind", org_kinds, REQ | LST, NULL, "what kind of organisation it is"),
	S("represents", groups, 0, "the communities a community-led organisation is led by"),
	F("swl_self_declared", WU_K_BOOL, 0, "the organisation declares itself sex worker-led"),
	F("swl_board_pct", WU_K_PERCENT, 0, "share of the decision-making body who are sex workers (%)"),
	F("swl_spokes_pct", WU_K_PERCENT, 0, "share of spokespeople who are sex workers (%)"),
	F("swl_staff_pct", WU_K_PERCENT, 0, "share of staff who are sex workers, on equal contracts (%)"),
	F("disclose_swl", WU_K_BOOL, 0, "the organisation consents to its sex worker-led status appearing in funder reports"),
	F("org_id", WU_K_ORGID, 0, "org-id.guide identifier, e.g. GB-CHC-1234567"),
	F("ror", WU_K_ROR, 0, "ROR id of a university or funder, e.g. https://ror.org/03yrm5c26"),
	E("iati_type", iati_org_types, 0, NULL, "IATI organisation type code (10 government ... 80 academic, 90 other)"),
	F("country", WU_K_COUNTRY, REQ | LST, "ISO 3166-1 alpha-2 country code"),
	F("region", WU_K_TEXT, 0, "region or province; never a finer location"),
	E("visibility", org_visibility, LST, "private", "public (name may be shown), alias (only the alias) or private"),
	NOTE,
};

static const wu_field project_fields[] = {
	F("title", WU_K_TEXT, REQ | LST, "the project's title"),
	R("lead_org", "org", REQ | LST, "the organisation that leads the project"),
	RS("funders", "org", 0, "organisations that fund the project"),
	F("planned_start", WU_K_DATE, 0, "planned start date"),
	F("planned_end", WU_K_DATE, 0, "planned end date"),
	F("actual_start", WU_K_DATE, LST, "actual start date"),
	F("actual_end", WU_K_DATE, 0, "actual end date"),
	M("budget_total", 0, "total budget of the project"),
	F("currency", WU_K_CURRENCY, 0, "ISO 4217 currency of the total budget"),
	F("value_date", WU_K_DATE, 0, "the date for exchange-rate purposes of the total budget"),
	S("populations", groups, 0, "the populations the project studies"),
	E("decrim_stance", decrim_stances, 0, NULL, "the project's stance on decriminalising all aspects of sex work"),
	F("dp_plan", WU_K_BOOL, 0, "a data-protection plan exists"),
	F("le_request_policy", WU_K_BOOL, 0, "the plan says how law-enforcement requests for data are refused"),
	F("cert_confidentiality", WU_K_BOOL, 0, "a certificate of confidentiality (or local equivalent) is held"),
	F("police_in_recruitment", WU_K_BOOL, 0, "police are involved in recruitment"),
	F("data_shared_with_police", WU_K_BOOL, 0, "any data are shared with police"),
	E("visibility", project_visibility, LST, "private", "private (never leaves this machine) or shared"),
	NOTE,
};

static const wu_field site_fields[] = {
	R("project", "project", REQ | LST, "the project"),
	F("country", WU_K_COUNTRY, REQ | LST, "ISO 3166-1 alpha-2 country code"),
	F("region", WU_K_TEXT, LST, "region or province; never a finer location"),
	E("legal_model", legal_models, REQ | LST, NULL, "how the law treats sex work at the site"),
	VIS, NOTE,
};

static const wu_field partnership_fields[] = {
	R("project", "project", REQ | LST, "the project"),
	R("org", "org", REQ | LST, "the partner organisation"),
	S("iati_roles", iati_roles, 0, "IATI participating-org roles"),
	S("research_roles", research_roles, LST, "roles in the research"),
	F("first_engaged", WU_K_DATE, LST, "when the organisation was first engaged"),
	F("agreement_signed", WU_K_DATE, 0, "when a written agreement was signed"),
	S("agreement_covers", agreement_terms, 0, "what the written agreement covers"),
	F("co_applicant", WU_K_BOOL, 0, "the organisation is a co-applicant on the funding"),
	F("direct_awardee", WU_K_BOOL, 0, "the organisation receives funds directly from the funder"),
	F("questions_originated", WU_K_INT, 0, "research questions the organisation originated"),
	VIS, NOTE,
};

static const wu_field involvement_fields[] = {
	R("project", "project", REQ | LST, "the project"),
	R("org", "org", REQ | LST, "the organisation involved"),
	E("phase", phases, REQ | LST, NULL, "the research phase"),
	E("level", levels, REQ | LST, NULL, "the level of involvement (none < inform < consult < involve < collaborate < lead)"),
	F("start_date", WU_K_DATE, 0, "when the involvement began"),
	F("end_date", WU_K_DATE, 0, "when it ended"),
	E("nominated_by", who, 0, NULL, "who nominated the organisation's representatives"),
	F("evidence", WU_K_URL, 0, "a link to evidence (minutes, agreement, report)"),
	E("recorded_by", who, 0, NULL, "who recorded this claim"),
	VIS, NOTE,
};

static const wu_field body_fields[] = {
	R("project", "project", REQ | LST, "the project"),
	F("name", WU_K_TEXT, REQ | LST, "the body's name, e.g. Community Advisory Board"),
	E("kind", body_kinds, REQ | LST, NULL, "what the body does"),
	F("seats", WU_K_INT, REQ | LST, "voting seats"),
	F("swlo_seats", WU_K_INT, REQ | LST, "voting seats nominated by sex worker-led organisations"),
	R("chair_org", "org", 0, "the organisation of the chair"),
	VIS, NOTE,
};

static const wu_field role_fields[] = {
	R("project", "project", REQ | LST, "the project"),
	E("role", role_kinds, REQ | LST, NULL, "the role slot"),
	R("org", "org", LST, "the organisation the holder comes from or is nominated by"),
	E("recruited_via", recruitment, LST, NULL, "how the holder was recruited"),
	F("count", WU_K_INT, LST, "how many such slots (default 1)"),
	F("orcid", WU_K_ORCID, 0, "ORCID iD, for academic roles only"),
	F("start_date", WU_K_DATE, 0, "when the slot was filled"),
	F("end_date", WU_K_DATE, 0, "when it ended"),
	VIS, NOTE,
};

static const wu_field budget_fields[] = {
	R("project", "project", REQ | LST, "the project"),
	R("recipient", "org", REQ | LST, "the organisation the money is for"),
	E("category", budget_categories, REQ | LST, NULL, "what the money is for"),
	M("amount", REQ | LST, "the amount, an exact decimal"),
	F("currency", WU_K_CURRENCY, REQ | LST, "ISO 4217 currency code"),
	F("value_date", WU_K_DATE, REQ, "the date for exchange-rate purposes"),
	E("status", budget_statuses, LST, "indicative", "indicative or committed"),
	E("budget_type", budget_types, 0, "original", "original or revised"),
	F("period_start", WU_K_DATE, 0, "start of the budget period"),
	F("period_end", WU_K_DATE, 0, "end of the budget period"),
	F("match_required", WU_K_BOOL, 0, "the recipient must bring a cash or in-kind match"),
	R("via_org", "org", 0, "an intermediary the money is routed through"),
	VIS, NOTE,
};

static const wu_field transaction_fields[] = {
	R("project", "project", REQ | LST, "the project"),
	R("budget", "budget", 0, "the budget line it belongs to"),
	E("kind", transaction_kinds, REQ | LST, NULL, "IATI transaction type"),
	R("provider", "org", LST, "the organisation the money comes from"),
	R("receiver", "org", LST, "the organisation the money goes to"),
	M("amount", REQ | LST, "the amount, an exact decimal"),
	F("currency", WU_K_CURRENCY, REQ | LST, "ISO 4217 currency code"),
	F("date", WU_K_DATE, REQ | LST, "the transaction date (committed, paid, spent)"),
	F("value_date", WU_K_DATE, 0, "the date for exchange-rate purposes (default: date)"),
	F("activity_date", WU_K_DATE, 0, "when the paid-for activity took place"),
	F("invoice_date", WU_K_DATE, 0, "when the invoice or claim was sent"),
	VIS, NOTE,
};

static const wu_field payrate_fields[] = {
	R("project", "project", REQ | LST, "the project"),
	E("party", parties, REQ | LST, NULL, "community or academic"),
	E("role", role_kinds, REQ | LST, NULL, "the role paid at this rate"),
	R("org", "org", LST, "the organisation whose people are paid at this rate"),
	E("unit", rate_units, REQ | LST, NULL, "per hour, day, month, session or item"),
	M("amount", REQ | LST, "the rate, an exact decimal"),
	F("currency", WU_K_CURRENCY, REQ | LST, "ISO 4217 currency code"),
	F("value_date", WU_K_DATE, 0, "the date the rate applies from"),
	VIS, NOTE,
};

static const wu_field output_fields[] = {
	R("project", "project", REQ | LST, "the project"),
	E("kind", output_kinds, REQ | LST, NULL, "what kind of output"),
	F("title", WU_K_TEXT, REQ | LST, "the output's title"),
	F("peer_reviewed", WU_K_BOOL, 0, "peer-reviewed publication"),
	F("review_sent", WU_K_DATE, 0, "when the draft went to the community for review"),
	F("submitted", WU_K_DATE, 0, "when it was submitted (or released)"),
	F("published", WU_K_DATE, LST, "when it was published"),
	F("returned_to_community", WU_K_DATE, 0, "when accessible findings went back to the community"),
	F("coauthorship_offered", WU_K_BOOL, 0, "co-authorship was offered to the partner organisations"),
	E("stance", output_stances, 0, NULL, "the output's stance on criminalisation"),
	F("gripp_aim", WU_K_TEXT, 0, "GRIPP2-SF 1: aim of involvement"),
	F("gripp_methods", WU_K_TEXT, 0, "GRIPP2-SF 2: methods of involvement"),
	F("gripp_results", WU_K_TEXT, 0, "GRIPP2-SF 3: results of involvement"),
	F("gripp_outcomes", WU_K_TEXT, 0, "GRIPP2-SF 4: outcomes and impact"),
	F("gripp_reflection", WU_K_TEXT, 0, "GRIPP2-SF 5: critical reflection"),
	VIS, NOTE,
};

static const wu_field contribution_fields[] = {
	R("output", "output", REQ | LST, "the output"),
	R("org", "org", REQ | LST, "the contributing organisation"),
	E("credit_role", credit_roles, REQ | LST, NULL, "CRediT role"),
	E("degree", degrees, LST, NULL, "lead, equal or supporting"),
	F("group_author", WU_K_BOOL, LST, "the organisation is credited as a group author"),
	VIS, NOTE,
};

/* An organisation's word on a claim that names it. It never changes the
 * claim: both stand, each with its history, and the latest attestation by
 * the organisation on a claim is its status (lib/audit.c). */
static const wu_field attestation_fields[] = {
	F("claim", WU_K_RECORD, REQ | LST, "the record attested: a partnership, involvement, budget line, transaction, contribution ..."),
	R("org", "org", REQ | LST, "the organisation attesting; the claim must name it"),
	E("status", attestation_statuses, REQ | LST, NULL, "confirmed, partly-confirmed or disputed"),
	F("comment", WU_K_TEXT, 0, "what the organisation says about the claim"),
	R("project", "project", LST, "the claim's project (filled in from the claim)"),
	F("claim_version", WU_K_CODE, 0, "a fingerprint of the claim as attested (filled in): a later edit asks for a new look"),
	VIS,
};

#define TYPE(n, title, label, help) { #n, title, help, n##_fields, sizeof n##_fields / sizeof n##_fields[0], label }

static const wu_type types[] = {
	TYPE(org, "organisation", "name", "an organisation: sex worker-led, community, academic, funder ..."),
	TYPE(project, "project", "title", "a research project"),
	TYPE(site, "study site", NULL, "where a project works, and how the law treats sex work there"),
	TYPE(partnership, "partnership", NULL, "an organisation's part in a project, and the agreement"),
	TYPE(involvement, "involvement", NULL, "how far an organisation is involved in one research phase"),
	TYPE(body, "governance body", "name", "an advisory or governance body and who holds its seats"),
	TYPE(role, "team role slot", NULL, "a role on the team (no names: slots and counts only)"),
	TYPE(budget, "budget line", NULL, "money planned or committed for an organisation"),
	TYPE(transaction, "financial transaction", NULL, "a commitment, disbursement or expenditure"),
	TYPE(payrate, "pay rate", NULL, "what a community or academic role is paid"),
	TYPE(output, "output", "title", "a paper, brief, report or other output"),
	TYPE(contribution, "contribution", NULL, "an organisation's CRediT contribution to an output"),
	TYPE(attestation, "attestation", NULL, "an organisation confirms, partly confirms or disputes a claim naming it"),
};

size_t wu_type_count(void)
{
	return sizeof types / sizeof types[0];
}

const wu_type *wu_type_at(size_t i)
{
	return i < wu_type_count() ? &types[i] : NULL;
}

const wu_type *wu_type_find(const char *name)
{
	for (size_t i = 0; name && i < wu_type_count(); i++)
		if (strcmp(types[i].name, name) == 0)
			return &types[i];
	return NULL;
}

size_t wu__type_index(const wu_type *t)
{
	return (size_t)(t - types);
}

const wu_field *wu_field_find(const wu_type *t, const char *name)
{
	for (size_t i = 0; t && name && i < t->nfields; i++)
		if (strcmp(t->fields[i].name, name) == 0)
			return &t->fields[i];
	return NULL;
}

const char *wu_kind_name(wu_kind k)
{
	static const char *const names[] = {
		"text", "code", "enum", "set", "date", "integer", "percent", "boolean", "money",
		"currency", "country", "reference", "references", "org-id", "ror", "orcid", "url",
		"record",
	};
	return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "?";
}
