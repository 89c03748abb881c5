/*
 * report.c - the funder portfolio report, as one JSON document
 * (docs/report.md); report-output.c writes it as text, CSV or HTML.
 *
 * The figures come from the same single scan the check makes (the facts,
 * kept by wu__check_keep), plus a few GROUP BY queries for money by
 * currency: nothing runs per project or per record. Money stays in integer
 * minor units until it is written as an exact decimal; shares are computed
 * in integers. Amounts in different currencies are added only through the
 * rate table (rates.c), and a missing rate is said, never guessed.
 *
 * Privacy profiles decide what the document holds: `private` everything;
 * `funder` only shared projects, organisations under their alias unless
 * public, and the sex worker-led flag only where the organisation consented;
 * `public` as funder, and every count under 5 suppressed ("<5").
 */
#include "config.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "rules.h"

#define SUPPRESS_BELOW 5

enum { M_TOTAL, M_SWLO, M_KT, M_KT_SWLO, M_COMMITTED, M_DISBURSED, M_COUNT };
static const char *const money_keys[M_COUNT] = { "budget", "swlo", "kt", "kt_swlo", "committed_swlo", "disbursed_swlo" };

struct build {
	wu_db *db;
	const wu_report_opts *o;
	char as_of[11];
	struct wu_facts facts;
	wu_result *check;
	json_t *projects;   /* {id: project object}, only those in the report */
	json_t *money;      /* {id: {currency: {original: [M_COUNT], revised: [...]}}} as JSON integers */
	json_t *series;     /* {currency: {month: [committed, disbursed]}} */
	json_t *orgs;       /* {id: {label, kind, swlo, country, region}} as the profile shows them */
};

static bool suppressing(const struct build *b)
{
	return b->o->profile == WU_PROFILE_PUBLIC;
}

/* A count as the profile shows it: 1 to 4 become "<5" in public reports. */
static json_t *count_json(const struct build *b, int64_t n)
{
	if (suppressing(b) && n > 0 && n < SUPPRESS_BELOW)
		return json_string("<5");
	return json_integer(n);
}

/* "42.8": a share in tenths of a percent, from integers. */
static json_t *share_json(int64_t part, int64_t whole)
{
	if (whole <= 0)
		return json_null();
	__int128 tenths = ((__int128)part * 1000 + whole / 2) / whole;
	char buf[32];
	snprintf(buf, sizeof buf, "%lld.%lld", (long long)(tenths / 10), (long long)(tenths % 10));
	return json_string(buf);
}

static json_t *money_json(struct build *b, int64_t minor, const char *currency)
{
	char buf[48];
	if (wu_money_format(buf, sizeof buf, b->db, minor, currency))
		return NULL;
	return json_string(buf);
}

/* ---- organisations, as the profile shows them -------------------------------------- */

static const char *org_label(wu_profile profile, sqlite3_stmt *st)
{
	const char *name = (const char *)sqlite3_column_text(st, 1);
	const char *alias = (const char *)sqlite3_column_text(st, 2);
	const char *vis = (const char *)sqlite3_column_text(st, 4);
	if (profile == WU_PROFILE_PRIVATE || (vis && !strcmp(vis, "public")))
		return name;
	return alias ? alias : "an unnamed organisation";
}

/* The identifier standards exports give an organisation: its org-id, or
 * its ROR as XI-ROR-…; an organisation shown by alias, or one with neither,
 * gets "withus-" and its random id, never anything derived from its name. */
static json_t *org_ident(wu_profile profile, sqlite3_stmt *st)
{
	const char *vis = (const char *)sqlite3_column_text(st, 4);
	const char *org_id = (const char *)sqlite3_column_text(st, 10);
	const char *ror = (const char *)sqlite3_column_text(st, 11);
	bool named = profile == WU_PROFILE_PRIVATE || (vis && !strcmp(vis, "public"));
	char buf[80];
	if (named && org_id)
		return json_string(org_id);
	if (named && ror && strlen(ror) > 16)
		snprintf(buf, sizeof buf, "XI-ROR-%s", ror + 16); /* after https://ror.org/ */
	else
		snprintf(buf, sizeof buf, "withus-%s", (const char *)sqlite3_column_text(st, 0));
	return json_string(buf);
}

/* The IATI organisation type: recorded, or the nearest for its kind. */
static const char *org_iati_type(sqlite3_stmt *st)
{
	const char *t = (const char *)sqlite3_column_text(st, 12), *kind = (const char *)sqlite3_column_text(st, 3);
	if (t)
		return t;
	if (!strcmp(kind, "academic"))
		return "80";
	if (!strcmp(kind, "funder"))
		return "60";
	if (!strcmp(kind, "government"))
		return "10";
	return strcmp(kind, "other") ? "22" : "90";
}

int wu__profile_orgs(wu_db *db, wu_profile profile, json_t **out)
{
	sqlite3_stmt *st = NULL;
	json_t *orgs = json_object();
	int rc = orgs ? wu__prepare(db, &st,
				   "SELECT id, name, alias, kind, visibility, disclose_swl, country, region, " WU_SQL_SWLO("org")
				   ", updated, org_id, ror, iati_type FROM org")
		      : wu__err_nomem(db);
	int s = SQLITE_DONE;
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		bool swlo = sqlite3_column_int(st, 8) != 0;
		bool consented = sqlite3_column_int(st, 5) != 0;
		/* Without consent, the kind would say what the flag does not. */
		const char *kind = (const char *)sqlite3_column_text(st, 3);
		if (profile != WU_PROFILE_PRIVATE && !consented && !strcmp(kind, "sex-worker-led"))
			kind = "other";
		json_t *org = json_pack("{sssssssososs}", "label", org_label(profile, st), "kind", kind,
					"country", sqlite3_column_text(st, 6), "swlo",
					profile == WU_PROFILE_PRIVATE || consented ? json_boolean(swlo) : json_null(), "ident",
					org_ident(profile, st), "iati_type", org_iati_type(st));
		const char *real = (const char *)sqlite3_column_text(st, 3);
		if (org)
			json_object_set_new(org, "community", json_boolean(!strcmp(real, "sex-worker-led") ||
									   !strcmp(real, "community-led") ||
									   !strcmp(real, "community-based")));
		if (org && sqlite3_column_type(st, 7) != SQLITE_NULL)
			json_object_set_new(org, "region", json_string((const char *)sqlite3_column_text(st, 7)));
		if (org && json_is_null(json_object_get(org, "swlo")))
			json_object_del(org, "swlo"); /* not said: the organisation did not consent */
		if (!org || json_object_set_new(orgs, (const char *)sqlite3_column_text(st, 0), org))
			rc = wu__err_nomem(db);
	}
	if (!rc && s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot read the organisations");
	sqlite3_finalize(st);
	if (rc)
		json_decref(orgs);
	else
		*out = orgs;
	return rc;
}

/* An organisation as the report shows it: label, kind, location, and the
 * SWLO flag where the profile allows it. */
static json_t *org_ref(struct build *b, const char *id)
{
	json_t *o = json_object_get(b->orgs, id ? id : "");
	json_t *copy = o ? json_deep_copy(o) : json_pack("{ss}", "label", "an unknown organisation");
	json_object_del(copy, "ident");
	json_object_del(copy, "iati_type");
	json_object_del(copy, "community");
	return copy;
}

/* ---- money by currency ------------------------------------------------------------------ */

/* The [M_COUNT] array of project `id`, currency `cur`, basis `revised`. */
static json_t *money_slot(struct build *b, const char *id, const char *cur, bool revised)
{
	json_t *p = json_object_get(b->money, id);
	if (!p && json_object_set_new(b->money, id, p = json_object()))
		return NULL;
	json_t *c = json_object_get(p, cur);
	if (!c && json_object_set_new(p, cur, c = json_object()))
		return NULL;
	const char *key = revised ? "revised" : "original";
	json_t *slot = json_object_get(c, key);
	if (!slot) {
		slot = json_array();
		for (int i = 0; slot && i < M_COUNT; i++)
			json_array_append_new(slot, json_integer(0));
		if (!slot || json_object_set_new(c, key, slot))
			return NULL;
	}
	return slot;
}

static bool add_to(json_t *slot, int which, int64_t v)
{
	json_t *e = json_array_get(slot, (size_t)which);
	int64_t sum;
	if (__builtin_add_overflow(json_integer_value(e), v, &sum))
		return false;
	json_integer_set(e, sum);
	return true;
}

/* One query per table: budget lines by project, currency and basis; SWLO
 * disbursements by project and currency. A profile other than private
 * leaves out records marked private. */
static int load_money(struct build *b)
{
	bool shared_only = b->o->profile != WU_PROFILE_PRIVATE;
	char *budget_sql = sqlite3_mprintf(
		"SELECT b.project, b.currency, b.budget_type = 'revised', sum(b.amount), "
		"sum(CASE WHEN %s THEN b.amount ELSE 0 END), sum(CASE WHEN b.category = 'kt' THEN b.amount ELSE 0 END), "
		"sum(CASE WHEN b.category = 'kt' AND %s THEN b.amount ELSE 0 END), "
		"sum(CASE WHEN b.status = 'committed' AND %s THEN b.amount ELSE 0 END) "
		"FROM budget b LEFT JOIN org o ON o.id = b.recipient %s GROUP BY 1, 2, 3",
		WU_SQL_SWLO("o"), WU_SQL_SWLO("o"), WU_SQL_SWLO("o"),
		shared_only ? "WHERE coalesce(b.visibility, 'inherit') <> 'private'" : "");
	char *paid_sql = sqlite3_mprintf(
		"SELECT t.project, t.currency, sum(t.amount) FROM \"transaction\" t JOIN org o ON o.id = t.receiver "
		"WHERE t.kind = 'disbursement' AND %s %s GROUP BY 1, 2",
		WU_SQL_SWLO("o"), shared_only ? "AND coalesce(t.visibility, 'inherit') <> 'private'" : "");
	sqlite3_stmt *st = NULL;
	int rc = budget_sql && paid_sql ? wu__prepare(b->db, &st, budget_sql) : wu__err_nomem(b->db);
	int s = SQLITE_DONE;
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		if (!json_object_get(b->projects, id))
			continue;
		json_t *slot = money_slot(b, id, (const char *)sqlite3_column_text(st, 1), sqlite3_column_int(st, 2));
		if (!slot)
			rc = wu__err_nomem(b->db);
		for (int i = 0; !rc && i < M_DISBURSED; i++)
			add_to(slot, i, sqlite3_column_int64(st, 3 + i));
	}
	if (!rc && s != SQLITE_DONE)
		rc = wu__err_sql(b->db, "cannot add up the budget lines");
	sqlite3_finalize(st);
	st = NULL;
	if (!rc)
		rc = wu__prepare(b->db, &st, paid_sql);
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		if (!json_object_get(b->projects, id))
			continue;
		/* Disbursements count against whichever basis stands; kept on both. */
		for (int revised = 0; !rc && revised < 2; revised++) {
			json_t *slot = money_slot(b, id, (const char *)sqlite3_column_text(st, 1), revised);
			if (!slot)
				rc = wu__err_nomem(b->db);
			else
				add_to(slot, M_DISBURSED, sqlite3_column_int64(st, 2));
		}
	}
	if (!rc && s != SQLITE_DONE)
		rc = wu__err_sql(b->db, "cannot add up the disbursements");
	sqlite3_finalize(st);
	sqlite3_free(budget_sql);
	sqlite3_free(paid_sql);
	return rc;
}

/* Whether a project's figures stand on its revised budget: any revised line replaces the original ones. */
static bool uses_revised(struct build *b, const char *id)
{
	const char *cur;
	json_t *c;
	json_object_foreach(json_object_get(b->money, id), cur, c) {
		json_t *slot = json_object_get(c, "revised");
		if (slot && json_integer_value(json_array_get(slot, M_TOTAL)) > 0)
			return true;
	}
	return false;
}

/* {"currency", "budget", "swlo", "swlo_share_pct", ...} from an [M_COUNT] array. */
static json_t *money_object(struct build *b, const char *cur, const int64_t *v)
{
	json_t *m = json_pack("{ss}", "currency", cur);
	for (int i = 0; m && i < M_COUNT; i++) {
		json_t *amount = money_json(b, v[i], cur);
		if (!amount || json_object_set_new(m, money_keys[i], amount)) {
			json_decref(m);
			return NULL;
		}
	}
	if (m && (json_object_set_new(m, "swlo_share_pct", share_json(v[M_SWLO], v[M_TOTAL])) ||
		  json_object_set_new(m, "kt_share_pct", share_json(v[M_KT], v[M_TOTAL])) ||
		  json_object_set_new(m, "kt_swlo_share_pct", share_json(v[M_KT_SWLO], v[M_KT])) ||
		  json_object_set_new(m, "disbursed_share_pct", share_json(v[M_DISBURSED], v[M_COMMITTED])))) {
		json_decref(m);
		return NULL;
	}
	return m;
}

/* Adds `v` (in `cur`), converted to the report's currency at the rate in
 * force on the as-of date, to `conv`; *missing when there is no rate. */
static int convert_add(struct build *b, const char *cur, const int64_t *v, int64_t *conv, bool *missing, bool *overflow)
{
	for (int i = 0; i < M_COUNT; i++) {
		int64_t out;
		bool found;
		int rc = wu__rate_convert(b->db, v[i], cur, b->o->currency, b->as_of, &out, &found);
		if (rc == WU_EINVAL) {
			*overflow = true;
			continue;
		}
		if (rc)
			return rc;
		if (!found) {
			*missing = true;
			return WU_OK;
		}
		if (__builtin_add_overflow(conv[i], out, &conv[i]))
			*overflow = true;
	}
	return WU_OK;
}

#define MAX_CURRENCIES 64

struct totals {
	int64_t by_cur[MAX_CURRENCIES][M_COUNT];
	json_t *curs;        /* {currency: index into by_cur} */
	int64_t converted[M_COUNT];
	json_t *missing;     /* {currency: true}: no rate to the report's currency */
	bool overflow;
	int verdicts[4][5];  /* projects by recommendation and status */
	int64_t findings[4][4]; /* findings by recommendation: info, warning, error, insufficient data */
	int64_t claims[5];
	int64_t *lags;
	size_t nlags;
	int64_t undated;
};

static int add_totals(struct build *b, struct totals *t, const char *cur, const int64_t *v)
{
	json_t *idx = json_object_get(t->curs, cur);
	if (!idx) {
		if (json_object_size(t->curs) >= MAX_CURRENCIES)
			return wu__err(b->db, WU_EINVAL, "a report adds up at most %d currencies", MAX_CURRENCIES);
		idx = json_integer((json_int_t)json_object_size(t->curs));
		if (!idx || json_object_set_new(t->curs, cur, idx))
			return wu__err_nomem(b->db);
	}
	int64_t *sum = t->by_cur[json_integer_value(idx)];
	for (int i = 0; i < M_COUNT; i++)
		if (__builtin_add_overflow(sum[i], v[i], &sum[i]))
			t->overflow = true;
	if (!b->o->currency)
		return WU_OK;
	bool missing = false;
	int rc = convert_add(b, cur, v, t->converted, &missing, &t->overflow);
	if (!rc && missing && json_object_set_new(t->missing, cur, json_true()))
		rc = wu__err_nomem(b->db);
	return rc;
}

/* ---- the parts of one project --------------------------------------------------------- */

static json_t *involvement_json(struct build *b, const struct wu_fproject *p)
{
	json_t *rows = json_array();
	for (int ph = 0; rows && ph < WU_NPHASES; ph++) {
		json_t *row = json_array();
		for (int lv = 0; row && lv <= WU_LV_LEAD; lv++)
			json_array_append_new(row, count_json(b, p->swlo_inv_count[ph][lv]));
		if (!row || json_array_append_new(rows, row)) {
			json_decref(rows);
			return NULL;
		}
	}
	return rows;
}

static int cmp_i64(const void *a, const void *c)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)c;
	return (x > y) - (x < y);
}

/* Days from the work (or invoice) to payment: median and longest. */
static json_t *payments_json(struct build *b, const struct wu_fproject *p, int64_t *all, size_t *nall)
{
	size_t n = p->lags.n;
	json_t *o = json_pack("{soso}", "count", count_json(b, (int64_t)n), "undated",
			      count_json(b, (int64_t)p->undated_payments.n));
	if (!o || !n || (suppressing(b) && n < SUPPRESS_BELOW))
		return o;
	int64_t *d = malloc(n * sizeof *d);
	if (!d) {
		json_decref(o);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		d[i] = p->lags.v[i].days;
		all[(*nall)++] = d[i];
	}
	qsort(d, n, sizeof *d, cmp_i64);
	int64_t median = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
	json_object_set_new(o, "lag_median_days", json_integer(median));
	json_object_set_new(o, "lag_max_days", json_integer(d[n - 1]));
	free(d);
	return o;
}

static json_t *claims_json(struct build *b, const struct wu_fproject *p, int64_t *tot)
{
	int64_t c[5] = { p->swlo_claims, 0, 0, 0, 0 }; /* claims, confirmed, partly, disputed, edited since */
	for (size_t i = 0; i < p->attestations.n; i++) {
		const struct wu_fattest *a = &p->attestations.v[i];
		if (!a->swlo)
			continue;
		if (!a->current)
			c[4]++;
		else if (a->status == WU_ATT_CONFIRMED)
			c[1]++;
		else if (a->status == WU_ATT_PARTLY)
			c[2]++;
		else if (a->status == WU_ATT_DISPUTED)
			c[3]++;
	}
	for (int i = 0; i < 5; i++)
		tot[i] += c[i];
	return json_pack("{sosososososo}", "swlo_claims", count_json(b, c[0]), "confirmed", count_json(b, c[1]), "partly_confirmed",
			 count_json(b, c[2]), "disputed", count_json(b, c[3]), "edited_since", count_json(b, c[4]),
			 "unreviewed", count_json(b, c[0] - c[1] - c[2] - c[3] - c[4]));
}

static json_t *verdicts_json(const wu_verdict *v, int (*tot)[5])
{
	json_t *arr = json_array();
	for (int k = 0; arr && k < 4; k++) {
		tot[k][v[k].status]++;
		if (json_array_append_new(arr, json_pack("{sisssi}", "recommendation", k + 1, "status",
							 wu_status_name(v[k].status), "failed", v[k].failed))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* ---- building it ---------------------------------------------------------------------- */

/* The report's projects, in the check's order, with lead, sites and partners. */
static int load_projects(struct build *b)
{
	sqlite3_stmt *st = NULL;
	int rc = wu__prepare(b->db, &st, "SELECT id, lead_org, visibility FROM project");
	int s = SQLITE_DONE;
	json_t *meta = json_object();
	while (!rc && meta && (s = sqlite3_step(st)) == SQLITE_ROW)
		if (json_object_set_new(meta, (const char *)sqlite3_column_text(st, 0),
					json_pack("{s:s?,s:s?}", "lead", sqlite3_column_text(st, 1), "visibility",
						  sqlite3_column_text(st, 2))))
			rc = wu__err_nomem(b->db);
	if (!rc && (!meta || s != SQLITE_DONE))
		rc = meta ? wu__err_sql(b->db, "cannot read the projects") : wu__err_nomem(b->db);
	sqlite3_finalize(st);
	for (size_t i = 0; !rc && i < wu_result_project_count(b->check); i++) {
		const char *id = wu_result_project_id(b->check, i);
		json_t *m = json_object_get(meta, id);
		const char *vis = json_string_value(json_object_get(m, "visibility"));
		if (b->o->profile != WU_PROFILE_PRIVATE && (!vis || strcmp(vis, "shared")))
			continue; /* never leaves this machine */
		json_t *p = json_pack("{sssssososo}", "id", id, "title", wu_result_project_title(b->check, i), "lead_org",
				      org_ref(b, json_string_value(json_object_get(m, "lead"))), "sites", json_array(),
				      "partners", json_array());
		if (!p || json_object_set_new(b->projects, id, p))
			rc = wu__err_nomem(b->db);
	}
	json_decref(meta);
	const char *const sql[] = {
		"SELECT project, country, region FROM site ORDER BY rowid",
		"SELECT project, org FROM partnership ORDER BY rowid",
	};
	for (int q = 0; q < 2 && !rc; q++) {
		if ((rc = wu__prepare(b->db, &st, sql[q])))
			break;
		while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
			json_t *p = json_object_get(b->projects, (const char *)sqlite3_column_text(st, 0));
			if (!p)
				continue;
			json_t *e = q == 0 ? json_pack("{s:s,s:s?}", "country", sqlite3_column_text(st, 1), "region",
						       sqlite3_column_text(st, 2))
					   : org_ref(b, (const char *)sqlite3_column_text(st, 1));
			if (q == 0 && e && json_is_null(json_object_get(e, "region")))
				json_object_del(e, "region");
			if (!e || json_array_append_new(json_object_get(p, q == 0 ? "sites" : "partners"), e))
				rc = wu__err_nomem(b->db);
		}
		if (!rc && s != SQLITE_DONE)
			rc = wu__err_sql(b->db, "cannot read the projects");
		sqlite3_finalize(st);
		st = NULL;
	}
	return rc;
}

/* Committed and disbursed money to SWLOs by month, per currency, for the
 * portfolio chart: one GROUP BY per table. */
static int load_series(struct build *b)
{
	bool shared_only = b->o->profile != WU_PROFILE_PRIVATE;
	char *sql[2] = {
		sqlite3_mprintf("SELECT b.project, b.currency, substr(b.value_date, 1, 7), b.budget_type = 'revised', sum(b.amount) "
				"FROM budget b JOIN org o ON o.id = b.recipient WHERE b.status = 'committed' AND %s %s "
				"GROUP BY 1, 2, 3, 4",
				WU_SQL_SWLO("o"), shared_only ? "AND coalesce(b.visibility, 'inherit') <> 'private'" : ""),
		sqlite3_mprintf("SELECT t.project, t.currency, substr(t.date, 1, 7), -1, sum(t.amount) "
				"FROM \"transaction\" t JOIN org o ON o.id = t.receiver WHERE t.kind = 'disbursement' AND %s %s "
				"GROUP BY 1, 2, 3",
				WU_SQL_SWLO("o"), shared_only ? "AND coalesce(t.visibility, 'inherit') <> 'private'" : ""),
	};
	int rc = sql[0] && sql[1] ? WU_OK : wu__err_nomem(b->db);
	for (int q = 0; q < 2 && !rc; q++) {
		sqlite3_stmt *st = NULL;
		int s = SQLITE_DONE;
		rc = wu__prepare(b->db, &st, sql[q]);
		while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(st, 0);
			int basis = sqlite3_column_int(st, 3);
			if (!json_object_get(b->projects, id) || (basis >= 0 && basis != (int)uses_revised(b, id)))
				continue;
			const char *cur = (const char *)sqlite3_column_text(st, 1), *month = (const char *)sqlite3_column_text(st, 2);
			json_t *c = json_object_get(b->series, cur);
			if (!c && json_object_set_new(b->series, cur, c = json_object()))
				c = NULL;
			json_t *m = c ? json_object_get(c, month) : NULL;
			if (c && !m && json_object_set_new(c, month, m = json_pack("[II]", (json_int_t)0, (json_int_t)0)))
				m = NULL;
			if (!m || !add_to(m, q, sqlite3_column_int64(st, 4)))
				rc = m ? wu__err(b->db, WU_EINVAL, "the %s of %s do not fit in 64 bits", q ? "disbursements" : "commitments", cur)
				       : wu__err_nomem(b->db);
		}
		if (!rc && s != SQLITE_DONE)
			rc = wu__err_sql(b->db, "cannot add up money by month");
		sqlite3_finalize(st);
	}
	sqlite3_free(sql[0]);
	sqlite3_free(sql[1]);
	return rc;
}

static int cmp_str(const void *a, const void *c)
{
	return strcmp(*(const char *const *)a, *(const char *const *)c);
}

/* [{currency, months: [{month, committed, disbursed, committed_total, disbursed_total}]}], months in order. */
static json_t *series_json(struct build *b)
{
	json_t *out = json_array();
	const char *cur;
	json_t *c;
	json_object_foreach(b->series, cur, c) {
		size_t n = json_object_size(c), k = 0;
		const char **months = malloc((n ? n : 1) * sizeof *months);
		const char *month;
		json_t *v;
		if (!months)
			goto fail;
		json_object_foreach(c, month, v)
			months[k++] = month;
		qsort(months, n, sizeof *months, cmp_str);
		json_t *list = json_array();
		int64_t run[2] = { 0, 0 };
		for (size_t i = 0; list && i < n; i++) {
			json_t *pair = json_object_get(c, months[i]);
			int64_t x = json_integer_value(json_array_get(pair, 0)), y = json_integer_value(json_array_get(pair, 1));
			if (__builtin_add_overflow(run[0], x, &run[0]) || __builtin_add_overflow(run[1], y, &run[1]))
				break;
			json_array_append_new(list, json_pack("{ssso*so*so*so*}", "month", months[i], "committed", money_json(b, x, cur),
							      "disbursed", money_json(b, y, cur), "committed_total",
							      money_json(b, run[0], cur), "disbursed_total", money_json(b, run[1], cur)));
		}
		free(months);
		if (!list || json_array_append_new(out, json_pack("{ssso}", "currency", cur, "months", list)))
			goto fail;
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* The money of one project: one entry per currency, on the basis that
 * stands (revised lines replace the original ones); and, with a report
 * currency, the converted figures or null when a rate is missing. */
static int project_money(struct build *b, json_t *proj, const char *id, struct totals *t)
{
	bool revised = uses_revised(b, id), missing = false, overflow = false;
	int64_t conv[M_COUNT] = { 0 };
	json_t *money = json_array();
	const char *cur;
	json_t *c;
	int rc = money ? WU_OK : wu__err_nomem(b->db);
	json_object_foreach(rc ? NULL : json_object_get(b->money, id), cur, c) {
		json_t *slot = json_object_get(c, revised ? "revised" : "original");
		json_t *other = json_object_get(c, revised ? "original" : "revised");
		int64_t v[M_COUNT] = { 0 };
		for (int i = 0; slot && i < M_COUNT; i++)
			v[i] = json_integer_value(json_array_get(slot, (size_t)i));
		if (!slot) /* paid in a currency with no line on this basis */
			v[M_DISBURSED] = json_integer_value(json_array_get(other, M_DISBURSED));
		json_t *m = money_object(b, cur, v);
		if (!m || json_array_append_new(money, m))
			rc = wu__err_nomem(b->db);
		if (!rc)
			rc = add_totals(b, t, cur, v);
		if (!rc && b->o->currency)
			rc = convert_add(b, cur, v, conv, &missing, &overflow);
		if (rc)
			break;
	}
	if (!rc && (json_object_set_new(proj, "budget_basis", json_string(revised ? "revised" : "original")) ||
		    json_object_set_new(proj, "money", json_incref(money))))
		rc = wu__err_nomem(b->db);
	if (!rc && b->o->currency && json_array_size(money)) {
		json_t *cj = missing || overflow ? json_null() : money_object(b, b->o->currency, conv);
		if (!cj || json_object_set_new(proj, "converted", cj))
			rc = wu__err_nomem(b->db);
	}
	json_decref(money);
	return rc;
}

/* The check's findings, counted once per project and recommendation
 * (info, warning, error, insufficient data): one pass, not one per project. */
struct finding_counts {
	json_t *index;              /* {project id: row} */
	int64_t (*rows)[4][4];      /* [row][recommendation][which] */
};

static int count_findings(struct build *b, struct finding_counts *fc)
{
	size_t n = wu_result_project_count(b->check);
	fc->index = json_object();
	fc->rows = calloc(n ? n : 1, sizeof *fc->rows);
	if (!fc->index || !fc->rows)
		return wu__err_nomem(b->db);
	for (size_t i = 0; i < n; i++)
		if (json_object_set_new(fc->index, wu_result_project_id(b->check, i), json_integer((json_int_t)i)))
			return wu__err_nomem(b->db);
	for (size_t i = 0; i < wu_result_finding_count(b->check); i++) {
		const wu_finding *f = wu_result_finding(b->check, i);
		json_t *row = json_object_get(fc->index, f->project);
		int rec = f->rule->recommendation - 1, which = f->insufficient ? 3 : (int)f->severity;
		if (row && rec >= 0 && rec <= 3 && which >= 0 && which <= 3)
			fc->rows[json_integer_value(row)][rec][which]++;
	}
	return WU_OK;
}

/* One project's findings by severity; its counts join the portfolio's. */
static json_t *findings_json(struct build *b, const struct finding_counts *fc, const char *pid, struct totals *t)
{
	int64_t n[4] = { 0 };
	json_t *row = json_object_get(fc->index, pid);
	for (int rec = 0; row && rec < 4; rec++)
		for (int w = 0; w < 4; w++) {
			int64_t c = fc->rows[json_integer_value(row)][rec][w];
			n[w] += c;
			t->findings[rec][w] += c;
		}
	return json_pack("{sosososo}", "error", count_json(b, n[WU_SEV_ERROR]), "warning", count_json(b, n[WU_SEV_WARNING]),
			 "info", count_json(b, n[WU_SEV_INFO]), "insufficient_data", count_json(b, n[3]));
}

static int build_project(struct build *b, const struct finding_counts *fc, const struct wu_fproject *p, const wu_verdict *v,
			 struct totals *t)
{
	json_t *proj = json_object_get(b->projects, p->id);
	int rc = project_money(b, proj, p->id, t);
	t->undated += (int64_t)p->undated_payments.n;
	if (!rc && (json_object_set_new(proj, "payments", payments_json(b, p, t->lags, &t->nlags)) ||
		    json_object_set_new(proj, "involvement", involvement_json(b, p)) ||
		    json_object_set_new(proj, "claims", claims_json(b, p, t->claims)) ||
		    json_object_set_new(proj, "recommendations", verdicts_json(v, t->verdicts)) ||
		    json_object_set_new(proj, "findings", findings_json(b, fc, p->id, t))))
		rc = wu__err_nomem(b->db);
	return rc;
}

static json_t *totals_json(struct build *b, struct totals *t, size_t nprojects)
{
	json_t *money = json_array(), *recs = json_array();
	const char *cur;
	json_t *idx;
	json_object_foreach(t->curs, cur, idx) {
		json_t *m = money_object(b, cur, t->by_cur[json_integer_value(idx)]);
		if (!m || json_array_append_new(money, m))
			goto fail;
	}
	for (int k = 0; recs && k < 4; k++) {
		json_t *r = json_pack("{si}", "recommendation", k + 1);
		for (int st = 0; r && st <= WU_NOT_APPLICABLE; st++)
			json_object_set_new(r, wu_status_name((wu_status)st), count_json(b, t->verdicts[k][st]));
		json_t *f = json_pack("{sosososo}", "error", count_json(b, t->findings[k][WU_SEV_ERROR]), "warning",
				      count_json(b, t->findings[k][WU_SEV_WARNING]), "info", count_json(b, t->findings[k][WU_SEV_INFO]),
				      "insufficient_data", count_json(b, t->findings[k][3]));
		if (!r)
			json_decref(f); /* set_new would have taken it */
		else if (json_object_set_new(r, "findings", f)) {
			json_decref(r);
			r = NULL;
		}
		if (!r || json_array_append_new(recs, r))
			goto fail;
	}
	json_t *missing = json_array();
	json_object_foreach(t->missing, cur, idx)
		json_array_append_new(missing, json_string(cur));
	json_t *lag = json_object();
	if (lag && t->nlags && !(suppressing(b) && t->nlags < SUPPRESS_BELOW)) {
		qsort(t->lags, t->nlags, sizeof *t->lags, cmp_i64);
		size_t n = t->nlags;
		json_object_set_new(lag, "lag_median_days",
				    json_integer(n % 2 ? t->lags[n / 2] : (t->lags[n / 2 - 1] + t->lags[n / 2]) / 2));
		json_object_set_new(lag, "lag_max_days", json_integer(t->lags[n - 1]));
	}
	if (lag) {
		json_object_set_new(lag, "count", count_json(b, (int64_t)t->nlags));
		json_object_set_new(lag, "undated", count_json(b, t->undated));
	}
	int64_t *c = t->claims;
	json_t *out = json_pack("{sIsososososo}", "projects", (json_int_t)nprojects, "money", money, "recommendations", recs,
				"missing_rates", missing, "payments", lag, "claims",
				json_pack("{sosososososo}", "swlo_claims", count_json(b, c[0]), "confirmed", count_json(b, c[1]),
					  "partly_confirmed", count_json(b, c[2]), "disputed", count_json(b, c[3]),
					  "edited_since", count_json(b, c[4]), "unreviewed",
					  count_json(b, c[0] - c[1] - c[2] - c[3] - c[4])));
	if (out && b->o->currency)
		json_object_set_new(out, "converted", json_object_size(t->missing) || t->overflow
							      ? json_null() : money_object(b, b->o->currency, t->converted));
	return out;
fail:
	json_decref(money);
	json_decref(recs);
	return NULL;
}

/* The bars the charts draw: the thresholds in force for the budget shares
 * and the payment lag (null when the policy switched the rule off). */
static json_t *thresholds_json(const wu_policy *pol)
{
	static const char *const which[][3] = {
		{ "swlo_share_pct", "swlo-budget-share", "min_pct" },
		{ "kt_swlo_share_pct", "kt-swlo-share", "min_pct" },
		{ "lag_median_days", "payment-lag-median", "max_days" },
		{ "lag_max_days", "payment-lag-max", "max_days" },
		{ "claims_confirmed_pct", "claims-confirmed", "min_pct" },
	};
	json_t *t = json_object();
	for (size_t i = 0; t && i < sizeof which / sizeof which[0]; i++) {
		const wu_rule *r = wu_rule_find(which[i][1]);
		const wu_param *p = wu_rule_param(r, which[i][2]);
		json_object_set_new(t, which[i][0], r && p && wu_policy_enabled(pol, r)
							    ? json_integer(wu_policy_value(pol, r, p)) : json_null());
	}
	return t;
}

static json_t *axes_json(void)
{
	json_t *phases = json_array(), *levels = json_array();
	for (int i = 0; phases && i < wu_phase_count(); i++)
		json_array_append_new(phases, json_string(wu_phase_name(i)));
	for (int i = 0; levels && i <= WU_LV_LEAD; i++)
		json_array_append_new(levels, json_string(wu_level_name(i)));
	return json_pack("{soso}", "phases", phases, "levels", levels);
}

static const char *profile_name(wu_profile p)
{
	return p == WU_PROFILE_FUNDER ? "funder" : p == WU_PROFILE_PUBLIC ? "public" : "private";
}

int wu_report(json_t **out, wu_db *db, const wu_report_opts *opts)
{
	static const wu_report_opts none = { 0 };
	struct build b = { .db = db, .o = opts ? opts : &none };
	struct totals *t = calloc(1, sizeof *t);
	*out = NULL;
	wu__err_clear(db);
	if (!t)
		return wu__err_nomem(db);
	if (b.o->currency && wu_currency_exponent(db, b.o->currency) < 0) {
		free(t);
		return wu__err(db, WU_EINVAL, "currency: '%s' is not an ISO 4217 currency code", b.o->currency);
	}
	wu_check_opts co = { .projects = b.o->projects, .nprojects = b.o->nprojects, .as_of = b.o->as_of, .policy = b.o->policy };
	bool began = false;
	int rc = wu__read_begin(db, &began); /* one snapshot for every figure */
	if (!rc)
		rc = wu__check_keep(&b.check, db, &co, &b.facts);
	if (!rc)
		snprintf(b.as_of, sizeof b.as_of, "%s", wu_result_as_of(b.check));
	b.projects = json_object();
	b.money = json_object();
	b.series = json_object();
	t->curs = json_object();
	t->missing = json_object();
	size_t lag_cap = 0;
	for (size_t i = 0; i < b.facts.nprojects; i++)
		lag_cap += b.facts.projects[i].lags.n;
	t->lags = malloc((lag_cap ? lag_cap : 1) * sizeof *t->lags);
	if (!rc && (!b.projects || !b.money || !b.series || !t->curs || !t->missing || !t->lags))
		rc = wu__err_nomem(db);
	if (!rc)
		rc = wu__profile_orgs(db, b.o->profile, &b.orgs);
	if (!rc)
		rc = load_projects(&b);
	if (!rc)
		rc = load_money(&b);
	if (!rc)
		rc = load_series(&b);
	size_t n = 0;
	json_t *list = json_array();
	struct finding_counts fc = { 0 };
	if (!rc && !list)
		rc = wu__err_nomem(db);
	if (!rc)
		rc = count_findings(&b, &fc);
	for (size_t i = 0; !rc && i < b.facts.nprojects; i++) {
		const struct wu_fproject *p = &b.facts.projects[i];
		json_t *proj = json_object_get(b.projects, p->id);
		if (!proj)
			continue;
		rc = build_project(&b, &fc, p, wu_result_verdicts(b.check, i), t);
		if (!rc && json_array_append(list, proj))
			rc = wu__err_nomem(db);
		n++;
	}
	wu__read_end(db, began);
	json_t *doc = NULL;
	if (!rc) {
		doc = json_pack("{sisssssos:s?sososo}", "withus_report", 1, "as_of", b.as_of, "profile",
				profile_name(b.o->profile), "policy", json_string(wu_policy_name(b.o->policy)), "currency",
				b.o->currency, "projects", list, "totals", totals_json(&b, t, n), "series", series_json(&b));
		list = NULL;
		if (!doc || !json_object_get(doc, "totals") || !json_object_get(doc, "series"))
			rc = wu__err_nomem(db);
		size_t left_out = wu_result_project_count(b.check) - n;
		if (!rc && (json_object_set_new(doc, "thresholds", thresholds_json(b.o->policy)) ||
			    json_object_set_new(doc, "involvement_axes", axes_json())))
			rc = wu__err_nomem(db);
		if (!rc && b.o->profile != WU_PROFILE_PRIVATE &&
		    json_object_set_new(doc, "projects_left_out", json_integer((json_int_t)left_out)))
			rc = wu__err_nomem(db);
	}
	json_decref(list);
	json_decref(fc.index);
	free(fc.rows);
	json_decref(b.projects);
	json_decref(b.money);
	json_decref(b.series);
	json_decref(b.orgs);
	json_decref(t->curs);
	json_decref(t->missing);
	free(t->lags);
	free(t);
	wu_result_free(b.check);
	wu__facts_free(&b.facts);
	if (rc) {
		json_decref(doc);
		return rc;
	}
	*out = doc;
	return WU_OK;
}
