/*
 * audit.c - what organisations say about the claims that name them.
 *
 * A claim is any record that names an organisation in one of its
 * organisation fields: a partnership, an involvement, a budget line, a
 * payment, an authorship (contribution), a role slot ... An attestation is
 * the organisation's word on one claim: confirmed, partly confirmed or
 * disputed, with a comment. It never changes the claim; both stand with
 * their history. The newest attestation by the organisation on a claim is
 * the claim's status, and it speaks for the version of the claim it saw:
 * claim_version is an MD5 of the claim's canonical JSON without its id,
 * `updated` and note, which is the same on every machine that holds that
 * version (`updated` is not: each machine stamps its own). A later edit of
 * the claim asks the organisation for a new look.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "sync.h"

int wu__claim_version(wu_db *db, const json_t *claim, char out[33])
{
	json_t *c = json_copy((json_t *)claim); /* shallow: only top-level keys go */
	if (!c)
		return wu__err_nomem(db);
	json_object_del(c, "id");
	json_object_del(c, "updated");
	json_object_del(c, "note");
	char *text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(c);
	if (!text)
		return wu__err_nomem(db);
	wu__md5_string(out, text, strlen(text));
	free(text);
	return WU_OK;
}

int wu__claim_current(wu_db *db, const wu_type *t, const char *claim_id, const char *version, bool *out)
{
	json_t *claim = NULL;
	char now[33];
	*out = false;
	int rc = t ? wu__record_get_typed(&claim, db, t, claim_id) : wu_record_get(&claim, db, claim_id);
	if (rc == WU_ENOTFOUND) {
		wu__err_clear(db);
		return WU_OK; /* pulled before its claim: not current */
	}
	if (!rc)
		rc = wu__claim_version(db, claim, now);
	*out = !rc && version && !strcmp(version, now);
	json_decref(claim);
	return rc;
}

bool wu__is_claim_type(const wu_type *t)
{
	if (!t || !strcmp(t->name, "org") || !strcmp(t->name, "attestation"))
		return false;
	for (size_t i = 0; i < t->nfields; i++)
		if (t->fields[i].ref && !strcmp(t->fields[i].ref, "org"))
			return true;
	return false;
}

/* Whether `claim` (a record of type `t`) names organisation `org`. */
static bool names_org(const wu_type *t, const json_t *claim, const char *org)
{
	for (size_t i = 0; i < t->nfields; i++) {
		const wu_field *f = &t->fields[i];
		const json_t *v = json_object_get(claim, f->name);
		if (!f->ref || strcmp(f->ref, "org") || !v)
			continue;
		if (json_is_string(v) && !strcmp(json_string_value(v), org))
			return true;
		size_t k;
		const json_t *e;
		json_array_foreach(v, k, e)
			if (json_is_string(e) && !strcmp(json_string_value(e), org))
				return true;
	}
	return false;
}

/* The project a claim belongs to (new string), through its output for a
 * contribution; NULL with WU_OK when it has none. */
static int claim_project(wu_db *db, const wu_type *t, const json_t *claim, char **out)
{
	*out = NULL;
	const char *p = NULL;
	json_t *output = NULL;
	int rc = WU_OK;
	if (!strcmp(t->name, "project"))
		p = json_string_value(json_object_get(claim, "id"));
	else if (json_object_get(claim, "project"))
		p = json_string_value(json_object_get(claim, "project"));
	else if (json_is_string(json_object_get(claim, "output")) &&
		 !(rc = wu_record_get(&output, db, json_string_value(json_object_get(claim, "output")))))
		p = json_string_value(json_object_get(output, "project"));
	if (!rc && p && !(*out = strdup(p)))
		rc = wu__err_nomem(db);
	json_decref(output);
	return rc;
}

/* The claim an attestation names, with its type; WU_EINVAL naming the
 * field when there is none or it is not a claim about an organisation. */
static int load_claim(wu_db *db, const json_t *att, const wu_type **t, json_t **claim)
{
	const char *id = json_string_value(json_object_get(att, "claim"));
	int rc;
	*claim = NULL;
	*t = id ? wu__type_of_id(db, id, &rc) : NULL;
	if (!*t)
		return rc == WU_ENOTFOUND || !id ? wu__err(db, WU_EINVAL, "attestation.claim: '%s' is not the id of any record",
							   id ? id : "") : rc;
	if (!wu__is_claim_type(*t))
		return wu__err(db, WU_EINVAL, "attestation.claim: '%s' is a%s %s, which names no organisation to attest it",
			       id, strchr("aeiou", (*t)->title[0]) ? "n" : "", (*t)->title);
	return wu_record_get(claim, db, id);
}

int wu__attestation_fill(wu_db *db, json_t *att)
{
	if (!json_is_string(json_object_get(att, "claim")) || !wu__id_valid(json_string_value(json_object_get(att, "claim"))))
		return WU_OK; /* validation says what is wrong with it */
	const wu_type *t;
	json_t *claim = NULL;
	char *project = NULL;
	int rc = load_claim(db, att, &t, &claim);
	if (!rc && !json_object_get(att, "project"))
		rc = claim_project(db, t, claim, &project);
	if (!rc && project && json_object_set_new(att, "project", json_string(project)))
		rc = wu__err_nomem(db);
	char version[33];
	if (!rc && !json_object_get(att, "claim_version") && !(rc = wu__claim_version(db, claim, version)) &&
	    json_object_set_new(att, "claim_version", json_string(version)))
		rc = wu__err_nomem(db);
	free(project);
	json_decref(claim);
	return rc;
}

int wu__attestation_check(wu_db *db, const json_t *att)
{
	const wu_type *t;
	json_t *claim = NULL;
	char *project = NULL;
	int rc = load_claim(db, att, &t, &claim);
	const char *org = json_string_value(json_object_get(att, "org"));
	const char *given = json_string_value(json_object_get(att, "project"));
	if (!rc && org && !names_org(t, claim, org))
		rc = wu__err(db, WU_EINVAL, "attestation.org: '%s' is not named by the %s it attests (%s)", org, t->title,
			     json_string_value(json_object_get(claim, "id")));
	if (!rc)
		rc = claim_project(db, t, claim, &project);
	if (!rc && (given || project) && (!given || !project || strcmp(given, project)))
		rc = wu__err(db, WU_EINVAL, "attestation.project: '%s' is not the project of the claim (%s)", given ? given : "",
			     project ? project : "none");
	free(project);
	json_decref(claim);
	return rc;
}

int wu__attestation_update_check(wu_db *db, const json_t *before, const json_t *after)
{
	static const char *const fixed[] = { "claim", "org" };
	for (size_t i = 0; i < 2; i++) {
		const json_t *a = json_object_get(before, fixed[i]), *b = json_object_get(after, fixed[i]);
		if (!json_equal(a, b))
			return wu__err(db, WU_EINVAL,
				       "attestation.%s: '%s' cannot be changed; an attestation stays about its claim and "
				       "organisation (add a new one)",
				       fixed[i], json_string_value(b) ? json_string_value(b) : "");
	}
	return WU_OK;
}

/* ---- the audit of one organisation ------------------------------------------- */

struct audit {
	wu_db *db;
	const char *org;
	json_t *by_claim;  /* {claim id: [attestations by org, oldest first]} */
	wu_record_cb cb;
	void *payload;
	wu_audit_counts counts;
	int rc;            /* an error met inside a callback */
};

static int collect_attestation(const json_t *att, void *payload)
{
	struct audit *a = payload;
	const char *claim = json_string_value(json_object_get(att, "claim"));
	if (strcmp(json_string_value(json_object_get(att, "org")), a->org))
		return 0; /* names the org elsewhere? only its own word counts */
	json_t *list = json_object_get(a->by_claim, claim);
	if (!list && (json_object_set_new(a->by_claim, claim, list = json_array()) || !list))
		list = NULL;
	if (!list || json_array_append(list, (json_t *)att)) { /* kept read-only */
		a->rc = wu__err_nomem(a->db);
		return 1;
	}
	return 0;
}

static void count(struct audit *a, const char *status, bool changed)
{
	if (!strcmp(status, "unconfirmed"))
		a->counts.unconfirmed++;
	else if (!strcmp(status, "confirmed"))
		a->counts.confirmed++;
	else if (!strcmp(status, "partly-confirmed"))
		a->counts.partly++;
	else
		a->counts.disputed++;
	if (changed)
		a->counts.changed++;
}

static int report_claim(const json_t *claim, void *payload)
{
	struct audit *a = payload;
	const char *id = json_string_value(json_object_get(claim, "id"));
	json_t *history = json_object_get(a->by_claim, id);
	json_t *latest = json_array_get(history, json_array_size(history) - 1);
	const char *status = latest ? json_string_value(json_object_get(latest, "status")) : "unconfirmed";
	char version[33];
	if (wu__claim_version(a->db, claim, version)) {
		a->rc = WU_ENOMEM;
		return 1;
	}
	const char *seen = latest ? json_string_value(json_object_get(latest, "claim_version")) : NULL;
	bool changed = latest && (!seen || strcmp(seen, version));
	json_t *atts = history ? json_incref(history) : json_array();
	json_t *entry = atts ? json_pack("{sOsssbso}", "claim", claim, "status", status, "changed_since", changed,
					 "attestations", atts)
			     : NULL;
	if (!entry) {
		a->rc = wu__err_nomem(a->db);
		return 1;
	}
	count(a, status, changed);
	int stop = a->cb ? a->cb(entry, a->payload) : 0;
	json_decref(entry);
	return stop;
}

int wu_audit(wu_audit_counts *out, wu_db *db, const char *org, const wu_query *q, wu_record_cb cb, void *payload)
{
	wu__err_clear(db);
	if (out)
		memset(out, 0, sizeof *out);
	if (!org)
		return wu__err(db, WU_EMISUSE, "audit: no organisation");
	struct audit a = { .db = db, .org = org, .by_claim = json_object(), .cb = cb, .payload = payload };
	if (!a.by_claim)
		return wu__err_nomem(db);
	wu_query only = { .project = q ? q->project : NULL, .org = org };
	bool began = false;
	int rc = wu__read_begin(db, &began);
	json_t *org_rec = NULL;
	if (!rc)
		rc = wu_record_get(&org_rec, db, org);
	if (!rc && strcmp(json_string_value(json_object_get(org_rec, "type")), "org"))
		rc = wu__err(db, WU_EINVAL, "audit: '%s' is not an organisation", org);
	json_decref(org_rec);
	if (!rc)
		rc = wu_record_list(db, "attestation", &only, collect_attestation, &a);
	for (size_t i = 0; !rc && !a.rc && i < wu_type_count(); i++)
		if (wu__is_claim_type(wu_type_at(i)))
			rc = wu_record_list(db, wu_type_at(i)->name, &only, report_claim, &a);
	if (!rc)
		rc = a.rc;
	wu__read_end(db, began);
	json_decref(a.by_claim);
	if (out)
		*out = a.counts;
	return rc;
}
