/*
 * standards.c - exports in the standards funders and portals read
 * (docs/standards.md): 360Giving 1.4 grants, as the flat CSV and as JSON,
 * and IATI 2.03 activity XML.
 *
 * 360Giving: each onward grant is the money committed from a project to one
 * community organisation in one currency (its committed budget lines on the
 * basis in force: revised lines replace the original ones). The project's
 * lead organisation is the funding organisation.
 *
 * IATI: one iati-activity per project, its lead organisation reporting.
 *
 * Both honour the privacy profiles of the report: outside `private` only
 * shared projects and records not marked private, organisations by alias
 * unless public, and identifiers that never derive from a name. Amounts are
 * written from integer minor units as exact decimals, in JSON too.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "internal.h"

struct std {
	wu_db *db;
	const wu_standard_opts *o;
	json_t *orgs;      /* wu__profile_orgs */
	json_t *projects;  /* {id: {title, lead, funders, dates..., visibility, currency, updated, sites: [], partners: []}} in order */
	json_t *order;     /* [id] of the projects exported, in record order */
};

static bool shared_only(const struct std *s)
{
	return s->o->profile != WU_PROFILE_PRIVATE;
}

/* A record's visibility lets it into an export under the profile. */
static bool record_ok(const struct std *s, const unsigned char *visibility)
{
	return !shared_only(s) || !visibility || strcmp((const char *)visibility, "private");
}

static json_t *col(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null() : json_string((const char *)sqlite3_column_text(st, i));
}

static bool wanted(const struct std *s, const char *id)
{
	if (!s->o->projects)
		return true;
	for (size_t i = 0; i < s->o->nprojects; i++)
		if (!strcmp(s->o->projects[i], id))
			return true;
	return false;
}

static int load_projects(struct std *s)
{
	sqlite3_stmt *st = NULL;
	int rc = wu__prepare(s->db, &st,
			     "SELECT id, title, lead_org, funders, planned_start, planned_end, actual_start, actual_end, "
			     "visibility, updated FROM project ORDER BY rowid");
	int step = SQLITE_DONE;
	size_t found = 0;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		if (!wanted(s, id))
			continue;
		found++;
		if (shared_only(s) && (!sqlite3_column_text(st, 8) || strcmp((const char *)sqlite3_column_text(st, 8), "shared")))
			continue;
		json_error_t e;
		json_t *funders = sqlite3_column_text(st, 3) ? json_loads((const char *)sqlite3_column_text(st, 3), 0, &e) : NULL;
		json_t *p = json_pack("{sosososososososos[]s[]s[]s[]s[]}", "title", col(st, 1), "lead", col(st, 2), "funders",
				      funders ? funders : json_array(), "planned_start", col(st, 4), "planned_end", col(st, 5),
				      "actual_start", col(st, 6), "actual_end", col(st, 7), "updated", col(st, 9), "sites",
				      "partners", "budgets", "transactions", "lines");
		if (!p || json_object_set_new(s->projects, id, p) || json_array_append_new(s->order, json_string(id)))
			rc = wu__err_nomem(s->db);
	}
	if (!rc && step != SQLITE_DONE)
		rc = wu__err_sql(s->db, "cannot read the projects");
	sqlite3_finalize(st);
	if (!rc && s->o->projects && found < s->o->nprojects)
		rc = wu__err(s->db, WU_ENOTFOUND, "a project asked for is not in the database");
	return rc;
}

/* Files the rows of `sql` (first column: the project) under key `into` of their project. */
static int load_rows(struct std *s, const char *sql, const char *into, const char *const *names, int ncols, int vis_col)
{
	sqlite3_stmt *st = NULL;
	int rc = wu__prepare(s->db, &st, sql);
	int step = SQLITE_DONE;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *p = json_object_get(s->projects, (const char *)sqlite3_column_text(st, 0));
		if (!p || (vis_col >= 0 && !record_ok(s, sqlite3_column_text(st, vis_col))))
			continue;
		json_t *row = json_object();
		for (int i = 0; row && i < ncols; i++) {
			int type = sqlite3_column_type(st, i + 1);
			json_t *v = type == SQLITE_INTEGER ? json_integer(sqlite3_column_int64(st, i + 1)) : col(st, i + 1);
			if (json_object_set_new(row, names[i], v)) {
				json_decref(row);
				row = NULL;
			}
		}
		if (!row || json_array_append_new(json_object_get(p, into), row))
			rc = wu__err_nomem(s->db);
	}
	if (!rc && step != SQLITE_DONE)
		rc = wu__err_sql(s->db, "cannot read the records");
	sqlite3_finalize(st);
	return rc;
}

static int load(struct std *s)
{
	static const char *const site[] = { "country" };
	static const char *const partner[] = { "org", "iati_roles" };
	static const char *const line[] = { "recipient", "category", "amount", "currency", "value_date", "status",
					    "budget_type", "period_start", "period_end", "updated" };
	static const char *const tx[] = { "kind", "provider", "receiver", "amount", "currency", "date", "value_date", "updated" };
	int rc = wu__profile_orgs(s->db, s->o->profile, &s->orgs);
	if (!rc)
		rc = load_projects(s);
	if (!rc)
		rc = load_rows(s, "SELECT project, country, visibility FROM site ORDER BY rowid", "sites", site, 1, 2);
	if (!rc)
		rc = load_rows(s, "SELECT project, org, iati_roles, visibility FROM partnership ORDER BY rowid", "partners", partner, 2, 3);
	if (!rc)
		rc = load_rows(s, "SELECT project, recipient, category, amount, currency, value_date, status, budget_type, "
				  "period_start, period_end, updated, visibility FROM budget ORDER BY rowid",
			       "lines", line, 10, 11);
	if (!rc)
		rc = load_rows(s, "SELECT project, kind, provider, receiver, amount, currency, date, value_date, updated, "
				  "visibility FROM \"transaction\" ORDER BY date, rowid",
			       "transactions", tx, 8, 9);
	return rc;
}

static const json_t *org(const struct std *s, const char *id)
{
	return json_object_get(s->orgs, id ? id : "");
}

static bool uses_revised(const json_t *p)
{
	size_t i;
	const json_t *l;
	json_array_foreach(json_object_get(p, "lines"), i, l)
		if (!strcmp(wu__jstr(l, "budget_type"), "revised"))
			return true;
	return false;
}

static char *amount_text(struct std *s, int64_t minor, const char *currency)
{
	char buf[48];
	return wu_money_format(buf, sizeof buf, s->db, minor, currency) ? NULL : strdup(buf);
}

/* ---- 360Giving ---------------------------------------------------------------------- */

static bool community(const json_t *o)
{
	return json_is_true(json_object_get(o, "community"));
}

struct grant {
	const char *project, *recipient, *currency;
	int64_t awarded, disbursed;
	char award_date[11], start[11], end[11], modified[32];
	json_t *categories; /* {category: minor units} */
};

static void min_date(char *dst, size_t n, const char *v)
{
	if (v && *v && (!*dst || strcmp(v, dst) < 0))
		snprintf(dst, n, "%s", v);
}

static void max_date(char *dst, size_t n, const char *v)
{
	if (v && *v && strcmp(v, dst) > 0)
		snprintf(dst, n, "%s", v);
}

/* The grants of one project: committed lines to community organisations,
 * by recipient and currency, with what was disbursed to each. */
static int project_grants(struct std *s, const char *pid, const json_t *p, struct grant **out, size_t *n)
{
	bool revised = uses_revised(p);
	size_t i, k;
	const json_t *l;
	*out = NULL;
	*n = 0;
	json_array_foreach(json_object_get(p, "lines"), i, l) {
		if (strcmp(wu__jstr(l, "status"), "committed") || (!strcmp(wu__jstr(l, "budget_type"), "revised")) != revised ||
		    !community(org(s, wu__jstr(l, "recipient"))))
			continue;
		struct grant *g = NULL;
		for (k = 0; k < *n && !g; k++)
			if (!strcmp((*out)[k].recipient, wu__jstr(l, "recipient")) && !strcmp((*out)[k].currency, wu__jstr(l, "currency")))
				g = &(*out)[k];
		if (!g) {
			struct grant *grown = realloc(*out, (*n + 1) * sizeof *grown);
			if (!grown)
				return wu__err_nomem(s->db);
			*out = grown;
			g = &grown[(*n)++];
			memset(g, 0, sizeof *g);
			g->project = pid;
			g->recipient = wu__jstr(l, "recipient");
			g->currency = wu__jstr(l, "currency");
			if (!(g->categories = json_object()))
				return wu__err_nomem(s->db);
		}
		int64_t amount = json_integer_value(json_object_get(l, "amount"));
		json_t *c = json_object_get(g->categories, wu__jstr(l, "category"));
		int64_t sum = json_integer_value(c);
		if (__builtin_add_overflow(g->awarded, amount, &g->awarded) || __builtin_add_overflow(sum, amount, &sum))
			return wu__err(s->db, WU_EINVAL, "the grant to %s does not fit in 64 bits of minor units", g->recipient);
		if (json_object_set_new(g->categories, wu__jstr(l, "category"), json_integer(sum)))
			return wu__err_nomem(s->db);
		min_date(g->award_date, sizeof g->award_date, wu__jstr(l, "value_date"));
		min_date(g->start, sizeof g->start, wu__jstr(l, "period_start"));
		max_date(g->end, sizeof g->end, wu__jstr(l, "period_end"));
		max_date(g->modified, sizeof g->modified, wu__jstr(l, "updated"));
	}
	const json_t *t;
	json_array_foreach(json_object_get(p, "transactions"), i, t) {
		if (strcmp(wu__jstr(t, "kind"), "disbursement"))
			continue;
		for (k = 0; k < *n; k++) {
			struct grant *g = &(*out)[k];
			if (strcmp(g->recipient, wu__jstr(t, "receiver")) || strcmp(g->currency, wu__jstr(t, "currency")))
				continue;
			if (__builtin_add_overflow(g->disbursed, json_integer_value(json_object_get(t, "amount")), &g->disbursed))
				return wu__err(s->db, WU_EINVAL, "the disbursements to %s do not fit in 64 bits", g->recipient);
			max_date(g->modified, sizeof g->modified, wu__jstr(t, "updated"));
		}
	}
	return WU_OK;
}

static void free_grants(struct grant *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(g[i].categories);
	free(g);
}

/* "KT 40000.00, capacity-building 15000.00" */
static char *grant_description(struct std *s, const struct grant *g, const json_t *p)
{
	char *d = NULL;
	const json_t *lead = org(s, wu__jstr(p, "lead"));
	if (asprintf(&d, "Onward grant from %s to %s within the research project \"%s\", for: ", wu__jstr(lead, "label"),
		     wu__jstr(org(s, g->recipient), "label"), wu__jstr(p, "title")) < 0)
		return NULL;
	const char *cat;
	json_t *v;
	bool first = true;
	json_object_foreach(g->categories, cat, v) {
		char *amount = amount_text(s, json_integer_value(v), g->currency), *n = NULL;
		if (!amount || asprintf(&n, "%s%s%s %s %s", d, first ? "" : ", ", cat, amount, g->currency) < 0)
			n = NULL;
		free(amount);
		free(d);
		if (!(d = n))
			return NULL;
		first = false;
	}
	char *n = NULL;
	if (asprintf(&n, "%s.", d) < 0)
		n = NULL;
	free(d);
	return n;
}

static const char *const giving_columns[] = {
	"Identifier", "Title", "Description", "Currency", "Amount Awarded", "Amount Disbursed", "Award Date",
	"Planned Dates:Start Date", "Planned Dates:End Date", "Recipient Org:Identifier", "Recipient Org:Name",
	"Beneficiary Location:Country Code", "Funding Org:Identifier", "Funding Org:Name", "Grant Programme:Title",
	"Last Modified",
};
#define NGIVING (sizeof giving_columns / sizeof giving_columns[0])

/* One grant's cells, in giving_columns order (new strings; NULL: empty). */
static int grant_cells(struct std *s, const struct grant *g, const json_t *p, char *cells[NGIVING])
{
	const json_t *rcp = org(s, g->recipient), *lead = org(s, wu__jstr(p, "lead"));
	const char *prefix = s->o->prefix ? s->o->prefix : "360G-withus";
	memset(cells, 0, NGIVING * sizeof *cells);
	int bad = asprintf(&cells[0], "%s-%s-%.8s-%s", prefix, g->project, g->recipient, g->currency) < 0 ||
		  asprintf(&cells[1], "%s: onward grant to %s", wu__jstr(p, "title"), wu__jstr(rcp, "label")) < 0;
	cells[2] = grant_description(s, g, p);
	cells[3] = strdup(g->currency);
	cells[4] = amount_text(s, g->awarded, g->currency);
	cells[5] = amount_text(s, g->disbursed, g->currency);
	cells[6] = strdup(g->award_date);
	cells[7] = strdup(g->start);
	cells[8] = strdup(g->end);
	cells[9] = strdup(wu__jstr(rcp, "ident"));
	cells[10] = strdup(wu__jstr(rcp, "label"));
	cells[11] = strdup(wu__jstr(rcp, "country"));
	cells[12] = strdup(wu__jstr(lead, "ident"));
	cells[13] = strdup(wu__jstr(lead, "label"));
	cells[14] = strdup(wu__jstr(p, "title"));
	cells[15] = strdup(g->modified);
	for (size_t i = 0; i < NGIVING; i++)
		bad |= !cells[i];
	return bad ? wu__err_nomem(s->db) : WU_OK;
}

static void free_cells(char *cells[NGIVING])
{
	for (size_t i = 0; i < NGIVING; i++)
		free(cells[i]);
}

/* A JSON string literal (escaped by jansson). */
static void json_str(struct wu_out *o, const char *v)
{
	json_t *j = json_string(v);
	char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	if (!t)
		o->failed = true;
	else
		wu__put(o, "%s", t);
	free(t);
	json_decref(j);
}

/* The 360Giving JSON of one grant. Amounts are JSON numbers written from
 * the exact decimal text: no floating point on the way. */
static void grant_json(struct wu_out *o, char *c[NGIVING], bool first)
{
	wu__put(o, "%s\n    {\"id\": ", first ? "" : ",");
	json_str(o, c[0]);
	wu__put(o, ", \"title\": ");
	json_str(o, c[1]);
	wu__put(o, ", \"description\": ");
	json_str(o, c[2]);
	wu__put(o, ", \"currency\": ");
	json_str(o, c[3]);
	wu__put(o, ", \"amountAwarded\": %s, \"amountDisbursed\": %s, \"awardDate\": ", c[4], c[5]);
	json_str(o, c[6]);
	if (*c[7] || *c[8]) {
		wu__put(o, ", \"plannedDates\": [{");
		if (*c[7]) {
			wu__put(o, "\"startDate\": ");
			json_str(o, c[7]);
		}
		if (*c[8]) {
			wu__put(o, "%s\"endDate\": ", *c[7] ? ", " : "");
			json_str(o, c[8]);
		}
		wu__put(o, "}]");
	}
	wu__put(o, ", \"recipientOrganization\": [{\"id\": ");
	json_str(o, c[9]);
	wu__put(o, ", \"name\": ");
	json_str(o, c[10]);
	wu__put(o, "}], \"beneficiaryLocation\": [{\"countryCode\": ");
	json_str(o, c[11]);
	wu__put(o, "}], \"fundingOrganization\": [{\"id\": ");
	json_str(o, c[12]);
	wu__put(o, ", \"name\": ");
	json_str(o, c[13]);
	wu__put(o, "}], \"grantProgramme\": [{\"title\": ");
	json_str(o, c[14]);
	wu__put(o, "}], \"dateModified\": ");
	json_str(o, c[15]);
	wu__put(o, "}");
}

static int write_360giving(struct std *s, struct wu_out *o, bool json)
{
	if (json)
		wu__put(o, "{\n  \"grants\": [");
	else
		for (size_t i = 0; i < NGIVING; i++)
			wu__csv_safe_cell(o, giving_columns[i], i == NGIVING - 1);
	size_t i, count = 0;
	const json_t *id;
	int rc = WU_OK;
	json_array_foreach(s->order, i, id) {
		const json_t *p = json_object_get(s->projects, json_string_value(id));
		struct grant *g = NULL;
		size_t n = 0;
		rc = project_grants(s, json_string_value(id), p, &g, &n);
		for (size_t k = 0; !rc && k < n; k++) {
			char *cells[NGIVING];
			if (!(rc = grant_cells(s, &g[k], p, cells))) {
				if (json)
					grant_json(o, cells, count == 0);
				else
					for (size_t c = 0; c < NGIVING; c++)
						wu__csv_safe_cell(o, cells[c], c == NGIVING - 1);
				count++;
			}
			free_cells(cells);
		}
		free_grants(g, n);
		if (rc)
			break;
	}
	if (json)
		wu__put(o, "\n  ]\n}\n");
	return rc;
}

/* ---- IATI 2.03 ------------------------------------------------------------------------ */

static void narrative(struct wu_out *o, const char *indent, const char *text)
{
	wu__put(o, "%s<narrative>", indent);
	wu__put_markup(o, text);
	wu__put(o, "</narrative>\n");
}

static void org_element(struct wu_out *o, const char *tag, const json_t *org, const char *extra)
{
	wu__put(o, "  <%s ref=\"", tag);
	wu__put_markup(o, wu__jstr(org, "ident"));
	wu__put(o, "\" type=\"%s\"%s>\n", wu__jstr(org, "iati_type"), extra ? extra : "");
	narrative(o, "   ", wu__jstr(org, "label"));
	wu__put(o, "  </%s>\n", tag);
}

static int role_code(const char *role)
{
	static const char *const roles[] = { "funding", "accountable", "extending", "implementing" };
	for (int i = 0; i < 4; i++)
		if (!strcmp(role, roles[i]))
			return i + 1;
	return 0;
}

static int transaction_code(const char *kind)
{
	static const struct { const char *kind; int code; } codes[] = {
		{ "incoming-funds", 1 }, { "outgoing-commitment", 2 }, { "disbursement", 3 }, { "expenditure", 4 },
		{ "reimbursement", 7 }, { "incoming-commitment", 11 }, { "outgoing-pledge", 12 }, { "incoming-pledge", 13 },
	};
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (!strcmp(kind, codes[i].kind))
			return codes[i].code;
	return 0;
}

/* participating-org: one per organisation and role; funders as 1, the lead as 2 when no partnership says. */
static void participants(struct std *s, struct wu_out *o, const json_t *p)
{
	json_t *seen = json_object();
	size_t i, k;
	const json_t *e, *r;
	json_array_foreach(json_object_get(p, "partners"), i, e) {
		json_error_t err;
		json_t *roles = json_loads(wu__jstr(e, "iati_roles"), 0, &err);
		json_array_foreach(roles, k, r) {
			char key[64], extra[32];
			snprintf(key, sizeof key, "%s/%d", wu__jstr(e, "org"), role_code(json_string_value(r)));
			if (!role_code(json_string_value(r)) || json_object_get(seen, key))
				continue;
			json_object_set_new(seen, key, json_true());
			snprintf(extra, sizeof extra, " role=\"%d\"", role_code(json_string_value(r)));
			org_element(o, "participating-org", org(s, wu__jstr(e, "org")), extra);
		}
		json_decref(roles);
	}
	json_array_foreach(json_object_get(p, "funders"), i, e) {
		char key[64];
		snprintf(key, sizeof key, "%s/1", json_string_value(e));
		if (json_object_get(seen, key))
			continue;
		json_object_set_new(seen, key, json_true());
		org_element(o, "participating-org", org(s, json_string_value(e)), " role=\"1\"");
	}
	char key[64];
	snprintf(key, sizeof key, "%s/2", wu__jstr(p, "lead"));
	if (!json_object_get(seen, key))
		org_element(o, "participating-org", org(s, wu__jstr(p, "lead")), " role=\"2\"");
	json_decref(seen);
}

static void dates(struct wu_out *o, const json_t *p)
{
	static const char *const keys[] = { "planned_start", "actual_start", "planned_end", "actual_end" };
	for (int i = 0; i < 4; i++)
		if (*wu__jstr(p, keys[i]))
			wu__put(o, "  <activity-date iso-date=\"%s\" type=\"%d\"/>\n", wu__jstr(p, keys[i]), i + 1);
}

/* Countries of the sites, sharing 100 percent (the remainder to the first). */
static void countries(struct wu_out *o, const json_t *p)
{
	json_t *seen = json_object();
	size_t i;
	const json_t *e;
	json_array_foreach(json_object_get(p, "sites"), i, e)
		json_object_set_new(seen, wu__jstr(e, "country"), json_true());
	size_t n = json_object_size(seen), k = 0;
	const char *c;
	json_t *v;
	json_object_foreach(seen, c, v) {
		size_t pct = 100 / n + (k++ == 0 ? 100 % n : 0);
		wu__put(o, "  <recipient-country code=\"%s\" percentage=\"%zu\"/>\n", c, pct);
	}
	json_decref(seen);
}

/* Budgets: the lines summed by type, status, period and currency. A line
 * without a period is given its value date's calendar year. */
static int budgets(struct std *s, struct wu_out *o, const json_t *p)
{
	json_t *groups = json_object();
	size_t i;
	const json_t *l;
	json_array_foreach(json_object_get(p, "lines"), i, l) {
		char start[11], end[11], key[80];
		snprintf(start, sizeof start, "%s", *wu__jstr(l, "period_start") ? wu__jstr(l, "period_start") : wu__jstr(l, "value_date"));
		if (*wu__jstr(l, "period_end"))
			snprintf(end, sizeof end, "%s", wu__jstr(l, "period_end"));
		else
			snprintf(end, sizeof end, "%.4s-12-31", start);
		snprintf(key, sizeof key, "%d|%d|%s|%s|%s", !strcmp(wu__jstr(l, "budget_type"), "revised") ? 2 : 1,
			 !strcmp(wu__jstr(l, "status"), "committed") ? 2 : 1, start, end, wu__jstr(l, "currency"));
		json_t *g = json_object_get(groups, key);
		if (!g && json_object_set_new(groups, key, g = json_pack("{sIss}", "amount", (json_int_t)0, "value_date",
									 wu__jstr(l, "value_date"))))
			g = NULL;
		int64_t sum;
		if (!g || __builtin_add_overflow(json_integer_value(json_object_get(g, "amount")),
						 json_integer_value(json_object_get(l, "amount")), &sum)) {
			json_decref(groups);
			return g ? wu__err(s->db, WU_EINVAL, "a budget of '%s' does not fit in 64 bits", wu__jstr(p, "title"))
				 : wu__err_nomem(s->db);
		}
		json_object_set_new(g, "amount", json_integer(sum));
		if (strcmp(wu__jstr(l, "value_date"), wu__jstr(g, "value_date")) < 0)
			json_object_set_new(g, "value_date", json_string(wu__jstr(l, "value_date")));
	}
	const char *key;
	json_t *g;
	int rc = WU_OK;
	json_object_foreach(groups, key, g) {
		int type, status;
		char start[11], end[11], cur[4];
		if (sscanf(key, "%d|%d|%10[^|]|%10[^|]|%3s", &type, &status, start, end, cur) != 5)
			continue;
		char *amount = amount_text(s, json_integer_value(json_object_get(g, "amount")), cur);
		if (!amount) {
			rc = wu__err_nomem(s->db);
			break;
		}
		wu__put(o, "  <budget type=\"%d\" status=\"%d\">\n   <period-start iso-date=\"%s\"/>\n   <period-end iso-date=\"%s\"/>\n"
		       "   <value currency=\"%s\" value-date=\"%s\">%s</value>\n  </budget>\n",
		    type, status, start, end, cur, wu__jstr(g, "value_date"), amount);
		free(amount);
	}
	json_decref(groups);
	return rc;
}

static int transactions(struct std *s, struct wu_out *o, const json_t *p)
{
	size_t i;
	const json_t *t;
	json_array_foreach(json_object_get(p, "transactions"), i, t) {
		char *amount = amount_text(s, json_integer_value(json_object_get(t, "amount")), wu__jstr(t, "currency"));
		if (!amount)
			return wu__err_nomem(s->db);
		wu__put(o, "  <transaction>\n   <transaction-type code=\"%d\"/>\n   <transaction-date iso-date=\"%s\"/>\n"
		       "   <value currency=\"%s\" value-date=\"%s\">%s</value>\n",
		    transaction_code(wu__jstr(t, "kind")), wu__jstr(t, "date"), wu__jstr(t, "currency"),
		    *wu__jstr(t, "value_date") ? wu__jstr(t, "value_date") : wu__jstr(t, "date"), amount);
		free(amount);
		const char *tags[2] = { "provider-org", "receiver-org" }, *keys[2] = { "provider", "receiver" };
		for (int k = 0; k < 2; k++) {
			const json_t *who = *wu__jstr(t, keys[k]) ? org(s, wu__jstr(t, keys[k])) : NULL;
			if (!who)
				continue;
			wu__put(o, "   <%s ref=\"", tags[k]);
			wu__put_markup(o, wu__jstr(who, "ident"));
			wu__put(o, "\" type=\"%s\">\n", wu__jstr(who, "iati_type"));
			narrative(o, "    ", wu__jstr(who, "label"));
			wu__put(o, "   </%s>\n", tags[k]);
		}
		wu__put(o, "  </transaction>\n");
	}
	return WU_OK;
}

/* 1 pipeline, 2 implementation, 3 finalisation: from the actual dates. */
static int activity_status(const json_t *p)
{
	if (*wu__jstr(p, "actual_end"))
		return 3;
	return *wu__jstr(p, "actual_start") ? 2 : 1;
}

static int write_iati(struct std *s, struct wu_out *o)
{
	char now[32];
	if (s->o->generated)
		snprintf(now, sizeof now, "%s", s->o->generated);
	else
		wu__now(now);
	wu__put(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities version=\"2.03\" generated-datetime=\"%s\">\n", now);
	size_t i;
	const json_t *id;
	int rc = WU_OK;
	json_array_foreach(s->order, i, id) {
		const json_t *p = json_object_get(s->projects, json_string_value(id));
		const json_t *lead = org(s, wu__jstr(p, "lead"));
		const json_t *first_line = json_array_get(json_object_get(p, "lines"), 0);
		wu__put(o, " <iati-activity last-updated-datetime=\"%s\" xml:lang=\"en\"", wu__jstr(p, "updated"));
		if (first_line)
			wu__put(o, " default-currency=\"%s\"", wu__jstr(first_line, "currency"));
		wu__put(o, ">\n  <iati-identifier>");
		wu__put_markup(o, wu__jstr(lead, "ident"));
		wu__put(o, "-%s</iati-identifier>\n  <reporting-org ref=\"", json_string_value(id));
		wu__put_markup(o, wu__jstr(lead, "ident"));
		wu__put(o, "\" type=\"%s\">\n", wu__jstr(lead, "iati_type"));
		narrative(o, "   ", wu__jstr(lead, "label"));
		wu__put(o, "  </reporting-org>\n  <title>\n");
		narrative(o, "   ", wu__jstr(p, "title"));
		wu__put(o, "  </title>\n  <description type=\"1\">\n");
		char *d = NULL;
		if (asprintf(&d, "Research project led by %s, logged with withus: partnerships, involvement of community "
				 "organisations and the money that reaches them.", wu__jstr(lead, "label")) < 0)
			return wu__err_nomem(s->db);
		narrative(o, "   ", d);
		free(d);
		wu__put(o, "  </description>\n");
		/* from here on, the element order of the 2.03 schema's sequence */
		participants(s, o, p);
		wu__put(o, "  <activity-status code=\"%d\"/>\n", activity_status(p));
		dates(o, p);
		countries(o, p);
		wu__put(o, "  <sector vocabulary=\"1\" code=\"12182\" percentage=\"100\"/>\n");
		if ((rc = budgets(s, o, p)) || (rc = transactions(s, o, p)))
			break;
		wu__put(o, " </iati-activity>\n");
	}
	wu__put(o, "</iati-activities>\n");
	return rc;
}

int wu_export_standard(wu_db *db, FILE *f, wu_standard std, const wu_standard_opts *opts)
{
	static const wu_standard_opts none = { 0 };
	struct std s = { .db = db, .o = opts ? opts : &none, .projects = json_object(), .order = json_array() };
	struct wu_out o = { .f = f };
	wu__err_clear(db);
	bool began = false;
	int rc = s.projects && s.order ? wu__read_begin(db, &began) : wu__err_nomem(db);
	if (!rc)
		rc = load(&s);
	wu__read_end(db, began);
	if (!rc && std == WU_STD_IATI && !json_array_size(s.order))
		rc = wu__err(db, WU_ENOTFOUND, "no project to export%s", shared_only(&s) ? " (only shared projects leave under this profile)" : "");
	if (!rc) {
		switch (std) {
		case WU_STD_360GIVING_CSV: rc = write_360giving(&s, &o, false); break;
		case WU_STD_360GIVING_JSON: rc = write_360giving(&s, &o, true); break;
		case WU_STD_IATI: rc = write_iati(&s, &o); break;
		default: rc = wu__err(db, WU_EINVAL, "unknown standard %d", (int)std);
		}
	}
	json_decref(s.orgs);
	json_decref(s.projects);
	json_decref(s.order);
	if (!rc && (o.failed || ferror(f)))
		rc = wu__err(db, WU_EIO, "cannot write the export");
	return rc;
}
