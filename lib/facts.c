/*
 * facts.c - gathers what the rules need in one scan of each record table.
 *
 * A check over a portfolio of 10,000 projects must not run a query per
 * project or per record: every table is read once, front to back, and each
 * row is filed under its project through an in-memory id map. The cost is
 * one sequential pass over the database plus a hash lookup per row.
 */
#include "config.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "facts.h"

void *wu__vec_push(void *vp, size_t *n, size_t *cap, size_t size)
{
	char *v;
	memcpy(&v, vp, sizeof v);
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		char *nv = realloc(v, ncap * size);
		if (!nv)
			return NULL;
		v = nv;
		*cap = ncap;
		memcpy(vp, &v, sizeof v);
	}
	char *slot = v + *n * size;
	memset(slot, 0, size);
	(*n)++;
	return slot;
}

/* ---- an id -> value map (open addressing, FNV-1a) ---------------------- */

struct idmap {
	wu_id *keys;     /* "" = empty slot */
	int64_t *vals;
	size_t cap, n;   /* cap is a power of two, kept at most half full */
	size_t last[2];  /* the slots of the last two hits, + 1: rows come in runs of one project */
};

static uint64_t hash_id(const char *s)
{
	uint64_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static int idmap_grow(struct idmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	wu_id *keys = calloc(ncap, sizeof *keys);
	int64_t *vals = calloc(ncap, sizeof *vals);
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i][0])
			continue;
		size_t j = hash_id(m->keys[i]) & (ncap - 1);
		while (keys[j][0])
			j = (j + 1) & (ncap - 1);
		memcpy(keys[j], m->keys[i], sizeof keys[j]);
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = ncap;
	m->last[0] = m->last[1] = 0; /* slots moved */
	return 0;
}

static int idmap_put(struct idmap *m, const char *id, int64_t val)
{
	if (strlen(id) >= sizeof(wu_id))
		return 0; /* not an id this database makes; nothing can name it */
	if ((m->n + 1) * 2 > m->cap && idmap_grow(m))
		return -1;
	size_t j = hash_id(id) & (m->cap - 1);
	while (m->keys[j][0] && strcmp(m->keys[j], id))
		j = (j + 1) & (m->cap - 1);
	if (!m->keys[j][0]) {
		memcpy(m->keys[j], id, strlen(id) + 1);
		m->n++;
	}
	m->vals[j] = val;
	return 0;
}

/* Records are mostly written a project at a time, so a table's rows come
 * in runs of the same project (and of its few organisations): the last two
 * hits are tried first, which spares the hash and a probe into a table too
 * large for the CPU's caches at 100,000 projects. */
static bool idmap_get(struct idmap *m, const char *id, int64_t *val)
{
	if (!id || !m->cap)
		return false;
	for (int k = 0; k < 2; k++) {
		size_t at = m->last[k];
		if (at && !strcmp(m->keys[at - 1], id)) {
			*val = m->vals[at - 1];
			return true;
		}
	}
	size_t j = hash_id(id) & (m->cap - 1);
	while (m->keys[j][0]) {
		if (!strcmp(m->keys[j], id)) {
			*val = m->vals[j];
			m->last[1] = m->last[0];
			m->last[0] = j + 1;
			return true;
		}
		j = (j + 1) & (m->cap - 1);
	}
	return false;
}

static void idmap_free(struct idmap *m)
{
	free(m->keys);
	free(m->vals);
}

/* ---- values ------------------------------------------------------------ */

/* Days from civil (H. Hinnant's algorithm): exact for the proleptic Gregorian calendar. */
int64_t wu__date_days(const char *s)
{
	if (!s || !wu__date_valid(s))
		return INT64_MIN;
	int64_t y = strtol(s, NULL, 10);
	unsigned m = (unsigned)strtoul(s + 5, NULL, 10), d = (unsigned)strtoul(s + 8, NULL, 10);
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* The model's value lists the scan maps text to indexes with, looked up
 * once per scan rather than once per row. */
enum {
	V_ORG_KIND,
	V_ORG_REPRESENTS,
	V_PROJECT_DECRIM_STANCE,
	V_PROJECT_POPULATIONS,
	V_SITE_LEGAL_MODEL,
	V_PARTNERSHIP_AGREEMENT_COVERS,
	V_PARTNERSHIP_RESEARCH_ROLES,
	V_INVOLVEMENT_PHASE,
	V_INVOLVEMENT_LEVEL,
	V_INVOLVEMENT_RECORDED_BY,
	V_ROLE_RECRUITED_VIA,
	V_RATE_PARTY,
	V_RATE_ROLE,
	V_RATE_UNIT,
	V_OUTPUT_KIND,
	V_OUTPUT_STANCE,
	V_ATTESTATION_STATUS,
	V_COUNT
};

static const char *const value_fields[V_COUNT][2] = {
	{ "org", "kind" },
	{ "org", "represents" },
	{ "project", "decrim_stance" },
	{ "project", "populations" },
	{ "site", "legal_model" },
	{ "partnership", "agreement_covers" },
	{ "partnership", "research_roles" },
	{ "involvement", "phase" },
	{ "involvement", "level" },
	{ "involvement", "recorded_by" },
	{ "role", "recruited_via" },
	{ "payrate", "party" },
	{ "payrate", "role" },
	{ "payrate", "unit" },
	{ "output", "kind" },
	{ "output", "stance" },
	{ "attestation", "status" },
};

struct scan {
	wu_db *db;
	struct wu_facts *facts;
	struct idmap projects;  /* id -> index in facts->projects */
	struct idmap orgs;      /* id -> ORG_* bits | represents << 8 */
	struct idmap outputs;   /* id -> project index << 32 | output index */
	struct idmap attested;  /* claim id -> project index << 32 | attestation index */
	const char *const *want;
	struct idmap wanted;
	const char *const *values[V_COUNT]; /* the model's value lists */
};

enum { ORG_SWLO = 1, ORG_KIND_SWL = 2, ORG_COMMUNITY_LED = 4 };

static void load_values(struct scan *s)
{
	for (int i = 0; i < V_COUNT; i++)
		s->values[i] = wu_field_find(wu_type_find(value_fields[i][0]), value_fields[i][1])->values;
}

static int index_of(const char *const *v, const char *s, size_t len)
{
	for (int i = 0; v[i]; i++)
		if (strlen(v[i]) == len && !memcmp(v[i], s, len))
			return i;
	return -1;
}

/* The index of text `s` among the values of list `which`, or -1. */
static int value_index(const struct scan *sc, int which, const unsigned char *s)
{
	return s ? index_of(sc->values[which], (const char *)s, strlen((const char *)s)) : -1;
}

/* A set column (a JSON array of model values, which hold no quotes or
 * escapes) as a bit mask of their indexes. */
static unsigned set_mask(const struct scan *sc, int which, const unsigned char *json)
{
	unsigned mask = 0;
	for (const char *p = (const char *)json; p && (p = strchr(p, '"')); ) {
		const char *end = strchr(p + 1, '"');
		if (!end)
			break;
		int i = index_of(sc->values[which], p + 1, (size_t)(end - p - 1));
		if (i >= 0)
			mask |= 1u << i;
		p = end + 1;
	}
	return mask;
}

#define VI(sc, which, text) value_index((sc), (which), (text))
#define SM(sc, which, text) set_mask((sc), (which), (text))

static int8_t tristate(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 : (int8_t)(sqlite3_column_int(st, col) != 0);
}

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
	wu__copy(dst, size, (const char *)sqlite3_column_text(st, col));
}

#define TEXT(col) (sqlite3_column_text(st, (col)))
#define COPY(dst, col) copy_text((dst), sizeof(dst), st, (col))

static int push_id(wu_db *db, wu_idvec *v, const unsigned char *id)
{
	wu_id *slot = WU_PUSH(*v);
	if (!slot)
		return wu__err_nomem(db);
	wu__copy(*slot, sizeof *slot, (const char *)id);
	return WU_OK;
}

static struct wu_fproject *project_of(struct scan *s, sqlite3_stmt *st, int col)
{
	int64_t i;
	if (!idmap_get(&s->projects, (const char *)TEXT(col), &i))
		return NULL;
	return &s->facts->projects[i];
}

static int64_t org_bits(struct scan *s, const unsigned char *id)
{
	int64_t bits = 0;
	idmap_get(&s->orgs, (const char *)id, &bits);
	return bits;
}

static bool is_swlo(struct scan *s, sqlite3_stmt *st, int col)
{
	return (org_bits(s, TEXT(col)) & ORG_SWLO) != 0;
}

/* Adds `amount` to *sum unless that overflows, which is recorded instead. */
static void add_money(int64_t *sum, int64_t amount, bool *overflow)
{
	if (__builtin_add_overflow(*sum, amount, sum))
		*overflow = true;
}

/* Runs `sql` and calls `row` for each row. */
static int each_row(struct scan *s, const char *sql, int (*row)(struct scan *, sqlite3_stmt *))
{
	sqlite3_stmt *st;
	int rc = wu__prepare(s->db, &st, sql);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = row(s, st)) != WU_OK)
			break;
	if (!rc && step != SQLITE_DONE)
		rc = wu__err_sql(s->db, "cannot read the records");
	sqlite3_finalize(st);
	return rc;
}

/* ---- one function per table -------------------------------------------------- */

/* Column 3 is the sex worker-led test (WU_SQL_SWLO). */
static int org_row(struct scan *s, sqlite3_stmt *st)
{
	int kind = VI(s, V_ORG_KIND, TEXT(1));
	int64_t bits = (int64_t)SM(s, V_ORG_REPRESENTS, TEXT(2)) << 8;
	if (sqlite3_column_int(st, 3))
		bits |= ORG_SWLO;
	if (kind == 0)
		bits |= ORG_KIND_SWL;
	if (kind == 0 || kind == 1)
		bits |= ORG_COMMUNITY_LED;
	return idmap_put(&s->orgs, (const char *)TEXT(0), bits) ? wu__err_nomem(s->db) : WU_OK;
}

static bool wanted(struct scan *s, const unsigned char *id)
{
	int64_t unused;
	return !s->want || idmap_get(&s->wanted, (const char *)id, &unused);
}

static int project_row(struct scan *s, sqlite3_stmt *st)
{
	if (!wanted(s, TEXT(0)))
		return WU_OK;
	struct wu_facts *f = s->facts;
	struct wu_fproject *p = wu__vec_push(&f->projects, &f->nprojects, &f->cap, sizeof *p);
	if (!p)
		return wu__err_nomem(s->db);
	COPY(p->id, 0);
	p->title = strdup((const char *)TEXT(1));
	if (!p->title || idmap_put(&s->projects, p->id, (int64_t)(f->nprojects - 1)))
		return wu__err_nomem(s->db);
	p->stance = VI(s, V_PROJECT_DECRIM_STANCE, TEXT(2));
	p->dp_plan = tristate(st, 3);
	p->le_policy = tristate(st, 4);
	p->certificate = tristate(st, 5);
	p->police_recruit = tristate(st, 6);
	p->police_data = tristate(st, 7);
	COPY(p->planned_start, 8);
	COPY(p->planned_end, 9);
	COPY(p->actual_start, 10);
	COPY(p->actual_end, 11);
	p->populations_recorded = sqlite3_column_type(st, 12) != SQLITE_NULL;
	p->populations = SM(s, V_PROJECT_POPULATIONS, TEXT(12));
	for (int i = 0; i < WU_NPHASES; i++)
		p->swlo_level[i] = -1;
	return WU_OK;
}

static int site_row(struct scan *s, sqlite3_stmt *st)
{
	struct wu_fproject *p = project_of(s, st, 1);
	if (!p)
		return WU_OK;
	int model = VI(s, V_SITE_LEGAL_MODEL, TEXT(2));
	p->sites++;
	if (model != WU_LEGAL_DECRIM)
		p->sites_not_decrim++;
	int rc = push_id(s->db, &p->site_ids, TEXT(0));
	if (!rc && (model < 0 || model == WU_LEGAL_UNKNOWN))
		rc = push_id(s->db, &p->sites_unknown, TEXT(0));
	return rc;
}

static int partnership_row(struct scan *s, sqlite3_stmt *st)
{
	struct wu_fproject *p = project_of(s, st, 1);
	if (!p)
		return WU_OK;
	int64_t bits = org_bits(s, TEXT(2));
	p->partners++;
	if (bits & ORG_COMMUNITY_LED)
		p->community_represents |= (unsigned)(bits >> 8);
	if ((bits & ORG_KIND_SWL) && !(bits & ORG_SWLO) && push_id(s->db, &p->unevidenced_orgs, TEXT(2)))
		return WU_ENOMEM;
	if (!(bits & ORG_SWLO))
		return WU_OK;
	p->swlo_claims++;
	struct wu_fpartner *sp = WU_PUSH(p->swlo_partners);
	if (!sp)
		return wu__err_nomem(s->db);
	COPY(sp->id, 0);
	COPY(sp->signed_on, 3);
	sp->covers = SM(s, V_PARTNERSHIP_AGREEMENT_COVERS, TEXT(4));
	sp->roles = SM(s, V_PARTNERSHIP_RESEARCH_ROLES, TEXT(5));
	sp->co_applicant = tristate(st, 6);
	sp->direct_awardee = tristate(st, 7);
	sp->questions = sqlite3_column_type(st, 8) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 8);
	return WU_OK;
}

static int involvement_row(struct scan *s, sqlite3_stmt *st)
{
	struct wu_fproject *p = project_of(s, st, 1);
	if (!p)
		return WU_OK;
	int phase = VI(s, V_INVOLVEMENT_PHASE, TEXT(3));
	if (phase == WU_PH_UNDERTAKING && TEXT(5) &&
	    (!p->collection_start[0] || strcmp((const char *)TEXT(5), p->collection_start) < 0))
		COPY(p->collection_start, 5);
	if (!is_swlo(s, st, 2) || phase < 0)
		return WU_OK;
	int level = VI(s, V_INVOLVEMENT_LEVEL, TEXT(4));
	p->swlo_claims++;
	if (level >= 0)
		p->swlo_inv_count[phase][level]++;
	if (level > p->swlo_level[phase])
		p->swlo_level[phase] = level;
	int rc = push_id(s->db, &p->swlo_involvement, TEXT(0));
	int by = VI(s, V_INVOLVEMENT_RECORDED_BY, TEXT(6));
	if (!rc && by != 0 && by != 2) /* neither the organisation itself nor jointly */
		rc = push_id(s->db, &p->uncorroborated, TEXT(0));
	return rc;
}

static int body_row(struct scan *s, sqlite3_stmt *st)
{
	struct wu_fproject *p = project_of(s, st, 1);
	if (!p)
		return WU_OK;
	struct wu_fbody *b = WU_PUSH(p->bodies);
	if (!b)
		return wu__err_nomem(s->db);
	COPY(b->id, 0);
	b->seats = sqlite3_column_int64(st, 2);
	b->swlo_seats = sqlite3_column_int64(st, 3);
	return WU_OK;
}

static int role_row(struct scan *s, sqlite3_stmt *st)
{
	struct wu_fproject *p = project_of(s, st, 1);
	if (!p)
		return WU_OK;
	const char *role = (const char *)TEXT(2);
	int via = VI(s, V_ROLE_RECRUITED_VIA, TEXT(4));
	bool from_swlo = is_swlo(s, st, 3);
	if (!strcmp(role, "co-lead") || !strcmp(role, "co-investigator")) {
		if (from_swlo)
			p->swlo_lead_roles++;
		return WU_OK;
	}
	if (strcmp(role, "peer-researcher") && strcmp(role, "community-researcher"))
		return WU_OK;
	p->peer_roles++;
	if (via < 0 || !strcmp((const char *)TEXT(4), "unknown"))
		return push_id(s->db, &p->peer_route_unknown, TEXT(0));
	if (via != 0) /* not through the SWLO */
		return push_id(s->db, &p->peer_not_via_swlo, TEXT(0));
	return WU_OK;
}

/* Original budgets, or revised ones where the project has any: the revised
 * figures replace the original, they do not add to them. */
static int budget_row(struct scan *s, sqlite3_stmt *st)
{
	struct wu_fproject *p = project_of(s, st, 1);
	if (!p)
		return WU_OK;
	bool swlo = is_swlo(s, st, 2);
	const char *category = (const char *)TEXT(3);
	int64_t amount = sqlite3_column_int64(st, 4);
	const char *currency = (const char *)TEXT(5);
	bool committed = TEXT(6) && !strcmp((const char *)TEXT(6), "committed");
	struct wu_fmoney *m = &p->money[TEXT(7) && !strcmp((const char *)TEXT(7), "revised")];
	if (!m->lines)
		wu__copy(m->currency, sizeof m->currency, currency);
	else if (strcmp(m->currency, currency))
		m->mixed = true;
	m->lines++;
	bool kt = !strcmp(category, "kt");
	add_money(&m->total, amount, &m->overflow);
	if (kt)
		add_money(&m->kt, amount, &m->overflow);
	int rc = push_id(s->db, &p->budget_ids, TEXT(0));
	if (rc || !swlo)
		return rc;
	p->swlo_claims++;
	add_money(&m->swlo, amount, &m->overflow);
	if (kt)
		add_money(&m->kt_swlo, amount, &m->overflow);
	if (!strcmp(category, "overhead")) {
		add_money(&m->swlo_overhead, amount, &m->overflow);
		p->swlo_overhead_line = true;
	}
	if (committed)
		add_money(&m->swlo_committed, amount, &m->overflow);
	if (sqlite3_column_int(st, 8) && (rc = push_id(s->db, &p->match_required, TEXT(0))))
		return rc;
	if (TEXT(9) && !(org_bits(s, TEXT(9)) & ORG_SWLO))
		rc = push_id(s->db, &p->via_intermediary, TEXT(0));
	return rc;
}

/* Disbursements to SWLOs: how much, and how long after the work or the
 * invoice each was paid. */
static int transaction_row(struct scan *s, sqlite3_stmt *st)
{
	struct wu_fproject *p = project_of(s, st, 1);
	if (!p || !is_swlo(s, st, 2))
		return WU_OK;
	const char *currency = (const char *)TEXT(4);
	if (!p->swlo_disbursements)
		wu__copy(p->disbursed_currency, sizeof p->disbursed_currency, currency);
	else if (strcmp(p->disbursed_currency, currency))
		p->disbursed_mixed = true;
	p->swlo_disbursements++;
	p->swlo_claims++;
	add_money(&p->swlo_disbursed, sqlite3_column_int64(st, 3), &p->disbursed_overflow);
	int64_t paid = wu__date_days((const char *)TEXT(5));
	int64_t due = wu__date_days((const char *)(TEXT(7) ? TEXT(7) : TEXT(6)));
	if (paid == INT64_MIN || due == INT64_MIN)
		return push_id(s->db, &p->undated_payments, TEXT(0));
	struct wu_flag *l = WU_PUSH(p->lags);
	if (!l)
		return wu__err_nomem(s->db);
	COPY(l->id, 0);
	l->days = paid - due;
	return WU_OK;
}

static int rate_row(struct scan *s, sqlite3_stmt *st)
{
	struct wu_fproject *p = project_of(s, st, 1);
	if (!p)
		return WU_OK;
	struct wu_frate *r = WU_PUSH(p->rates);
	if (!r)
		return wu__err_nomem(s->db);
	COPY(r->id, 0);
	r->party = VI(s, V_RATE_PARTY, TEXT(2));
	r->role = VI(s, V_RATE_ROLE, TEXT(3));
	r->unit = VI(s, V_RATE_UNIT, TEXT(4));
	r->amount = sqlite3_column_int64(st, 5);
	COPY(r->currency, 6);
	return WU_OK;
}

static int output_row(struct scan *s, sqlite3_stmt *st)
{
	int64_t pi;
	if (!idmap_get(&s->projects, (const char *)TEXT(1), &pi))
		return WU_OK;
	struct wu_fproject *p = &s->facts->projects[pi];
	struct wu_foutput *o = WU_PUSH(p->outputs);
	if (!o)
		return wu__err_nomem(s->db);
	COPY(o->id, 0);
	o->kind = VI(s, V_OUTPUT_KIND, TEXT(2));
	o->peer_reviewed = tristate(st, 3);
	COPY(o->review_sent, 4);
	COPY(o->submitted, 5);
	COPY(o->published, 6);
	COPY(o->returned, 7);
	o->coauthorship_offered = tristate(st, 8);
	o->stance = VI(s, V_OUTPUT_STANCE, TEXT(9));
	if (idmap_put(&s->outputs, o->id, pi << 32 | (int64_t)(p->outputs.n - 1)))
		return wu__err_nomem(s->db);
	return WU_OK;
}

static int contribution_row(struct scan *s, sqlite3_stmt *st)
{
	int64_t where;
	if (!is_swlo(s, st, 1) || !idmap_get(&s->outputs, (const char *)TEXT(0), &where))
		return WU_OK;
	s->facts->projects[where >> 32].outputs.v[where & 0xffffffff].swlo_contribution = true;
	s->facts->projects[where >> 32].swlo_claims++;
	return WU_OK;
}

/* Attestations oldest first: a newer one on the same claim replaces the
 * older in the facts (both stay in the database). Columns: id, project,
 * claim, org, status, comment, the claim's type when it is a counted SWLO
 * claim, that of any other claim, and the claim's version when attested.
 * Whether the claim is still at that version is a fingerprint of the whole
 * record (audit.c), so each attestation reads its claim: they are few. */
static int attestation_row(struct scan *s, sqlite3_stmt *st)
{
	int64_t pi, where;
	if (!idmap_get(&s->projects, (const char *)TEXT(1), &pi))
		return WU_OK;
	struct wu_fproject *p = &s->facts->projects[pi];
	struct wu_fattest *a;
	if (idmap_get(&s->attested, (const char *)TEXT(2), &where)) {
		a = &s->facts->projects[where >> 32].attestations.v[where & 0xffffffff];
		memset(a, 0, sizeof *a);
	} else {
		if (!(a = WU_PUSH(p->attestations)))
			return wu__err_nomem(s->db);
		if (idmap_put(&s->attested, (const char *)TEXT(2), pi << 32 | (int64_t)(p->attestations.n - 1)))
			return wu__err_nomem(s->db);
	}
	COPY(a->id, 0);
	COPY(a->claim, 2);
	a->status = VI(s, V_ATTESTATION_STATUS, TEXT(4));
	COPY(a->comment, 5);
	COPY(a->type, TEXT(6) ? 6 : 7);
	a->swlo = TEXT(6) && (org_bits(s, TEXT(3)) & ORG_SWLO);
	/* the scan named the claim's type: read it there, not by searching every table */
	return wu__claim_current(s->db, wu_type_find(a->type), a->claim, (const char *)TEXT(8), &a->current);
}

/* Orgs first (every other table asks whether an org is sex worker-led), then
 * projects, then the tables that point at projects; outputs before the
 * contributions that point at them. */
static const struct {
	const char *sql;
	int (*row)(struct scan *, sqlite3_stmt *);
} scans[] = {
	{ "SELECT id, kind, represents, " WU_SQL_SWLO("org") " FROM org",
	  org_row },
	{ "SELECT id, title, decrim_stance, dp_plan, le_request_policy, cert_confidentiality, "
	  "police_in_recruitment, data_shared_with_police, planned_start, planned_end, actual_start, "
	  "actual_end, populations FROM project ORDER BY rowid", project_row },
	{ "SELECT id, project, legal_model FROM site", site_row },
	{ "SELECT id, project, org, agreement_signed, agreement_covers, research_roles, co_applicant, "
	  "direct_awardee, questions_originated FROM partnership", partnership_row },
	{ "SELECT id, project, org, phase, level, start_date, recorded_by FROM involvement", involvement_row },
	{ "SELECT id, project, seats, swlo_seats FROM body", body_row },
	{ "SELECT id, project, role, org, recruited_via FROM role", role_row },
	{ "SELECT id, project, recipient, category, amount, currency, status, budget_type, match_required, "
	  "via_org FROM budget", budget_row },
	{ "SELECT id, project, receiver, amount, currency, date, activity_date, invoice_date "
	  "FROM \"transaction\" WHERE kind = 'disbursement'", transaction_row },
	{ "SELECT id, project, party, role, unit, amount, currency FROM payrate", rate_row },
	{ "SELECT id, project, kind, peer_reviewed, review_sent, submitted, published, "
	  "returned_to_community, coauthorship_offered, stance FROM output", output_row },
	{ "SELECT output, org FROM contribution", contribution_row },
	/* A handful of rows, each looking its claim up by primary key. */
	{ "SELECT a.id, a.project, a.claim, a.org, a.status, a.comment, "
	  "CASE WHEN EXISTS (SELECT 1 FROM partnership WHERE id = a.claim) THEN 'partnership' "
	  "WHEN EXISTS (SELECT 1 FROM involvement WHERE id = a.claim) THEN 'involvement' "
	  "WHEN EXISTS (SELECT 1 FROM budget WHERE id = a.claim) THEN 'budget' "
	  "WHEN EXISTS (SELECT 1 FROM \"transaction\" WHERE id = a.claim AND kind = 'disbursement') THEN 'transaction' "
	  "WHEN EXISTS (SELECT 1 FROM contribution WHERE id = a.claim) THEN 'contribution' END, "
	  "CASE WHEN EXISTS (SELECT 1 FROM \"transaction\" WHERE id = a.claim) THEN 'transaction' "
	  "WHEN EXISTS (SELECT 1 FROM role WHERE id = a.claim) THEN 'role' "
	  "WHEN EXISTS (SELECT 1 FROM body WHERE id = a.claim) THEN 'body' "
	  "WHEN EXISTS (SELECT 1 FROM payrate WHERE id = a.claim) THEN 'payrate' "
	  "WHEN EXISTS (SELECT 1 FROM project WHERE id = a.claim) THEN 'project' ELSE 'record' END, "
	  "a.claim_version "
	  "FROM attestation a ORDER BY a.created, a.rowid", attestation_row },
};

int wu__facts_gather(wu_db *db, struct wu_facts *out, const char *const *ids, size_t nids)
{
	struct scan s = { .db = db, .facts = out, .want = ids };
	memset(out, 0, sizeof *out);
	load_values(&s);
	int rc = WU_OK;
	for (size_t i = 0; ids && i < nids && !rc; i++)
		if (idmap_put(&s.wanted, ids[i], 0))
			rc = wu__err_nomem(db);
	/* One read transaction: every table is seen at the same moment. */
	bool began = false;
	if (!rc)
		rc = wu__read_begin(db, &began);
	for (size_t i = 0; !rc && i < sizeof scans / sizeof scans[0]; i++)
		rc = each_row(&s, scans[i].sql, scans[i].row);
	wu__read_end(db, began);
	idmap_free(&s.projects);
	idmap_free(&s.orgs);
	idmap_free(&s.outputs);
	idmap_free(&s.attested);
	idmap_free(&s.wanted);
	if (rc)
		wu__facts_free(out);
	return rc;
}

void wu__facts_free(struct wu_facts *f)
{
	for (size_t i = 0; f && i < f->nprojects; i++) {
		struct wu_fproject *p = &f->projects[i];
		free(p->title);
		WU_VEC_FREE(p->site_ids);
		WU_VEC_FREE(p->sites_unknown);
		WU_VEC_FREE(p->swlo_partners);
		WU_VEC_FREE(p->unevidenced_orgs);
		WU_VEC_FREE(p->swlo_involvement);
		WU_VEC_FREE(p->uncorroborated);
		WU_VEC_FREE(p->bodies);
		WU_VEC_FREE(p->peer_not_via_swlo);
		WU_VEC_FREE(p->peer_route_unknown);
		WU_VEC_FREE(p->budget_ids);
		WU_VEC_FREE(p->match_required);
		WU_VEC_FREE(p->via_intermediary);
		WU_VEC_FREE(p->undated_payments);
		WU_VEC_FREE(p->lags);
		WU_VEC_FREE(p->rates);
		WU_VEC_FREE(p->outputs);
		WU_VEC_FREE(p->attestations);
	}
	if (f) {
		free(f->projects);
		memset(f, 0, sizeof *f);
	}
}
