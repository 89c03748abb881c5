/*
 * policy.c - thresholds, severities and switches over the rule catalogue.
 *
 * A funder publishes its own bar as a small JSON file (docs/policy.md):
 *
 *   { "withus_policy": 1, "name": "Lakeside Foundation 2026",
 *     "insufficient_data": "warning",
 *     "rules": { "swlo-budget-share": { "min_pct": 40, "severity": "error" },
 *                "pay-parity": { "enabled": false } } }
 *
 * Anything the file does not name keeps its default. Unknown keys and values
 * of the wrong type are refused, naming the key: a typo in a published bar
 * must not silently fall back to the default.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "rules.h"

#define MAX_PARAMS 4

struct rule_policy {
	bool enabled;
	wu_severity severity;
	int64_t value[MAX_PARAMS];
	bool overridden[MAX_PARAMS];
};

struct wu_policy {
	char *name;
	wu_severity insufficient;
	struct rule_policy *rules; /* one per catalogue entry */
};

static const char default_name[] = "withus defaults";

int wu_policy_new(wu_policy **out, wu_db *db)
{
	*out = NULL;
	wu_policy *pol = calloc(1, sizeof *pol);
	if (!pol || !(pol->rules = calloc(wu_rule_count(), sizeof *pol->rules)) || !(pol->name = strdup(default_name))) {
		wu_policy_free(pol);
		return wu__err_nomem(db);
	}
	pol->insufficient = WU_SEV_WARNING;
	for (size_t i = 0; i < wu_rule_count(); i++) {
		const wu_rule *r = wu_rule_at(i);
		pol->rules[i].enabled = true;
		pol->rules[i].severity = r->severity;
		for (size_t j = 0; j < r->nparams && j < MAX_PARAMS; j++)
			pol->rules[i].value[j] = r->params[j].defval;
	}
	*out = pol;
	return WU_OK;
}

void wu_policy_free(wu_policy *pol)
{
	if (!pol)
		return;
	free(pol->name);
	free(pol->rules);
	free(pol);
}

static const struct rule_policy *rule_of(const wu_policy *pol, const wu_rule *r)
{
	return pol ? &pol->rules[wu__rule_index(r)] : NULL;
}

const char *wu_policy_name(const wu_policy *pol)
{
	return pol ? pol->name : default_name;
}

int wu_policy_enabled(const wu_policy *pol, const wu_rule *r)
{
	return pol ? rule_of(pol, r)->enabled : 1;
}

wu_severity wu_policy_severity(const wu_policy *pol, const wu_rule *r)
{
	return pol ? rule_of(pol, r)->severity : r->severity;
}

int64_t wu_policy_value(const wu_policy *pol, const wu_rule *r, const wu_param *p)
{
	if (!p)
		return 0;
	size_t j = (size_t)(p - r->params);
	return pol ? rule_of(pol, r)->value[j] : p->defval;
}

const char *wu_policy_value_source(const wu_policy *pol, const wu_rule *r, const wu_param *p)
{
	if (pol && rule_of(pol, r)->overridden[p - r->params])
		return pol->name;
	return p->source;
}

wu_severity wu__policy_insufficient(const wu_policy *pol)
{
	return pol ? pol->insufficient : WU_SEV_WARNING;
}

/* ---- parsing --------------------------------------------------------------- */

static int parse_severity(wu_db *db, const char *name, const char *key, const json_t *v, wu_severity *out)
{
	for (int s = WU_SEV_INFO; s <= WU_SEV_ERROR; s++)
		if (json_is_string(v) && !strcmp(json_string_value(v), wu_severity_name((wu_severity)s))) {
			*out = (wu_severity)s;
			return WU_OK;
		}
	char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	int rc = wu__err(db, WU_EINVAL, "%s: %s: expected \"info\", \"warning\" or \"error\", got %s", name, key,
			 text ? text : "?");
	free(text);
	return rc;
}

static int bad_value(wu_db *db, const char *name, const char *rule, const wu_param *p, const json_t *v,
		     const char *expected)
{
	char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	int rc = wu__err(db, WU_EINVAL, "%s: rules.%s.%s: expected %s, got %s", name, rule, p->name, expected,
			 text ? text : "?");
	free(text);
	return rc;
}

static int parse_level(const json_t *v, int64_t *out)
{
	for (int l = 0; json_is_string(v) && l <= WU_LV_LEAD; l++)
		if (!strcmp(json_string_value(v), wu_level_name(l))) {
			*out = l;
			return 0;
		}
	return -1;
}

static int parse_phases(const json_t *v, int64_t *out)
{
	size_t i;
	json_t *item;
	int64_t mask = 0;
	if (!json_is_array(v))
		return -1;
	json_array_foreach(v, i, item) {
		int found = -1;
		for (int ph = 0; json_is_string(item) && ph < WU_NPHASES; ph++)
			if (!strcmp(json_string_value(item), wu_phase_name(ph)))
				found = ph;
		if (found < 0)
			return -1;
		mask |= (int64_t)1 << found;
	}
	*out = mask;
	return 0;
}

static int parse_param(wu_db *db, const char *name, const wu_rule *r, const wu_param *p, const json_t *v,
		       int64_t *out)
{
	switch (p->kind) {
	case WU_P_PERCENT:
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100)
			return bad_value(db, name, r->id, p, v, "a whole percentage 0-100");
		*out = json_integer_value(v);
		return WU_OK;
	case WU_P_DAYS:
	case WU_P_COUNT:
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100000)
			return bad_value(db, name, r->id, p, v,
					 p->kind == WU_P_DAYS ? "a whole number of days 0-100000" : "a whole number 0-100000");
		*out = json_integer_value(v);
		return WU_OK;
	case WU_P_LEVEL:
		if (parse_level(v, out))
			return bad_value(db, name, r->id, p, v, "a level: none, inform, consult, involve, collaborate or lead");
		return WU_OK;
	case WU_P_PHASES:
		if (parse_phases(v, out))
			return bad_value(db, name, r->id, p, v,
					 "an array of phases (identifying, commissioning, design, undertaking, analysis, dissemination, evaluation, governance)");
		return WU_OK;
	}
	return WU_EINVAL;
}

static int param_names(char *buf, size_t size, const wu_rule *r)
{
	size_t used = (size_t)snprintf(buf, size, "enabled, severity");
	for (size_t i = 0; i < r->nparams && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, ", %s", r->params[i].name);
	return 0;
}

static int parse_rule(wu_db *db, const char *name, const wu_rule *r, const json_t *obj, struct rule_policy *rp)
{
	if (!json_is_object(obj))
		return wu__err(db, WU_EINVAL, "%s: rules.%s: expected an object", name, r->id);
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v) {
		const wu_param *p = wu_rule_param(r, key);
		int rc = WU_OK;
		if (!strcmp(key, "enabled")) {
			if (!json_is_boolean(v))
				return wu__err(db, WU_EINVAL, "%s: rules.%s.enabled: expected true or false", name, r->id);
			rp->enabled = json_is_true(v);
		} else if (!strcmp(key, "severity")) {
			char where[128];
			snprintf(where, sizeof where, "rules.%s.severity", r->id);
			rc = parse_severity(db, name, where, v, &rp->severity);
		} else if (p) {
			size_t j = (size_t)(p - r->params);
			rc = parse_param(db, name, r, p, v, &rp->value[j]);
			rp->overridden[j] = true;
		} else {
			char names[256];
			param_names(names, sizeof names, r);
			return wu__err(db, WU_EINVAL, "%s: rules.%s: unknown key '%s' (this rule has: %s)", name, r->id, key,
				       names);
		}
		if (rc)
			return rc;
	}
	return WU_OK;
}

static int parse_document(wu_db *db, wu_policy *pol, const json_t *doc, const char *name)
{
	if (!json_is_object(doc))
		return wu__err(db, WU_EINVAL, "%s: a policy is a JSON object", name);
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)doc, key, v) {
		int rc = WU_OK;
		if (!strcmp(key, "withus_policy")) {
			if (!json_is_integer(v) || json_integer_value(v) != 1)
				return wu__err(db, WU_EINVAL, "%s: withus_policy: this version of withus reads policy format 1",
					       name);
		} else if (!strcmp(key, "name")) {
			if (!json_is_string(v) || !json_string_length(v))
				return wu__err(db, WU_EINVAL, "%s: name: expected a non-empty string", name);
			char *copy = strdup(json_string_value(v));
			if (!copy)
				return wu__err_nomem(db);
			free(pol->name);
			pol->name = copy;
		} else if (!strcmp(key, "insufficient_data")) {
			rc = parse_severity(db, name, "insufficient_data", v, &pol->insufficient);
		} else if (!strcmp(key, "rules")) {
			if (!json_is_object(v))
				return wu__err(db, WU_EINVAL, "%s: rules: expected an object keyed by rule id", name);
			const char *id;
			json_t *robj;
			json_object_foreach(v, id, robj) {
				const wu_rule *r = wu_rule_find(id);
				if (!r)
					return wu__err(db, WU_EINVAL, "%s: rules: no rule '%s' (withus rules lists them)", name, id);
				if ((rc = parse_rule(db, name, r, robj, &pol->rules[wu__rule_index(r)])))
					return rc;
			}
		} else {
			return wu__err(db, WU_EINVAL,
				       "%s: unknown key '%s' (a policy has withus_policy, name, insufficient_data and rules)", name, key);
		}
		if (rc)
			return rc;
	}
	return WU_OK;
}

int wu_policy_load(wu_policy *pol, wu_db *db, const char *text, size_t len, const char *name)
{
	if (!pol || !text)
		return wu__err(db, WU_EMISUSE, "wu_policy_load: no policy or text");
	name = name ? name : "policy";
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return wu__err(db, WU_EINVAL, "%s:%d:%d: %s", name, jerr.line, jerr.column, jerr.text);
	/* Work on a copy, so that a refused file leaves `pol` as it was. */
	wu_policy copy = { .insufficient = pol->insufficient };
	copy.rules = malloc(wu_rule_count() * sizeof *copy.rules);
	copy.name = strdup(pol->name);
	int rc = copy.rules && copy.name ? WU_OK : wu__err_nomem(db);
	if (!rc) {
		memcpy(copy.rules, pol->rules, wu_rule_count() * sizeof *copy.rules);
		rc = parse_document(db, &copy, doc, name);
	}
	json_decref(doc);
	if (rc) {
		free(copy.rules);
		free(copy.name);
		return rc;
	}
	free(pol->rules);
	free(pol->name);
	pol->rules = copy.rules;
	pol->name = copy.name;
	pol->insufficient = copy.insufficient;
	return WU_OK;
}

/* ---- the effective policy as JSON ---------------------------------------------- */

static json_t *param_json(const wu_param *p, int64_t value)
{
	if (p->kind == WU_P_LEVEL)
		return json_string(wu_level_name((int)value));
	if (p->kind != WU_P_PHASES)
		return json_integer(value);
	json_t *arr = json_array();
	for (int i = 0; arr && i < WU_NPHASES; i++)
		if ((value & (int64_t)1 << i) && json_array_append_new(arr, json_string(wu_phase_name(i)))) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

static json_t *rule_json(const wu_policy *pol, const wu_rule *r)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	int bad = json_object_set_new(o, "enabled", json_boolean(wu_policy_enabled(pol, r)));
	bad |= json_object_set_new(o, "severity", json_string(wu_severity_name(wu_policy_severity(pol, r))));
	for (size_t j = 0; j < r->nparams && !bad; j++)
		bad |= json_object_set_new(o, r->params[j].name, param_json(&r->params[j], wu_policy_value(pol, r, &r->params[j])));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int wu_policy_dump(char **out, wu_db *db, const wu_policy *pol)
{
	*out = NULL;
	json_t *doc = json_object(), *rules = json_object();
	int bad = !doc || !rules;
	if (!bad) {
		bad |= json_object_set_new(doc, "withus_policy", json_integer(1));
		bad |= json_object_set_new(doc, "name", json_string(pol ? pol->name : default_name));
		bad |= json_object_set_new(doc, "insufficient_data", json_string(wu_severity_name(wu__policy_insufficient(pol))));
		bad |= json_object_set(doc, "rules", rules);
	}
	for (size_t i = 0; !bad && i < wu_rule_count(); i++)
		bad |= json_object_set_new(rules, wu_rule_at(i)->id, rule_json(pol, wu_rule_at(i)));
	if (!bad)
		*out = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(rules);
	json_decref(doc);
	return *out ? WU_OK : wu__err_nomem(db);
}
