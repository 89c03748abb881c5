/*
 * rules.c - the catalogue of checks against the four recommendations for
 * researchers, and the condition of each.
 *
 * The catalogue is data: docs/rules.md is generated from it (`withus rules
 * --format markdown`) and a test fails when the two differ. Each condition
 * reads the facts of one project (facts.c) and the thresholds in force
 * (policy.c), and reports pass, fail, insufficient data or not applicable.
 * Wording is ours; sources are named in each threshold's `source`.
 */
#include "config.h"
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "rules.h"

/* ---- reporting an outcome ------------------------------------------------ */

#define SETTER(name, field)                                                     \
	static void name(struct wu_eval *e, const char *fmt, ...)                   \
		__attribute__((format(printf, 2, 3)));                                  \
	static void name(struct wu_eval *e, const char *fmt, ...)                   \
	{                                                                           \
		va_list ap;                                                             \
		va_start(ap, fmt);                                                      \
		vsnprintf(e->field, sizeof e->field, fmt, ap);                          \
		va_end(ap);                                                             \
	}
SETTER(message, message)
SETTER(expected, expected)
SETTER(actual, actual)

static void fail(struct wu_eval *e) { e->outcome = WU_OUT_FAIL; }
static void na(struct wu_eval *e) { e->outcome = WU_OUT_NA; }

static void add_id(struct wu_eval *e, const char *id)
{
	wu_id *slot = WU_PUSH(e->records);
	if (!slot)
		e->nomem = true;
	else
		wu__copy(*slot, sizeof *slot, id);
}

static void add_ids(struct wu_eval *e, const wu_idvec *v)
{
	for (size_t i = 0; i < v->n; i++)
		add_id(e, v->v[i]);
}

/* The rule cannot judge: `what` is missing, `record` says how to add it. */
static void insufficient(struct wu_eval *e, const char *what, const char *record)
{
	e->outcome = WU_OUT_INSUFFICIENT;
	snprintf(e->message, sizeof e->message, "%s", what);
	snprintf(e->expected, sizeof e->expected, "recorded: %s", e->rule->needs);
	snprintf(e->actual, sizeof e->actual, "not recorded");
	e->remedy = record;
	add_id(e, e->p->id); /* the project the records are missing from */
}

static int64_t param(const struct wu_eval *e, const char *name)
{
	return wu_policy_value(e->policy, e->rule, wu_rule_param(e->rule, name));
}

/* a*100 >= pct*b, without overflow and without floating point. */
static bool share_at_least(int64_t a, int64_t b, int64_t pct)
{
	return (__int128)a * 100 >= (__int128)pct * b;
}

/* "42.8%" */
static const char *pct_text(char buf[16], int64_t a, int64_t b)
{
	if (b <= 0) {
		snprintf(buf, 16, "n/a");
		return buf;
	}
	__int128 tenths = ((__int128)a * 1000 + b / 2) / b;
	snprintf(buf, 16, "%lld.%lld%%", (long long)(tenths / 10), (long long)(tenths % 10));
	return buf;
}

static const char *money_text(struct wu_eval *e, char buf[48], int64_t minor, const char *currency)
{
	char amount[40];
	if (wu_money_format(amount, sizeof amount, e->db, minor, currency))
		snprintf(amount, sizeof amount, "%lld minor units", (long long)minor);
	snprintf(buf, 48, "%s %s", amount, currency);
	return buf;
}

static const char *const *model_values(const char *type, const char *field)
{
	return wu_field_find(wu_type_find(type), field)->values;
}

/* "a, b, c": the model values whose bits are set in `mask`. */
static const char *join_values(char *buf, size_t size, const char *const *values, unsigned mask)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; values[i]; i++)
		if (mask & 1u << i) {
			int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", values[i]);
			if (n < 0 || (size_t)n >= size - used)
				break;
			used += (size_t)n;
		}
	return buf;
}

#define phase_list(buf, size, mask) join_values((buf), (size), model_values("involvement", "phase"), (mask))

static bool has_swlo_involvement(const struct wu_fproject *p)
{
	return p->swlo_involvement.n > 0;
}

/* The budget that stands: revised lines replace the original ones. */
static const struct wu_fmoney *budget(const struct wu_fproject *p)
{
	return p->money[1].lines ? &p->money[1] : &p->money[0];
}

/* Shares of a budget make sense only in one currency and without overflow. */
static bool budget_usable(struct wu_eval *e, const struct wu_fmoney *m)
{
	if (!m->lines) {
		insufficient(e, "no budget line is recorded",
			     "record the budget lines, with their recipients: withus budget add --project P --recipient ORG ...");
		return false;
	}
	if (m->mixed) {
		insufficient(e, "the budget lines are in more than one currency, and shares are only compared within one",
			     "record the budget lines in one currency (the project's budget currency)");
		return false;
	}
	if (m->overflow) {
		insufficient(e, "the budget total does not fit in 64 bits of minor units", "check the amounts recorded");
		return false;
	}
	return true;
}

/* ---- recommendation 1: decriminalisation --------------------------------- */

static void site_legal_model(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!p->sites) {
		insufficient(e, "no study site is recorded",
			     "record each study site and how the law treats sex work there: withus site add --project P --country CC --legal-model MODEL");
		return;
	}
	if (!p->sites_unknown.n)
		return;
	fail(e);
	add_ids(e, &p->sites_unknown);
	message(e, "%zu of %d study sites have no known legal model", p->sites_unknown.n, p->sites);
	expected(e, "a legal model for every site");
	actual(e, "%zu recorded as unknown", p->sites_unknown.n);
}

static void decrim_stance(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (p->stance < 0) {
		insufficient(e, "the project's stance on decriminalisation is not recorded",
			     "record it: withus project edit P --decrim-stance public-support|support|none|opposed");
		return;
	}
	if (p->stance == WU_STANCE_PUBLIC)
		return;
	fail(e);
	add_id(e, p->id);
	message(e, "the project does not publicly support decriminalising all aspects of sex work");
	expected(e, "decrim_stance = public-support");
	actual(e, "decrim_stance = %s",
	       wu_field_find(wu_type_find("project"), "decrim_stance")->values[p->stance]);
}

/* Indexes of output kinds (lib/model.c). */
enum { OUT_PAPER = 0, OUT_REPORT = 2, OUT_DATASET = 5, OUT_OTHER = 7 };
enum { STANCE_CRIMINALISATION = 2 };

/* Datasets and "other" outputs carry no policy message. */
static bool policy_relevant(const struct wu_foutput *o)
{
	return o->kind != OUT_DATASET && o->kind != OUT_OTHER;
}

static void output_stance(struct wu_eval *e)
{
	size_t relevant = 0;
	for (size_t i = 0; i < e->p->outputs.n; i++) {
		const struct wu_foutput *o = &e->p->outputs.v[i];
		if (!policy_relevant(o))
			continue;
		relevant++;
		if (o->stance < 0)
			add_id(e, o->id);
	}
	if (!relevant) {
		na(e);
		return;
	}
	if (!e->records.n)
		return;
	fail(e);
	message(e, "%zu of %zu policy-relevant outputs do not record their stance on criminalisation", e->records.n, relevant);
	expected(e, "a stance on every paper, brief, report, presentation, submission and media piece");
	actual(e, "%zu without a stance", e->records.n);
}

static void output_criminalisation(struct wu_eval *e)
{
	if (!e->p->outputs.n) {
		na(e);
		return;
	}
	for (size_t i = 0; i < e->p->outputs.n; i++)
		if (e->p->outputs.v[i].stance == STANCE_CRIMINALISATION)
			add_id(e, e->p->outputs.v[i].id);
	if (!e->records.n)
		return;
	fail(e);
	message(e, "%zu output(s) recommend criminalising some party to sex work", e->records.n);
	expected(e, "no output recommends criminalisation");
	actual(e, "%zu do", e->records.n);
}

/* Rules that apply only where some site is not decriminalised. */
static bool criminalised_setting(struct wu_eval *e)
{
	if (!e->p->sites) {
		insufficient(e, "no study site is recorded, so the legal setting is unknown",
			     "record each study site and its legal model: withus site add --project P --country CC --legal-model MODEL");
		return false;
	}
	if (!e->p->sites_not_decrim) {
		na(e);
		return false;
	}
	return true;
}

static void yes_required(struct wu_eval *e, int8_t value, const char *field, const char *missing,
			 const char *record, const char *failed)
{
	if (value < 0) {
		insufficient(e, missing, record);
		return;
	}
	if (value == 1)
		return;
	fail(e);
	add_id(e, e->p->id);
	message(e, "%s", failed);
	expected(e, "%s = true", field);
	actual(e, "%s = false", field);
}

static void no_required(struct wu_eval *e, int8_t value, const char *field, const char *missing,
			const char *record, const char *failed)
{
	if (value < 0) {
		insufficient(e, missing, record);
		return;
	}
	if (value == 0)
		return;
	fail(e);
	add_id(e, e->p->id);
	message(e, "%s", failed);
	expected(e, "%s = false", field);
	actual(e, "%s = true", field);
}

static void data_protection_plan(struct wu_eval *e)
{
	if (criminalised_setting(e))
		yes_required(e, e->p->dp_plan, "dp_plan", "whether a data-protection plan exists is not recorded",
			     "record it: withus project edit P --dp-plan true|false",
			     "sex work is criminalised at a study site and there is no data-protection plan");
}

static void law_enforcement_policy(struct wu_eval *e)
{
	if (criminalised_setting(e))
		yes_required(e, e->p->le_policy, "le_request_policy",
			     "whether the plan covers law-enforcement requests is not recorded",
			     "record it: withus project edit P --le-request-policy true|false",
			     "sex work is criminalised at a study site and nothing says how police requests for data are refused");
}

static void confidentiality_certificate(struct wu_eval *e)
{
	if (criminalised_setting(e))
		yes_required(e, e->p->certificate, "cert_confidentiality",
			     "whether a certificate of confidentiality is held is not recorded",
			     "record it: withus project edit P --cert-confidentiality true|false",
			     "no certificate of confidentiality (or local equivalent) protects the data");
}

static void no_police_recruitment(struct wu_eval *e)
{
	no_required(e, e->p->police_recruit, "police_in_recruitment", "whether police take part in recruitment is not recorded",
		    "record it: withus project edit P --police-in-recruitment false|true",
		    "police are involved in recruiting participants");
}

static void no_police_data(struct wu_eval *e)
{
	no_required(e, e->p->police_data, "data_shared_with_police", "whether any data are shared with police is not recorded",
		    "record it: withus project edit P --data-shared-with-police false|true",
		    "research data are shared with police");
}

/* ---- recommendation 2: collaboration -------------------------------------- */

static const char *const record_partnerships =
	"record the partner organisations: withus partnership add --project P --org ORG";
static const char *const record_involvement =
	"record how the sex worker-led organisation takes part in each phase: withus involvement add --project P --org ORG --phase PHASE --level LEVEL";

static void swlo_partner(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!p->partners) {
		insufficient(e, "no partner organisation is recorded", record_partnerships);
		return;
	}
	if (p->swlo_partners.n)
		return;
	fail(e);
	add_id(e, p->id);
	message(e, "none of the %d partner organisations is sex worker-led", p->partners);
	expected(e, "at least 1 sex worker-led partner (self-declared, or meeting the 60/60/33 test)");
	actual(e, "0 of %d", p->partners);
}

static void swlo_status_evidenced(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!p->partners) {
		na(e);
		return;
	}
	if (!p->unevidenced_orgs.n)
		return;
	fail(e);
	add_ids(e, &p->unevidenced_orgs);
	message(e, "%zu partner(s) recorded as sex worker-led neither declare it nor meet the 60/60/33 test, so no rule counts them",
		p->unevidenced_orgs.n);
	expected(e, "swl_self_declared = true, or board >= 60%%, spokespeople >= 60%%, staff >= 33%%");
	actual(e, "%zu without evidence", p->unevidenced_orgs.n);
}

static void involvement_breadth(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!has_swlo_involvement(p)) {
		insufficient(e, "no involvement of a sex worker-led organisation is recorded", record_involvement);
		return;
	}
	int64_t level = param(e, "min_level"), want = param(e, "min_phases");
	unsigned mask = 0;
	int n = 0;
	for (int i = 0; i < WU_NPHASES; i++)
		if (p->swlo_level[i] >= level) {
			mask |= 1u << i;
			n++;
		}
	if (n >= want)
		return;
	char list[160];
	fail(e);
	add_ids(e, &p->swlo_involvement);
	message(e, "sex worker-led partners are at %s or higher in %d phase(s); %lld expected", wu_level_name((int)level), n,
		(long long)want);
	expected(e, "%s or higher in at least %lld phases", wu_level_name((int)level), (long long)want);
	actual(e, "%d (%s)", n, n ? phase_list(list, sizeof list, mask) : "none");
}

static void involvement_floor(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!has_swlo_involvement(p)) {
		insufficient(e, "no involvement of a sex worker-led organisation is recorded", record_involvement);
		return;
	}
	int64_t level = param(e, "min_level");
	unsigned phases = (unsigned)param(e, "phases"), low = 0;
	for (int i = 0; i < WU_NPHASES; i++)
		if ((phases & 1u << i) && p->swlo_level[i] < level)
			low |= 1u << i;
	if (!low)
		return;
	char list[160];
	fail(e);
	add_ids(e, &p->swlo_involvement);
	message(e, "sex worker-led partners are below %s (or not recorded) in: %s", wu_level_name((int)level),
		phase_list(list, sizeof list, low));
	expected(e, "%s or higher in every listed phase", wu_level_name((int)level));
	actual(e, "below in %s", list);
}

static void recruitment_only(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	const unsigned recruit = 1u << 4; /* research_roles: recruitment-only */
	if (!p->swlo_partners.n && !has_swlo_involvement(p)) {
		na(e);
		return;
	}
	for (size_t i = 0; i < p->swlo_partners.n; i++)
		if (p->swlo_partners.v[i].roles == recruit)
			add_id(e, p->swlo_partners.v[i].id);
	bool only_undertaking = p->swlo_level[WU_PH_UNDERTAKING] >= WU_LV_INVOLVE;
	for (int i = 0; i < WU_NPHASES && only_undertaking; i++)
		if (i != WU_PH_UNDERTAKING && p->swlo_level[i] >= WU_LV_INVOLVE)
			only_undertaking = false;
	if (only_undertaking)
		add_ids(e, &p->swlo_involvement);
	if (!e->records.n)
		return;
	fail(e);
	message(e, "the sex worker-led partner's part is confined to recruitment and data collection");
	expected(e, "a part beyond recruitment (design, analysis, dissemination, governance)");
	actual(e, only_undertaking ? "involved only in the undertaking phase" : "research role: recruitment-only");
}

static void early_engagement(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!has_swlo_involvement(p)) {
		insufficient(e, "no involvement of a sex worker-led organisation is recorded", record_involvement);
		return;
	}
	int64_t level = param(e, "min_level");
	int best = p->swlo_level[WU_PH_IDENTIFYING] > p->swlo_level[WU_PH_COMMISSIONING] ? p->swlo_level[WU_PH_IDENTIFYING]
											  : p->swlo_level[WU_PH_COMMISSIONING];
	if (best >= level)
		return;
	fail(e);
	add_ids(e, &p->swlo_involvement);
	message(e, "no sex worker-led partner shaped the project before it was funded");
	expected(e, "%s or higher in identifying or commissioning", wu_level_name((int)level));
	actual(e, "%s", best < 0 ? "not involved in either phase" : wu_level_name(best));
}

/* When data collection started, as best recorded. */
static const char *collection_start(const struct wu_fproject *p)
{
	if (p->collection_start[0])
		return p->collection_start;
	if (p->actual_start[0])
		return p->actual_start;
	return p->planned_start[0] ? p->planned_start : NULL;
}

static void written_agreement(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!p->swlo_partners.n) {
		na(e);
		return;
	}
	const char *start = collection_start(p);
	size_t unsigned_n = 0, late = 0;
	for (size_t i = 0; i < p->swlo_partners.n; i++) {
		const struct wu_fpartner *sp = &p->swlo_partners.v[i];
		if (!sp->signed_on[0])
			unsigned_n++;
		else if (start && strcmp(sp->signed_on, start) > 0)
			late++;
		else
			continue;
		add_id(e, sp->id);
	}
	if (!e->records.n)
		return;
	fail(e);
	message(e, "%zu partnership(s) with a sex worker-led organisation have no written agreement, %zu signed after data collection began",
		unsigned_n, late);
	expected(e, "an agreement signed on or before %s", start ? start : "the start of data collection");
	actual(e, "%zu missing, %zu late", unsigned_n, late);
}

static void agreement_coverage(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	/* roles, decision-making, data-ownership, publication-review, budget */
	const unsigned needed = 0x1f;
	size_t signed_n = 0;
	unsigned missing_all = 0;
	for (size_t i = 0; i < p->swlo_partners.n; i++) {
		const struct wu_fpartner *sp = &p->swlo_partners.v[i];
		if (!sp->signed_on[0])
			continue;
		signed_n++;
		if ((sp->covers & needed) != needed) {
			missing_all |= needed & ~sp->covers;
			add_id(e, sp->id);
		}
	}
	if (!signed_n) {
		na(e);
		return;
	}
	if (!e->records.n)
		return;
	char list[160];
	join_values(list, sizeof list, model_values("partnership", "agreement_covers"), missing_all);
	fail(e);
	message(e, "%zu agreement(s) with sex worker-led partners leave out: %s", e->records.n, list);
	expected(e, "roles, decision-making, data-ownership, publication-review and budget");
	actual(e, "missing %s", list);
}

static void bodies_below(struct wu_eval *e, const char *what)
{
	const struct wu_fproject *p = e->p;
	if (!p->bodies.n) {
		insufficient(e, "no advisory or governance body is recorded",
			     "record the project's advisory and governance bodies: withus body add --project P --name NAME --kind KIND --seats N --swlo-seats N");
		return;
	}
	int64_t pct = param(e, "min_pct");
	int64_t worst_seats = 0, worst_swlo = 0;
	for (size_t i = 0; i < p->bodies.n; i++) {
		const struct wu_fbody *b = &p->bodies.v[i];
		if (b->seats <= 0 || share_at_least(b->swlo_seats, b->seats, pct))
			continue;
		if (!e->records.n || b->swlo_seats * worst_seats < worst_swlo * b->seats) {
			worst_seats = b->seats;
			worst_swlo = b->swlo_seats;
		}
		add_id(e, b->id);
	}
	if (!e->records.n)
		return;
	char share[16];
	fail(e);
	message(e, "%zu of %zu bodies have fewer than %lld%% of voting seats nominated by sex worker-led organisations%s",
		e->records.n, p->bodies.n, (long long)pct, what);
	expected(e, ">= %lld%% of seats", (long long)pct);
	actual(e, "%lld of %lld seats (%s) in the lowest", (long long)worst_swlo, (long long)worst_seats,
	       pct_text(share, worst_swlo, worst_seats));
}

static void body_swlo_seats(struct wu_eval *e)
{
	bodies_below(e, "");
}

static void body_tokenism(struct wu_eval *e)
{
	bodies_below(e, " (token representation)");
}

static void intersecting_partners(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!p->populations_recorded) {
		insufficient(e, "the populations the project studies are not recorded",
			     "record them: withus project edit P --populations sex-workers,migrants,...");
		return;
	}
	unsigned others = p->populations & ~(1u << WU_GROUP_SEX_WORKERS);
	unsigned missing = others & ~p->community_represents;
	if (!missing)
		return;
	char list[200];
	fail(e);
	add_id(e, p->id);
	message(e, "the project studies groups with no community-led partner of their own: %s",
		join_values(list, sizeof list, model_values("project", "populations"), missing));
	expected(e, "a community-led partner representing each group studied");
	actual(e, "none for %s", list);
}

static void claims_corroborated(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!has_swlo_involvement(p)) {
		insufficient(e, "no involvement of a sex worker-led organisation is recorded", record_involvement);
		return;
	}
	size_t total = p->swlo_involvement.n, confirmed = total - p->uncorroborated.n;
	int64_t pct = param(e, "min_pct");
	if (share_at_least((int64_t)confirmed, (int64_t)total, pct))
		return;
	char share[16];
	fail(e);
	add_ids(e, &p->uncorroborated);
	message(e, "only %zu of %zu involvement claims were recorded by the sex worker-led organisation or jointly",
		confirmed, total);
	expected(e, ">= %lld%% recorded by the organisation or jointly", (long long)pct);
	actual(e, "%s", pct_text(share, (int64_t)confirmed, (int64_t)total));
}

/* The organisations' own word on the claims about them (lib/audit.c). */
static void claims_confirmed(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!p->swlo_claims) {
		na(e);
		return;
	}
	int64_t confirmed = 0, reviewed = 0, changed = 0;
	for (size_t i = 0; i < p->attestations.n; i++) {
		const struct wu_fattest *a = &p->attestations.v[i];
		if (!a->swlo)
			continue;
		reviewed++;
		if (!a->current)
			changed++;
		else if (a->status == WU_ATT_CONFIRMED)
			confirmed++;
	}
	if (!reviewed) {
		insufficient(e, "no sex worker-led organisation has confirmed or disputed the claims about it",
			     "share the claims with the organisation (withus sync) and ask it to review each one: "
			     "withus audit ORG, then withus attest CLAIM confirmed|partly-confirmed|disputed");
		return;
	}
	int64_t pct = param(e, "min_pct");
	if (share_at_least(confirmed, p->swlo_claims, pct))
		return;
	char share[16];
	fail(e);
	add_id(e, p->id);
	for (size_t i = 0; i < p->attestations.n; i++)
		if (p->attestations.v[i].swlo && (p->attestations.v[i].status != WU_ATT_CONFIRMED || !p->attestations.v[i].current))
			add_id(e, p->attestations.v[i].claim);
	char edited[64] = "";
	if (changed)
		snprintf(edited, sizeof edited, ", %lld edited since they were attested", (long long)changed);
	message(e, "only %lld of %lld claims about sex worker-led partners are confirmed by them (%lld not reviewed%s)",
		(long long)confirmed, (long long)p->swlo_claims, (long long)(p->swlo_claims - reviewed), edited);
	expected(e, ">= %lld%% confirmed by the organisation", (long long)pct);
	actual(e, "%s", pct_text(share, confirmed, p->swlo_claims));
}

/* ---- recommendation 3: experts and knowledge ------------------------------------ */

/* A dispute is the organisation's account of its own involvement: it stands
 * until the organisation itself confirms the claim. */
static void no_disputed_claims(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!p->attestations.n) {
		na(e);
		return;
	}
	/* One finding per disputed claim: each is the organisation's own account. */
	const struct wu_fattest *last = NULL;
	for (size_t i = 0; i < p->attestations.n; i++) {
		const struct wu_fattest *a = &p->attestations.v[i];
		if (a->status != WU_ATT_DISPUTED)
			continue;
		if (last && e->emit(e)) {
			e->nomem = true;
			return;
		}
		last = a;
		fail(e);
		add_id(e, a->claim);
		add_id(e, a->id);
		message(e, "the organisation it names disputes %s %.8s%s%s%s%s", a->type, a->claim,
			a->comment[0] ? ": \"" : "", a->comment, a->comment[0] ? "\"" : "",
			a->current ? "" : " (edited since; the organisation has not looked again)");
		expected(e, "no claim disputed by the organisation it names");
		actual(e, "disputed%s", a->current ? "" : ", then edited");
	}
}

static void swlo_co_lead(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	const unsigned lead_roles = 0x3; /* research_roles: co-lead, co-investigator */
	if (p->swlo_lead_roles)
		return;
	for (size_t i = 0; i < p->swlo_partners.n; i++)
		if (p->swlo_partners.v[i].roles & lead_roles)
			return;
	if (!p->partners) {
		insufficient(e, "no partner organisation or team role is recorded", record_partnerships);
		return;
	}
	fail(e);
	add_id(e, p->id);
	message(e, "no co-lead or co-investigator comes from a sex worker-led organisation");
	expected(e, "at least 1 co-lead or co-investigator role nominated by a sex worker-led organisation");
	actual(e, "0");
}

static void peer_recruitment(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!p->peer_roles) {
		na(e);
		return;
	}
	if (!p->peer_not_via_swlo.n && p->peer_route_unknown.n) {
		insufficient(e, "how the peer researchers were recruited is not recorded",
			     "record it: withus role edit ROLE --recruited-via swlo|open-call|researcher-network|other-org");
		add_ids(e, &p->peer_route_unknown);
		return;
	}
	if (!p->peer_not_via_swlo.n)
		return;
	fail(e);
	add_ids(e, &p->peer_not_via_swlo);
	message(e, "%zu of %d peer or community researcher posts were not filled through a sex worker-led organisation",
		p->peer_not_via_swlo.n, p->peer_roles);
	expected(e, "recruited_via = swlo");
	actual(e, "%zu recruited otherwise", p->peer_not_via_swlo.n);
}

static void coauthorship_offered(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!p->outputs.n) {
		na(e);
		return;
	}
	size_t unknown = 0;
	for (size_t i = 0; i < p->outputs.n; i++) {
		if (p->outputs.v[i].coauthorship_offered == 0)
			add_id(e, p->outputs.v[i].id);
		else if (p->outputs.v[i].coauthorship_offered < 0)
			unknown++;
	}
	if (!e->records.n && unknown) {
		insufficient(e, "whether co-authorship was offered is not recorded for every output",
			     "record it: withus output edit OUTPUT --coauthorship-offered true|false");
		for (size_t i = 0; i < p->outputs.n; i++)
			if (p->outputs.v[i].coauthorship_offered < 0)
				add_id(e, p->outputs.v[i].id);
		return;
	}
	if (!e->records.n)
		return;
	fail(e);
	message(e, "co-authorship was not offered to the partner organisations on %zu of %zu outputs", e->records.n,
		p->outputs.n);
	expected(e, "co-authorship offered on every output");
	actual(e, "not offered on %zu", e->records.n);
}

static void coauthorship_achieved(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	size_t reviewed = 0;
	for (size_t i = 0; i < p->outputs.n; i++) {
		const struct wu_foutput *o = &p->outputs.v[i];
		if (o->peer_reviewed != 1)
			continue;
		reviewed++;
		if (!o->swlo_contribution)
			add_id(e, o->id);
	}
	if (!reviewed) {
		na(e);
		return;
	}
	if (!e->records.n)
		return;
	fail(e);
	message(e, "%zu of %zu peer-reviewed outputs credit no sex worker-led organisation", e->records.n, reviewed);
	expected(e, "a sex worker-led organisation among the credited contributors (named or group author)");
	actual(e, "none on %zu", e->records.n);
}

static void review_window(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	int64_t min_days = param(e, "min_days"), shortest = INT64_MAX;
	size_t submitted = 0, never = 0;
	for (size_t i = 0; i < p->outputs.n; i++) {
		const struct wu_foutput *o = &p->outputs.v[i];
		if (!o->submitted[0])
			continue;
		submitted++;
		if (!o->review_sent[0]) {
			never++;
			add_id(e, o->id);
			continue;
		}
		int64_t days = wu__date_days(o->submitted) - wu__date_days(o->review_sent);
		if (days < min_days) {
			add_id(e, o->id);
			if (days < shortest)
				shortest = days;
		}
	}
	if (!submitted) {
		na(e);
		return;
	}
	if (!e->records.n)
		return;
	fail(e);
	message(e, "%zu of %zu submitted outputs had less than %lld days of community review (%zu none at all)",
		e->records.n, submitted, (long long)min_days, never);
	expected(e, ">= %lld days between review_sent and submitted", (long long)min_days);
	if (shortest != INT64_MAX)
		actual(e, "shortest %lld days; %zu never sent for review", (long long)shortest, never);
	else
		actual(e, "%zu never sent for review", never);
}

static void findings_returned(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	const char *first = NULL, *returned = NULL;
	for (size_t i = 0; i < p->outputs.n; i++) {
		const struct wu_foutput *o = &p->outputs.v[i];
		bool academic = o->kind == OUT_PAPER || o->kind == OUT_REPORT || o->peer_reviewed == 1;
		if (academic && o->published[0] && (!first || strcmp(o->published, first) < 0))
			first = o->published;
		if (o->returned[0] && (!returned || strcmp(o->returned, returned) < 0))
			returned = o->returned;
	}
	if (!first) {
		na(e);
		return;
	}
	int64_t max_days = param(e, "max_days");
	int64_t due = wu__date_days(first) + max_days;
	if (returned && wu__date_days(returned) <= due)
		return;
	if (!returned && e->today <= due)
		return; /* not yet due */
	fail(e);
	for (size_t i = 0; i < p->outputs.n; i++)
		if (p->outputs.v[i].published[0] && !strcmp(p->outputs.v[i].published, first))
			add_id(e, p->outputs.v[i].id);
	message(e, "accessible findings did not go back to the community within %lld days of the first academic output (%s)",
		(long long)max_days, first);
	expected(e, "returned_to_community within %lld days of %s", (long long)max_days, first);
	if (returned)
		actual(e, "first returned %s, %lld days after", returned,
		       (long long)(wu__date_days(returned) - wu__date_days(first)));
	else
		actual(e, "not returned; %lld days since", (long long)(e->today - wu__date_days(first)));
}

static void questions_originated(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!p->swlo_partners.n) {
		na(e);
		return;
	}
	int64_t sum = 0, want = param(e, "min_count");
	bool unknown = false;
	for (size_t i = 0; i < p->swlo_partners.n; i++) {
		if (p->swlo_partners.v[i].questions < 0)
			unknown = true;
		else
			sum += p->swlo_partners.v[i].questions;
	}
	if (sum >= want)
		return;
	if (unknown && !sum) {
		insufficient(e, "how many research questions the sex worker-led partners originated is not recorded",
			     "record it: withus partnership edit PARTNERSHIP --questions-originated N");
		return;
	}
	fail(e);
	for (size_t i = 0; i < p->swlo_partners.n; i++)
		add_id(e, p->swlo_partners.v[i].id);
	message(e, "sex worker-led partners originated %lld research question(s); %lld expected", (long long)sum,
		(long long)want);
	expected(e, ">= %lld", (long long)want);
	actual(e, "%lld", (long long)sum);
}

/* ---- recommendation 4: funding ---------------------------------------------------- */

static void swlo_funded(struct wu_eval *e)
{
	const struct wu_fmoney *m = budget(e->p);
	if (!budget_usable(e, m) || m->swlo > 0)
		return;
	char total[48];
	fail(e);
	add_ids(e, &e->p->budget_ids);
	message(e, "no budget line goes to a sex worker-led organisation");
	expected(e, "a share above 0%%");
	actual(e, "0 of %s", money_text(e, total, m->total, m->currency));
}

static void swlo_budget_share(struct wu_eval *e)
{
	const struct wu_fmoney *m = budget(e->p);
	int64_t pct = param(e, "min_pct");
	if (!budget_usable(e, m) || share_at_least(m->swlo, m->total, pct))
		return;
	char share[16], swlo[48], total[48];
	fail(e);
	add_ids(e, &e->p->budget_ids);
	message(e, "sex worker-led organisations receive %s of the budget", pct_text(share, m->swlo, m->total));
	expected(e, ">= %lld%%", (long long)pct);
	actual(e, "%s (%s of %s)", share, money_text(e, swlo, m->swlo, m->currency),
	       money_text(e, total, m->total, m->currency));
}

static void kt_budget(struct wu_eval *e)
{
	const struct wu_fmoney *m = budget(e->p);
	if (!budget_usable(e, m) || m->kt > 0)
		return;
	fail(e);
	add_id(e, e->p->id);
	message(e, "no budget line is set aside for knowledge translation");
	expected(e, "a budget line with category kt");
	actual(e, "none among %zu lines", m->lines);
}

static void kt_swlo_share(struct wu_eval *e)
{
	const struct wu_fmoney *m = budget(e->p);
	if (!budget_usable(e, m))
		return;
	if (!m->kt) {
		na(e);
		return;
	}
	int64_t pct = param(e, "min_pct");
	if (share_at_least(m->kt_swlo, m->kt, pct))
		return;
	char share[16], kt[48];
	fail(e);
	add_ids(e, &e->p->budget_ids);
	message(e, "sex worker-led organisations receive %s of the knowledge-translation budget",
		pct_text(share, m->kt_swlo, m->kt));
	expected(e, ">= %lld%% of the KT budget", (long long)pct);
	actual(e, "%s of %s", share, money_text(e, kt, m->kt, m->currency));
}

static void swlo_direct_funding(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!p->swlo_partners.n) {
		na(e);
		return;
	}
	bool unknown = false;
	for (size_t i = 0; i < p->swlo_partners.n; i++) {
		const struct wu_fpartner *sp = &p->swlo_partners.v[i];
		if (sp->co_applicant == 1 || sp->direct_awardee == 1)
			return;
		if (sp->co_applicant < 0 && sp->direct_awardee < 0)
			unknown = true;
		add_id(e, sp->id);
	}
	if (unknown) {
		insufficient(e, "whether the sex worker-led partner is a co-applicant or direct awardee is not recorded",
			     "record it: withus partnership edit PARTNERSHIP --co-applicant true|false --direct-awardee true|false");
		return;
	}
	fail(e);
	message(e, "no sex worker-led partner is a co-applicant or receives funds directly from the funder");
	expected(e, "co_applicant or direct_awardee");
	actual(e, "neither");
}

static void intermediary(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!p->via_intermediary.n) {
		if (!budget(p)->swlo)
			na(e);
		return;
	}
	fail(e);
	add_ids(e, &p->via_intermediary);
	message(e, "%zu budget line(s) for sex worker-led organisations pass through an intermediary that is not sex worker-led",
		p->via_intermediary.n);
	expected(e, "money paid to the organisation directly, or through a sex worker-led intermediary");
	actual(e, "%zu routed through another organisation", p->via_intermediary.n);
}

static void swlo_overhead(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!budget(p)->swlo) {
		na(e);
		return;
	}
	if (p->swlo_overhead_line)
		return;
	fail(e);
	add_ids(e, &p->budget_ids);
	message(e, "the budget for sex worker-led organisations covers no overhead or indirect costs");
	expected(e, "an overhead line for each sex worker-led recipient");
	actual(e, "none");
}

static int cmp_lag(const void *a, const void *b)
{
	const struct wu_flag *x = a, *y = b;
	return (x->days > y->days) - (x->days < y->days);
}

/* Returns false (having reported why) when lags cannot be judged. */
static bool lags_known(struct wu_eval *e, bool report)
{
	const struct wu_fproject *p = e->p;
	if (!p->swlo_disbursements) {
		if (!report || !budget(p)->swlo)
			na(e);
		else
			insufficient(e, "no payment to a sex worker-led organisation is recorded",
				     "record each payment as it is made: withus transaction add --project P --kind disbursement --receiver ORG --date D --invoice-date D ...");
		return false;
	}
	if (!p->lags.n) {
		if (report) {
			insufficient(e, "no payment records when the work was done or invoiced",
				     "record --activity-date or --invoice-date on each payment");
			add_ids(e, &p->undated_payments);
		} else {
			na(e);
		}
		return false;
	}
	return true;
}

static void payment_lag_median(struct wu_eval *e)
{
	if (!lags_known(e, true))
		return;
	const struct wu_fproject *p = e->p;
	struct wu_flag *sorted = malloc(p->lags.n * sizeof *sorted);
	if (!sorted) {
		e->nomem = true;
		return;
	}
	memcpy(sorted, p->lags.v, p->lags.n * sizeof *sorted);
	qsort(sorted, p->lags.n, sizeof *sorted, cmp_lag);
	size_t n = p->lags.n;
	int64_t median = n % 2 ? sorted[n / 2].days : (sorted[n / 2 - 1].days + sorted[n / 2].days) / 2;
	free(sorted);
	int64_t max_days = param(e, "max_days");
	if (median <= max_days)
		return;
	fail(e);
	for (size_t i = 0; i < n; i++)
		add_id(e, p->lags.v[i].id);
	message(e, "sex worker-led organisations wait a median of %lld days to be paid", (long long)median);
	expected(e, "median <= %lld days from the work or invoice to payment", (long long)max_days);
	actual(e, "%lld days over %zu payments", (long long)median, n);
}

static void payment_lag_max(struct wu_eval *e)
{
	if (!lags_known(e, false))
		return;
	int64_t max_days = param(e, "max_days"), worst = 0;
	for (size_t i = 0; i < e->p->lags.n; i++)
		if (e->p->lags.v[i].days > max_days) {
			add_id(e, e->p->lags.v[i].id);
			if (e->p->lags.v[i].days > worst)
				worst = e->p->lags.v[i].days;
		}
	if (!e->records.n)
		return;
	fail(e);
	message(e, "%zu payment(s) to sex worker-led organisations took longer than %lld days", e->records.n,
		(long long)max_days);
	expected(e, "every payment within %lld days", (long long)max_days);
	actual(e, "longest %lld days", (long long)worst);
}

/* The academic rate a community rate is compared with: the same role,
 * unit and currency if recorded, else the lowest academic rate in the
 * same unit and currency (the most junior academic post). */
static const struct wu_frate *comparable_rate(const struct wu_fproject *p, const struct wu_frate *c)
{
	const struct wu_frate *best = NULL;
	for (size_t i = 0; i < p->rates.n; i++) {
		const struct wu_frate *a = &p->rates.v[i];
		if (a->party != 1 || a->unit != c->unit || strcmp(a->currency, c->currency))
			continue;
		if (a->role == c->role)
			return a;
		if (!best || a->amount < best->amount)
			best = a;
	}
	return best;
}

static void pay_parity(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	int64_t pct = param(e, "min_pct");
	size_t community = 0, compared = 0;
	const struct wu_frate *worst_c = NULL, *worst_a = NULL;
	for (size_t i = 0; i < p->rates.n; i++) {
		const struct wu_frate *c = &p->rates.v[i];
		if (c->party != 0)
			continue;
		community++;
		const struct wu_frate *a = comparable_rate(p, c);
		if (!a)
			continue;
		compared++;
		if (share_at_least(c->amount, a->amount, pct))
			continue;
		add_id(e, c->id);
		if (!worst_c || (__int128)c->amount * worst_a->amount < (__int128)worst_c->amount * a->amount) {
			worst_c = c;
			worst_a = a;
		}
	}
	if (!community) {
		if (p->swlo_partners.n || p->peer_roles)
			insufficient(e, "no community pay rate is recorded",
				     "record what community and academic roles are paid: withus payrate add --project P --party community|academic --role ROLE --unit day --amount A --currency CUR");
		else
			na(e);
		return;
	}
	if (!compared) {
		insufficient(e, "no academic rate in the same unit and currency to compare the community rates with",
			     "record the academic rate for an equivalent role: withus payrate add --project P --party academic ...");
		return;
	}
	if (!e->records.n)
		return;
	char share[16], ca[48], aa[48];
	fail(e);
	add_id(e, worst_a->id);
	message(e, "community roles are paid %s of the comparable academic rate", pct_text(share, worst_c->amount, worst_a->amount));
	expected(e, ">= %lld%% of the academic rate in the same unit", (long long)pct);
	actual(e, "%s against %s per %s", money_text(e, ca, worst_c->amount, worst_c->currency),
	       money_text(e, aa, worst_a->amount, worst_a->currency),
	       wu_field_find(wu_type_find("payrate"), "unit")->values[worst_c->unit]);
}

static void committed_disbursed(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	const struct wu_fmoney *m = budget(p);
	if (!m->swlo_committed || m->mixed) {
		na(e);
		return;
	}
	const char *end = p->actual_end[0] ? p->actual_end : p->planned_end[0] ? p->planned_end : NULL;
	if (!end) {
		insufficient(e, "the project's end date is not recorded, so undisbursed commitments cannot be judged",
			     "record it: withus project edit P --planned-end DATE (or --actual-end)");
		return;
	}
	if (e->today <= wu__date_days(end))
		return; /* not yet due */
	if (p->swlo_disbursements && (p->disbursed_mixed || strcmp(p->disbursed_currency, m->currency))) {
		insufficient(e, "payments are in a different currency from the commitments", "record payments in the budget's currency");
		return;
	}
	if (p->swlo_disbursed >= m->swlo_committed)
		return;
	char c[48], d[48];
	fail(e);
	add_ids(e, &p->budget_ids);
	message(e, "money committed to sex worker-led organisations was not all disbursed by the end date (%s)", end);
	expected(e, "%s disbursed", money_text(e, c, m->swlo_committed, m->currency));
	actual(e, "%s disbursed", money_text(e, d, p->swlo_disbursed, m->currency));
}

static void no_match_required(struct wu_eval *e)
{
	const struct wu_fproject *p = e->p;
	if (!p->match_required.n) {
		if (!budget(p)->swlo)
			na(e);
		return;
	}
	fail(e);
	add_ids(e, &p->match_required);
	message(e, "a sex worker-led organisation is asked to bring a cash or in-kind match");
	expected(e, "match_required = false on every line for a sex worker-led organisation");
	actual(e, "%zu line(s) demand a match", p->match_required.n);
}

/* ---- the catalogue ---------------------------------------------------------------- */

#define PHASE(i) (1u << (i))
#define PARAMS(name, ...) static const wu_param name[] = { __VA_ARGS__ }
#define NPARAMS(name) name, sizeof name / sizeof name[0]
#define NOPARAMS NULL, 0

PARAMS(p_breadth,
       { "min_level", WU_P_LEVEL, WU_LV_COLLABORATE, "IAP2 spectrum and Arnstein's ladder: collaborate and above share power", 0,
	 "the level that counts as shared power" },
       { "min_phases", WU_P_COUNT, 4, "judgement: half of the eight research phases", 1,
	 "how many phases must reach that level" });
PARAMS(p_floor,
       { "min_level", WU_P_LEVEL, WU_LV_INVOLVE, "judgement: below involve is one-way (inform, consult)", 1,
	 "the lowest acceptable level in any listed phase" },
       { "phases", WU_P_PHASES,
	 PHASE(WU_PH_IDENTIFYING) | PHASE(WU_PH_COMMISSIONING) | PHASE(WU_PH_DESIGN) | PHASE(WU_PH_UNDERTAKING) |
		 PHASE(WU_PH_ANALYSIS) | PHASE(WU_PH_DISSEMINATION) | PHASE(WU_PH_GOVERNANCE),
	 "judgement: every phase of the INVOLVE/NIHR cycle plus governance; evaluation is left out because it often follows the project", 1,
	 "the phases checked" });
PARAMS(p_early,
       { "min_level", WU_P_LEVEL, WU_LV_COLLABORATE, "RULES: engaged before the funding application, at collaborate or above", 1,
	 "the level in identifying or commissioning that counts" });
PARAMS(p_seats,
       { "min_pct", WU_P_PERCENT, 50, "judgement, from the Red Umbrella Fund's 60% decision-making test", 1,
	 "share of voting seats nominated by sex worker-led organisations" });
PARAMS(p_token,
       { "min_pct", WU_P_PERCENT, 25, "judgement, from Arnstein's 'placation' rung: a few seats without power", 1,
	 "below this share the body is token representation" });
PARAMS(p_corroborated,
       { "min_pct", WU_P_PERCENT, 80, "judgement; CERA (Elwood et al. 2019) found partners and investigators often disagree about the partners' role", 1,
	 "share of involvement claims recorded by the organisation itself or jointly" });
PARAMS(p_confirmed,
       { "min_pct", WU_P_PERCENT, 80, "judgement, as claims-corroborated: claims the organisation has confirmed are the strongest evidence", 1,
	 "share of claims about sex worker-led partners that they have confirmed" });
PARAMS(p_review,
       { "min_days", WU_P_DAYS, 14, "judgement; SWOP-USA asks for community vetting of research", 1,
	 "days between sending a draft for community review and submitting it" });
PARAMS(p_returned,
       { "max_days", WU_P_DAYS, 90, "judgement; TRUST Code: findings fed back to communities", 1,
	 "days after the first academic output by which accessible findings are returned" });
PARAMS(p_questions,
       { "min_count", WU_P_COUNT, 1, "judgement", 1, "research questions originated by sex worker-led partners" });
PARAMS(p_share,
       { "min_pct", WU_P_PERCENT, 30, "Cain et al. 2014, Clin Transl Sci 7:141: community partners received 30% of the funds of 49 NIH participatory grants on average, used as a floor", 0,
	 "share of the budget for sex worker-led organisations" });
PARAMS(p_kt_share,
       { "min_pct", WU_P_PERCENT, 50, "judgement: no published standard for the KT share", 1,
	 "share of the knowledge-translation budget for sex worker-led organisations" });
PARAMS(p_median,
       { "max_days", WU_P_DAYS, 30, "judgement; PCORI Foundational Expectations: partners compensated in a timely manner", 1,
	 "median days from the work or invoice to payment" });
PARAMS(p_max,
       { "max_days", WU_P_DAYS, 60, "judgement; PCORI (timely) and NIHR (nobody left out of pocket)", 1,
	 "the longest acceptable wait for one payment" });
PARAMS(p_parity,
       { "min_pct", WU_P_PERCENT, 90, "judgement; PCORI and NIHR: rates comparable with professionals in similar roles", 1,
	 "community rate as a share of the comparable academic rate" });

#define RULE(id, rec, sev, title, needs, cond, why, how, params, fn) \
	{ { id, rec, sev, title, needs, cond, why, how, params }, fn }

struct rule_def {
	wu_rule rule; /* first: a wu_rule pointer is a rule_def pointer */
	void (*eval)(struct wu_eval *e);
};

static const struct rule_def catalogue[] = {
	/* 1 */
	RULE("site-legal-model", 1, WU_SEV_WARNING, "Each study site records how the law treats sex work",
	     "site.legal_model", "every site has a legal model other than unknown",
	     "Whether sex work is criminalised where the study runs decides what the team must do to keep participants safe, and whether its outputs should argue for decriminalisation.",
	     "Record the legal model of each site (full, partial or client criminalisation, regulation, decriminalisation).",
	     NOPARAMS, site_legal_model),
	RULE("decrim-stance", 1, WU_SEV_WARNING, "The project publicly supports decriminalisation",
	     "project.decrim_stance", "decrim_stance is public-support",
	     "Researchers are asked to join the call for decriminalising all aspects of sex work; a stance held privately does not add a voice to that call.",
	     "Agree a public statement with the sex worker-led partners and record decrim_stance = public-support.",
	     NOPARAMS, decrim_stance),
	RULE("output-stance", 1, WU_SEV_WARNING, "Policy-relevant outputs record their stance on criminalisation",
	     "output.stance", "every output other than a dataset records a stance",
	     "Outputs are how research reaches policy; knowing which ones argue for or against criminalisation lets partners and funders see where the project's voice goes.",
	     "Record the stance of each output (supports-decriminalisation, neutral, criminalisation-recommended, not-applicable).",
	     NOPARAMS, output_stance),
	RULE("output-criminalisation", 1, WU_SEV_ERROR, "No output recommends criminalising any party",
	     "output.stance", "no output has stance criminalisation-recommended",
	     "The evidence links criminalisation of sex workers, clients or third parties to violence, poorer health and less access to justice; recommending it works against the brief.",
	     "Review the output with the sex worker-led partners; withus flags it and blocks nothing.",
	     NOPARAMS, output_criminalisation),
	RULE("data-protection-plan", 1, WU_SEV_ERROR, "A data-protection plan exists where sex work is criminalised",
	     "site.legal_model, project.dp_plan", "dp_plan is true when any site is not decriminalised",
	     "Where sex work is an offence, research records can expose participants to arrest, eviction or deportation.",
	     "Write a data-protection plan with the sex worker-led partners before collecting data, and record dp_plan = true.",
	     NOPARAMS, data_protection_plan),
	RULE("law-enforcement-policy", 1, WU_SEV_ERROR, "The plan says how police requests for data are refused",
	     "site.legal_model, project.le_request_policy", "le_request_policy is true when any site is not decriminalised",
	     "A plan that does not say what happens when police or immigration officers ask for data leaves the decision to whoever is asked on the day.",
	     "Add a law-enforcement request policy to the plan (who decides, minimum data held, legal support) and record le_request_policy = true.",
	     NOPARAMS, law_enforcement_policy),
	RULE("confidentiality-certificate", 1, WU_SEV_INFO, "A certificate of confidentiality protects the data",
	     "site.legal_model, project.cert_confidentiality", "cert_confidentiality is true when any site is not decriminalised",
	     "Where the law allows it, a certificate of confidentiality (or local equivalent) lets the team refuse compelled disclosure.",
	     "Apply for a certificate of confidentiality or the local equivalent, and record it.",
	     NOPARAMS, confidentiality_certificate),
	RULE("no-police-recruitment", 1, WU_SEV_ERROR, "Police take no part in recruitment",
	     "project.police_in_recruitment", "police_in_recruitment is false",
	     "Recruiting through police links the study to enforcement, endangers participants and destroys trust.",
	     "Recruit through sex worker-led organisations and peers; record police_in_recruitment = false once that is so.",
	     NOPARAMS, no_police_recruitment),
	RULE("no-police-data-sharing", 1, WU_SEV_ERROR, "No data are shared with police",
	     "project.data_shared_with_police", "data_shared_with_police is false",
	     "Data given to police can be used against the people who trusted the study.",
	     "Stop sharing, tell the partners, and review the data-protection plan.",
	     NOPARAMS, no_police_data),
	/* 2 */
	RULE("swlo-partner", 2, WU_SEV_ERROR, "A sex worker-led organisation is a partner",
	     "partnership, org.swl_self_declared or org.swl_*_pct", "at least one partner is sex worker-led",
	     "Collaboration starts with sex worker-led organisations at the table; outreach services or academics speaking for sex workers are not the same.",
	     "Invite a sex worker-led organisation to partner from the start, on agreed terms, and record the partnership.",
	     NOPARAMS, swlo_partner),
	RULE("swlo-status-evidenced", 2, WU_SEV_WARNING, "Organisations recorded as sex worker-led declare it or meet the test",
	     "org.kind, org.swl_self_declared, org.swl_board_pct, org.swl_spokes_pct, org.swl_staff_pct",
	     "a partner of kind sex-worker-led is self-declared or meets the 60/60/33 test",
	     "Community-based is not community-led (SWIT). The Red Umbrella Fund counts an organisation as sex worker-led when at least 60% of its decision-making body and of its spokespeople, and 33% of its staff, are sex workers.",
	     "Ask the organisation: record swl_self_declared, or the three shares, as it reports them.",
	     NOPARAMS, swlo_status_evidenced),
	RULE("involvement-breadth", 2, WU_SEV_WARNING, "Sex worker-led partners share power across the research",
	     "involvement", "collaborate or higher in at least 4 phases",
	     "Involvement limited to one or two phases leaves design, analysis and the use of findings to others.",
	     "Agree with the partner how it will share decisions in more phases, resource it, and record each phase.",
	     NPARAMS(p_breadth), involvement_breadth),
	RULE("involvement-floor", 2, WU_SEV_WARNING, "No phase leaves sex worker-led partners out",
	     "involvement", "at least involve in every listed phase, analysis included",
	     "In NIH participatory projects a quarter of community partners had no role in analysis (CERA); the phase that decides what the data mean is often the one left out.",
	     "Involve the partner in each listed phase (analysis and governance too) and record it.",
	     NPARAMS(p_floor), involvement_floor),
	RULE("recruitment-only", 2, WU_SEV_WARNING, "Sex worker-led partners are not confined to recruitment",
	     "partnership.research_roles, involvement", "no SWLO partner's only role is recruitment, and involvement is not limited to data collection",
	     "Using a community organisation to reach participants, and nothing more, is the failure SWIT and sex worker organisations name most often.",
	     "Give the partner a part in design, analysis, dissemination and governance, with the budget to match.",
	     NOPARAMS, recruitment_only),
	RULE("early-engagement", 2, WU_SEV_WARNING, "Sex worker-led partners shape the project before funding",
	     "involvement (identifying, commissioning)", "collaborate or higher in identifying or commissioning",
	     "Questions and budgets are fixed when the application is written; engagement after funding can only adjust them.",
	     "Engage partners when identifying the questions and writing the application; for the next project, budget for that time.",
	     NPARAMS(p_early), early_engagement),
	RULE("written-agreement", 2, WU_SEV_ERROR, "A written agreement is signed before data collection",
	     "partnership.agreement_signed, involvement.start_date (undertaking) or project dates",
	     "every SWLO partnership has an agreement signed on or before data collection starts",
	     "Formal agreements are associated with better power-sharing (Engage for Equity); without one, roles and money rest on goodwill.",
	     "Sign a written agreement with each sex worker-led partner before collecting data, and record its date.",
	     NOPARAMS, written_agreement),
	RULE("agreement-coverage", 2, WU_SEV_WARNING, "The agreement covers roles, decisions, data, publication and budget",
	     "partnership.agreement_covers", "each signed SWLO agreement covers roles, decision-making, data-ownership, publication-review and budget",
	     "Disputes in community research arise over who decides, who owns the data, who reviews publications and who is paid; an agreement silent on these does not prevent them.",
	     "Amend the agreement to cover the missing terms and record them.",
	     NOPARAMS, agreement_coverage),
	RULE("body-swlo-seats", 2, WU_SEV_WARNING, "Advisory and governance bodies give SWLOs half the votes",
	     "body.seats, body.swlo_seats", "at least 50% of each body's voting seats nominated by SWLOs",
	     "Advisory boards are where direction is set; sex worker organisations report boards that were neglected or outvoted.",
	     "Give sex worker-led organisations the right to nominate at least half of the voting seats.",
	     NPARAMS(p_seats), body_swlo_seats),
	RULE("body-tokenism", 2, WU_SEV_ERROR, "No body has token sex worker representation",
	     "body.seats, body.swlo_seats", "no body below 25% SWLO-nominated seats",
	     "A seat or two among many is placation on Arnstein's ladder: presence without power.",
	     "Restructure the body, or stop presenting it as community governance.",
	     NPARAMS(p_token), body_tokenism),
	RULE("intersecting-partners", 2, WU_SEV_WARNING, "Each marginalised group studied has its own community-led partner",
	     "project.populations, org.represents (community-led partners)", "a community-led partner for every group studied besides sex workers",
	     "Migrant, trans, drug-using, Indigenous and racialised sex workers face added criminalisation; their own organisations know what the research must avoid.",
	     "Partner with a community-led organisation of each group the study includes.",
	     NOPARAMS, intersecting_partners),
	RULE("claims-corroborated", 2, WU_SEV_WARNING, "Involvement claims are recorded by the organisation or jointly",
	     "involvement.recorded_by", "at least 80% of SWLO involvement claims recorded by the organisation or jointly",
	     "Investigators and community partners often describe the partners' role differently (CERA); claims the organisation has not seen are weaker evidence.",
	     "Review the involvement records with the organisation and record them jointly.",
	     NPARAMS(p_corroborated), claims_corroborated),
	RULE("claims-confirmed", 2, WU_SEV_WARNING, "Sex worker-led partners confirm the claims about them",
	     "attestation (by the organisation) of partnership, involvement, budget, disbursement and contribution claims",
	     "at least 80% of the claims naming SWLOs confirmed by them, on the current version",
	     "A team's account of a partnership is one side of it; the organisation's confirmation is what lets funders and the community trust the record.",
	     "Share the claims with the organisation and ask it to review each one (withus audit ORG; withus attest CLAIM STATUS); settle what it disputes or partly confirms.",
	     NPARAMS(p_confirmed), claims_confirmed),
	/* 3 */
	RULE("no-disputed-claims", 3, WU_SEV_ERROR, "No claim is disputed by the organisation it names",
	     "attestation.status", "no claim's newest attestation by the organisation it names is a dispute",
	     "Sex workers are the experts on their own involvement: when their organisation disputes a claim, its account stands until the organisation itself confirms a corrected one.",
	     "Talk with the organisation, correct the claim (withus edit) or record its view, and ask it to attest the claim again.",
	     NOPARAMS, no_disputed_claims),
	RULE("swlo-co-lead", 3, WU_SEV_ERROR, "A sex worker-led organisation co-leads the research",
	     "role (co-lead, co-investigator), partnership.research_roles", "at least one co-lead or co-investigator from a SWLO",
	     "Treating sex workers as experts means sharing the lead, not only asking for advice.",
	     "Create a co-lead or co-investigator role nominated by the sex worker-led partner, paid on the same terms as academic co-investigators.",
	     NOPARAMS, swlo_co_lead),
	RULE("peer-recruitment", 3, WU_SEV_WARNING, "Peer researchers are recruited through the SWLO",
	     "role.recruited_via (peer and community researchers)", "every peer or community researcher post is filled through a SWLO",
	     "Local sex workers passed over for peer-research jobs is a documented reason for organisations withdrawing from studies.",
	     "Fill peer-research posts through the sex worker-led partner.",
	     NOPARAMS, peer_recruitment),
	RULE("coauthorship-offered", 3, WU_SEV_WARNING, "Co-authorship is offered on every output",
	     "output.coauthorship_offered", "coauthorship_offered on every output",
	     "Authorship is how expertise is recognised in research; the TRUST Code includes local partners in authorship.",
	     "Offer co-authorship (named or group author) to the partner organisations on each output.",
	     NOPARAMS, coauthorship_offered),
	RULE("coauthorship-achieved", 3, WU_SEV_WARNING, "Peer-reviewed outputs credit a sex worker-led organisation",
	     "output.peer_reviewed, contribution", "each peer-reviewed output has a contribution from a SWLO",
	     "An offer that never becomes a credit leaves the community's work invisible in the record that counts most.",
	     "Record the SWLO's CRediT contributions; where it wishes, list it as a group author.",
	     NOPARAMS, coauthorship_achieved),
	RULE("review-window", 3, WU_SEV_WARNING, "The community reviews outputs before submission",
	     "output.review_sent, output.submitted", "at least 14 days between review_sent and submitted",
	     "Review by the community catches harm and error that ethics committees miss; it needs time to happen.",
	     "Send drafts to the partners for review at least the set number of days before submitting.",
	     NPARAMS(p_review), review_window),
	RULE("findings-returned", 3, WU_SEV_WARNING, "Findings go back to the community promptly",
	     "output.published (paper, report), output.returned_to_community", "accessible findings returned within 90 days of the first academic output",
	     "Findings not shared back are a documented failure; communities should not read about themselves in journals first.",
	     "Produce an accessible summary with the partners and record when it went back.",
	     NPARAMS(p_returned), findings_returned),
	RULE("questions-originated", 3, WU_SEV_WARNING, "Sex worker-led partners originate research questions",
	     "partnership.questions_originated", "at least one research question from a SWLO partner",
	     "Building on community knowledge starts with asking the questions the community asks.",
	     "Set the questions with the partners and record how many they originated.",
	     NPARAMS(p_questions), questions_originated),
	/* 4 */
	RULE("swlo-funded", 4, WU_SEV_ERROR, "Sex worker-led organisations receive part of the budget",
	     "budget (recipient, amount)", "the SWLO share of the budget is above 0%",
	     "Less than 1% of human-rights funding reached sex workers in 2017; unpaid involvement asks the least-resourced organisations to subsidise research.",
	     "Budget for the partner's time, staff and costs, and record the lines.",
	     NOPARAMS, swlo_funded),
	RULE("swlo-budget-share", 4, WU_SEV_WARNING, "The SWLO share of the budget meets the floor",
	     "budget (recipient, amount, budget_type)", "at least 30% of the budget to SWLOs",
	     "Without money, partnership is unpaid work. Community partners received 30% of funds on average in NIH participatory grants (Cain 2014); that average serves here as a floor.",
	     "Move budget to the sex worker-led partners for the work they do: research posts, KT, capacity.",
	     NPARAMS(p_share), swlo_budget_share),
	RULE("kt-budget", 4, WU_SEV_WARNING, "Knowledge translation has its own budget",
	     "budget.category", "a budget line with category kt",
	     "Integrated knowledge translation is part of the research, not something done later if money is left.",
	     "Add a knowledge-translation budget line.",
	     NOPARAMS, kt_budget),
	RULE("kt-swlo-share", 4, WU_SEV_WARNING, "Most of the KT budget goes to SWLOs",
	     "budget (category kt, recipient)", "at least 50% of the KT budget to SWLOs",
	     "Sex worker-led organisations are the ones who carry findings into communities and advocacy; the KT money should follow the work.",
	     "Allocate the KT budget to the sex worker-led partners.",
	     NPARAMS(p_kt_share), kt_swlo_share),
	RULE("swlo-direct-funding", 4, WU_SEV_WARNING, "A SWLO is a co-applicant or direct awardee",
	     "partnership.co_applicant, partnership.direct_awardee", "a SWLO partner is co-applicant or paid directly by the funder",
	     "Money that arrives through the academic institution arrives late, on the institution's terms, and can be withheld.",
	     "Make the partner a co-applicant, or ask the funder to pay it directly.",
	     NOPARAMS, swlo_direct_funding),
	RULE("intermediary", 4, WU_SEV_WARNING, "SWLO money is not routed through another organisation",
	     "budget.via_org", "no SWLO budget line passes through an intermediary that is not sex worker-led",
	     "Intermediaries take a share, add delay and decide on the community's behalf.",
	     "Pay the organisation directly, or through a sex worker-led intermediary it chooses.",
	     NOPARAMS, intermediary),
	RULE("swlo-overhead", 4, WU_SEV_INFO, "The SWLO budget covers overhead",
	     "budget (category overhead, recipient)", "an overhead line for SWLO recipients",
	     "Community partners received only 7% of indirect costs in NIH participatory grants (Cain 2014); organisations that carry research without overhead pay for it out of their core work.",
	     "Add an overhead or indirect-cost line for the sex worker-led partner.",
	     NOPARAMS, swlo_overhead),
	RULE("payment-lag-median", 4, WU_SEV_WARNING, "SWLOs are paid promptly",
	     "transaction (disbursement to a SWLO: date, activity_date or invoice_date)", "median lag at most 30 days",
	     "Late payment shifts the cost of research onto organisations and people with the least money (PCORI: timely compensation).",
	     "Agree a payment schedule before the work starts and pay invoices within the set time.",
	     NPARAMS(p_median), payment_lag_median),
	RULE("payment-lag-max", 4, WU_SEV_WARNING, "No SWLO payment is very late",
	     "transaction (disbursement to a SWLO: date, activity_date or invoice_date)", "no payment later than 60 days",
	     "One long delay can leave peer workers out of pocket, which NIHR guidance says must never happen.",
	     "Find out why the payment was late and fix the process that delayed it.",
	     NPARAMS(p_max), payment_lag_max),
	RULE("pay-parity", 4, WU_SEV_WARNING, "Community roles are paid like comparable academic roles",
	     "payrate (community and academic, same unit and currency)", "community rate at least 90% of the comparable academic rate",
	     "PCORI and NIHR expect partners to be paid at rates comparable with professionals in similar roles; lower rates for the same work say whose expertise counts.",
	     "Raise community rates to the academic rate for equivalent work.",
	     NPARAMS(p_parity), pay_parity),
	RULE("committed-disbursed", 4, WU_SEV_WARNING, "Money committed to SWLOs is paid by the end date",
	     "budget (status committed), transaction (disbursement), project end date", "SWLO disbursements reach SWLO commitments by the end of the project",
	     "A commitment that is never paid is a promise broken to the partner and misreported to the funder.",
	     "Pay what was committed, or revise the budget with the partner's agreement and record it.",
	     NOPARAMS, committed_disbursed),
	RULE("no-match-required", 4, WU_SEV_WARNING, "SWLOs are not asked for a match",
	     "budget.match_required", "no SWLO budget line requires a cash or in-kind match",
	     "Asking under-funded organisations to match funds excludes the ones most needed.",
	     "Remove the match requirement for sex worker-led partners.",
	     NOPARAMS, no_match_required),
};

size_t wu_rule_count(void)
{
	return sizeof catalogue / sizeof catalogue[0];
}

const wu_rule *wu_rule_at(size_t i)
{
	return i < wu_rule_count() ? &catalogue[i].rule : NULL;
}

const wu_rule *wu_rule_find(const char *id)
{
	for (size_t i = 0; id && i < wu_rule_count(); i++)
		if (!strcmp(catalogue[i].rule.id, id))
			return &catalogue[i].rule;
	return NULL;
}

const wu_param *wu_rule_param(const wu_rule *r, const char *name)
{
	for (size_t i = 0; r && name && i < r->nparams; i++)
		if (!strcmp(r->params[i].name, name))
			return &r->params[i];
	return NULL;
}

size_t wu__rule_index(const wu_rule *r)
{
	return (size_t)((const struct rule_def *)(const void *)r - catalogue);
}

void wu__rule_eval(const wu_rule *r, struct wu_eval *e)
{
	((const struct rule_def *)(const void *)r)->eval(e);
}

const char *wu_severity_name(wu_severity s)
{
	static const char *const names[] = { "info", "warning", "error" };
	return (unsigned)s < 3 ? names[s] : "?";
}

const char *wu_recommendation_title(int rec)
{
	static const char *const titles[] = {
		"Support decriminalising all aspects of sex work",
		"Collaborate with sex worker-led and other community-led organisations",
		"Treat sex workers as experts and build on SWLO knowledge",
		"Fund SWLO involvement, knowledge translation above all",
	};
	return rec >= 1 && rec <= 4 ? titles[rec - 1] : "?";
}

const char *wu_level_name(int level)
{
	const char *const *v = wu_field_find(wu_type_find("involvement"), "level")->values;
	return level >= 0 && level <= WU_LV_LEAD ? v[level] : "?";
}

const char *wu_phase_name(int phase)
{
	const char *const *v = wu_field_find(wu_type_find("involvement"), "phase")->values;
	return phase >= 0 && phase < WU_NPHASES ? v[phase] : "?";
}

int wu_phase_count(void)
{
	return WU_NPHASES;
}
