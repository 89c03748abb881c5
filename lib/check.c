/*
 * check.c - runs the rule catalogue over a portfolio and keeps the result:
 * findings, and a verdict per project and recommendation.
 *
 * Facts are gathered once (facts.c); then every enabled rule judges every
 * selected project from memory. No query runs per project or per record.
 */
#include "config.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "rules.h"

struct result_project {
	wu_id id;
	char *title;
	wu_verdict verdict[4];
};

struct wu_result {
	char as_of[11];
	wu_finding *findings;  /* each finding's strings live in one block at ->message */
	size_t nfindings, cap;
	struct result_project *projects;
	size_t nprojects;
};

const char *wu_status_name(wu_status s)
{
	static const char *const names[] = { "met", "partly met", "not met", "insufficient data", "not applicable" };
	return (unsigned)s <= WU_NOT_APPLICABLE ? names[s] : "?";
}

static void today(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Copies the finding's strings and ids into one allocation. */
static int add_finding(wu_db *db, wu_result *res, const struct wu_eval *e, const struct result_project *rp,
		       wu_severity sev)
{
	const char *remedy = e->remedy ? e->remedy : e->rule->how;
	size_t lens[4] = { strlen(e->message) + 1, strlen(e->expected) + 1, strlen(e->actual) + 1, strlen(remedy) + 1 };
	size_t nids = e->records.n;
	size_t size = nids * sizeof(char *) + nids * sizeof(wu_id) + lens[0] + lens[1] + lens[2] + lens[3];
	wu_finding *f = wu__vec_push(&res->findings, &res->nfindings, &res->cap, sizeof *f);
	char *block = f ? malloc(size) : NULL;
	if (!block) {
		if (f)
			res->nfindings--;
		return wu__err_nomem(db);
	}
	const char **ids = (const char **)(void *)block;
	char *p = block + nids * sizeof(char *);
	for (size_t i = 0; i < nids; i++, p += sizeof(wu_id)) {
		memcpy(p, e->records.v[i], sizeof(wu_id));
		ids[i] = p;
	}
	const char *texts[4] = { e->message, e->expected, e->actual, remedy };
	const char **dst[4] = { &f->message, &f->expected, &f->actual, &f->remedy };
	for (int i = 0; i < 4; i++) {
		memcpy(p, texts[i], lens[i]);
		*dst[i] = p;
		p += lens[i];
	}
	f->rule = e->rule;
	f->severity = sev;
	f->insufficient = e->outcome == WU_OUT_INSUFFICIENT;
	f->project = rp->id;
	f->project_title = rp->title;
	/* The block starts at the ids when there are any, else at the message:
	 * finding_block() finds it again to free it. */
	f->records = nids ? ids : NULL;
	f->nrecords = nids;
	return WU_OK;
}

static void *finding_block(const wu_finding *f)
{
	return f->nrecords ? (void *)f->records : (void *)f->message;
}

static wu_severity min_severity(wu_severity a, wu_severity b)
{
	return a < b ? a : b;
}

/* met: every rule that applies passes; not met: an error-level rule fails;
 * insufficient data: no rule could judge; partly met: anything between.
 * Info-level failures are reported but do not move the verdict. */
static void settle(wu_verdict *v, bool error_failed, bool warning_failed)
{
	if (error_failed)
		v->status = WU_NOT_MET;
	else if (!v->passed && !v->failed && !v->insufficient)
		v->status = WU_NOT_APPLICABLE;
	else if (!warning_failed && !v->insufficient)
		v->status = WU_MET;
	else if (!v->passed && !warning_failed)
		v->status = WU_INSUFFICIENT;
	else
		v->status = WU_PARTLY_MET;
}

struct emit_ctx {
	wu_result *res;
	struct result_project *rp;
	wu_severity sev;
};

/* A finding filed in the middle of a rule's evaluation (struct wu_eval). */
static int emit_finding(struct wu_eval *e)
{
	struct emit_ctx *c = e->emit_ctx;
	int rc = add_finding(e->db, c->res, e, c->rp, c->sev);
	e->records.n = 0;
	e->message[0] = e->expected[0] = e->actual[0] = '\0';
	e->remedy = NULL;
	return rc;
}

static int judge_project(wu_db *db, wu_result *res, const struct wu_fproject *p, struct result_project *rp,
			 const wu_policy *pol, int64_t today_days)
{
	bool errors[4] = { false }, warnings[4] = { false };
	struct emit_ctx ectx = { .res = res, .rp = rp };
	struct wu_eval e = { .db = db, .p = p, .policy = pol, .today = today_days, .emit = emit_finding, .emit_ctx = &ectx };
	int rc = WU_OK;
	for (size_t i = 0; i < wu_rule_count() && !rc; i++) {
		const wu_rule *r = wu_rule_at(i);
		if (!wu_policy_enabled(pol, r))
			continue;
		e.rule = r;
		e.outcome = WU_OUT_PASS;
		e.records.n = 0;
		e.message[0] = e.expected[0] = e.actual[0] = '\0';
		e.remedy = NULL;
		ectx.sev = wu_policy_severity(pol, r);
		wu__rule_eval(r, &e);
		if (e.nomem) {
			rc = wu__err_nomem(db);
			break;
		}
		wu_verdict *v = &rp->verdict[r->recommendation - 1];
		wu_severity sev = wu_policy_severity(pol, r);
		switch (e.outcome) {
		case WU_OUT_PASS:
			v->passed++;
			break;
		case WU_OUT_NA:
			v->not_applicable++;
			break;
		case WU_OUT_FAIL:
			v->failed++;
			errors[r->recommendation - 1] |= sev == WU_SEV_ERROR;
			warnings[r->recommendation - 1] |= sev == WU_SEV_WARNING;
			rc = add_finding(db, res, &e, rp, sev);
			break;
		case WU_OUT_INSUFFICIENT:
			v->insufficient++;
			rc = add_finding(db, res, &e, rp, min_severity(sev, wu__policy_insufficient(pol)));
			break;
		}
	}
	WU_VEC_FREE(e.records);
	for (int k = 0; k < 4; k++)
		settle(&rp->verdict[k], errors[k], warnings[k]);
	return rc;
}

static int check_selection(wu_db *db, const struct wu_facts *facts, const wu_check_opts *o)
{
	for (size_t i = 0; i < o->nprojects; i++) {
		bool found = false;
		for (size_t j = 0; j < facts->nprojects && !found; j++)
			found = !strcmp(facts->projects[j].id, o->projects[i]);
		if (!found)
			return wu__err(db, WU_ENOTFOUND, "project '%s' not found", o->projects[i]);
	}
	return WU_OK;
}

int wu_check(wu_result **out, wu_db *db, const wu_check_opts *opts)
{
	return wu__check_keep(out, db, opts, NULL);
}

/* wu_check, handing the facts it gathered to `keep` (when not NULL) for a
 * caller that needs them too: the report reads the database once for both. */
int wu__check_keep(wu_result **out, wu_db *db, const wu_check_opts *opts, struct wu_facts *keep)
{
	static const wu_check_opts none = { 0 };
	const wu_check_opts *o = opts ? opts : &none;
	*out = NULL;
	wu__err_clear(db);
	wu_result *res = calloc(1, sizeof *res);
	if (!res)
		return wu__err_nomem(db);
	if (o->as_of) {
		if (wu__date_days(o->as_of) == INT64_MIN) {
			free(res);
			return wu__err(db, WU_EINVAL, "as_of: '%s' is not a date (YYYY-MM-DD)", o->as_of);
		}
		snprintf(res->as_of, sizeof res->as_of, "%s", o->as_of);
	} else {
		today(res->as_of);
	}
	struct wu_facts facts;
	int rc = wu__facts_gather(db, &facts, o->projects, o->projects ? o->nprojects : 0);
	if (rc) {
		free(res);
		return rc;
	}
	if (o->projects)
		rc = check_selection(db, &facts, o);
	if (!rc && facts.nprojects && !(res->projects = calloc(facts.nprojects, sizeof *res->projects)))
		rc = wu__err_nomem(db);
	int64_t day = wu__date_days(res->as_of);
	for (size_t i = 0; !rc && i < facts.nprojects; i++) {
		struct result_project *rp = &res->projects[i];
		memcpy(rp->id, facts.projects[i].id, sizeof rp->id);
		/* The title moves from the facts to the result, unless they are kept. */
		rp->title = keep ? strdup(facts.projects[i].title) : facts.projects[i].title;
		if (!keep)
			facts.projects[i].title = NULL;
		else if (!rp->title)
			rc = wu__err_nomem(db);
		res->nprojects++;
		if (!rc)
		rc = judge_project(db, res, &facts.projects[i], rp, o->policy, day);
	}
	if (keep && !rc)
		*keep = facts;
	else
		wu__facts_free(&facts);
	if (rc) {
		wu_result_free(res);
		return rc;
	}
	*out = res;
	return WU_OK;
}

void wu_result_free(wu_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nfindings; i++)
		free(finding_block(&r->findings[i]));
	for (size_t i = 0; i < r->nprojects; i++)
		free(r->projects[i].title);
	free(r->findings);
	free(r->projects);
	free(r);
}

size_t wu_result_finding_count(const wu_result *r) { return r ? r->nfindings : 0; }
size_t wu_result_project_count(const wu_result *r) { return r ? r->nprojects : 0; }
const char *wu_result_as_of(const wu_result *r) { return r ? r->as_of : NULL; }

const wu_finding *wu_result_finding(const wu_result *r, size_t i)
{
	return r && i < r->nfindings ? &r->findings[i] : NULL;
}

const char *wu_result_project_id(const wu_result *r, size_t i)
{
	return r && i < r->nprojects ? r->projects[i].id : NULL;
}

const char *wu_result_project_title(const wu_result *r, size_t i)
{
	return r && i < r->nprojects ? r->projects[i].title : NULL;
}

const wu_verdict *wu_result_verdicts(const wu_result *r, size_t i)
{
	return r && i < r->nprojects ? r->projects[i].verdict : NULL;
}

int wu_result_worst(const wu_result *r)
{
	int worst = -1;
	for (size_t i = 0; r && i < r->nfindings; i++)
		if ((int)r->findings[i].severity > worst)
			worst = (int)r->findings[i].severity;
	return worst;
}
