/*
 * server-rules.c - the rules the server enforces, and installing them.
 *
 * Who may write what is the server's job, not each client's: a client can be
 * changed, the server cannot. withus ships a validate_doc_update function
 * (lib/validate_doc_update.js, compiled in) and the roles of the _security
 * object that go with it, and installs both as the database's admin.
 * Installing is idempotent and keeps what a consortium already put in
 * _security: withus's roles are added, nothing is taken away.
 */
#include "config.h"
#include <string.h>
#include "sync.h"
#include "rules-embed.inc"

#define DESIGN_ID "_design/withus"

static const char *const admin_roles[] = { "withus:admin", NULL };
static const char *const member_roles[] = { "withus:researcher", "withus:auditor", "withus:org", NULL };

/* Adds `want` to the role list at obj.section.roles, keeping what is there. */
static int add_roles(json_t *sec, const char *section, const char *const *want)
{
	json_t *part = json_object_get(sec, section);
	if (!json_is_object(part)) {
		if (json_object_set_new(sec, section, part = json_object()) || !part)
			return -1;
	}
	json_t *roles = json_object_get(part, "roles");
	if (!json_is_array(roles)) {
		if (json_object_set_new(part, "roles", roles = json_array()) || !roles)
			return -1;
	}
	if (!json_is_array(json_object_get(part, "names")) && json_object_set_new(part, "names", json_array()))
		return -1;
	for (; *want; want++) {
		bool have = false;
		size_t i;
		json_t *r;
		json_array_foreach(roles, i, r) have = have || (json_is_string(r) && !strcmp(json_string_value(r), *want));
		if (!have && json_array_append_new(roles, json_string(*want)))
			return -1;
	}
	return 0;
}

static json_t *design_doc(void)
{
	return json_pack("{sssssi}", "_id", DESIGN_ID, "validate_doc_update", wu_server_rules[0].text,
			 "withus_rules_version", 1);
}

int wu_rules_json(json_t **design, json_t **security)
{
	*design = design_doc();
	*security = json_object();
	if (!*design || !*security || add_roles(*security, "admins", admin_roles) ||
	    add_roles(*security, "members", member_roles)) {
		json_decref(*design);
		json_decref(*security);
		*design = *security = NULL;
		return WU_ENOMEM;
	}
	return WU_OK;
}

static int http_error(wu_db *db, const char *what, long status, const json_t *resp)
{
	const char *reason = json_string_value(json_object_get(resp, "reason"));
	if (status == 401 || status == 403)
		return wu__err(db, WU_EAUTH, "%s: refused (HTTP %ld%s%s); installing the rules needs the database admin's account",
			       what, status, reason ? ": " : "", reason ? reason : "");
	return wu__err(db, WU_EREMOTE, "%s: HTTP %ld%s%s", what, status, reason ? ": " : "", reason ? reason : "");
}

/* PUT the design document unless the server has the same function already. */
static int install_design(wu_db *db, wu_http *h, json_t *design, int *changed)
{
	long status;
	json_t *have = NULL, *resp = NULL;
	int rc = wu__http_request(h, "GET", "/" DESIGN_ID, false, NULL, &status, &have);
	if (!rc && status != 200 && status != 404)
		rc = http_error(db, "reading " DESIGN_ID, status, have);
	if (!rc && status == 200) {
		if (json_equal(json_object_get(have, "validate_doc_update"), json_object_get(design, "validate_doc_update"))) {
			json_decref(have);
			return WU_OK;
		}
		if (json_object_set(design, "_rev", json_object_get(have, "_rev")))
			rc = wu__err_nomem(db);
	}
	json_decref(have);
	if (!rc)
		rc = wu__http_request(h, "PUT", "/" DESIGN_ID, false, design, &status, &resp);
	if (!rc && status != 201 && status != 202)
		rc = http_error(db, "writing " DESIGN_ID, status, resp);
	json_decref(resp);
	if (!rc)
		*changed |= WU_RULES_DESIGN;
	return rc;
}

/* Merge withus's roles into the database's _security object. */
static int install_security(wu_db *db, wu_http *h, int *changed)
{
	long status;
	json_t *sec = NULL, *resp = NULL;
	int rc = wu__http_request(h, "GET", "/_security", false, NULL, &status, &sec);
	if (!rc && status != 200)
		rc = http_error(db, "reading _security", status, sec);
	json_t *before = rc ? NULL : json_deep_copy(json_is_object(sec) ? sec : NULL);
	if (!rc && !json_is_object(sec)) {
		json_decref(sec);
		sec = json_object();
	}
	if (!rc && (!sec || add_roles(sec, "admins", admin_roles) || add_roles(sec, "members", member_roles)))
		rc = wu__err_nomem(db);
	if (!rc && !json_equal(before, sec)) {
		rc = wu__http_request(h, "PUT", "/_security", false, sec, &status, &resp);
		if (!rc && status != 200 && status != 201)
			rc = http_error(db, "writing _security", status, resp);
		if (!rc)
			*changed |= WU_RULES_SECURITY;
	}
	json_decref(before);
	json_decref(sec);
	json_decref(resp);
	return rc;
}

int wu_remote_install_rules(int *changed, wu_db *db, const char *name, const wu_sync_opts *opts)
{
	static const wu_sync_opts defaults = { 0 };
	if (!opts)
		opts = &defaults;
	*changed = 0;
	wu__err_clear(db);
	struct remote_row remote;
	int rc = wu__remote_load(db, name, &remote);
	json_t *design = rc ? NULL : design_doc();
	if (!rc && !design)
		rc = wu__err_nomem(db);
	wu_http *h = NULL;
	if (!rc)
		rc = wu__remote_http_open(&h, db, &remote, opts);
	long status;
	json_t *resp = NULL;
	if (!rc)
		rc = wu__http_request(h, "HEAD", "", false, NULL, &status, &resp);
	json_decref(resp);
	if (!rc && status == 404)
		rc = wu__err(db, WU_ENOTFOUND, "%s: no such database on the server (sync --create makes it)", remote.url);
	else if (!rc && status != 200)
		rc = http_error(db, remote.url, status, NULL);
	if (!rc)
		rc = install_design(db, h, design, changed);
	if (!rc)
		rc = install_security(db, h, changed);
	wu__http_close(h);
	json_decref(design);
	wu__remote_row_free(&remote);
	return rc;
}
