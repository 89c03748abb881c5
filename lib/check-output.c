/*
 * check-output.c - writes a check result as text (people), JSON (dashboards
 * and scripts; docs/check.schema.json) or SARIF 2.1.0 (CI tooling).
 */
#include "config.h"
#include <string.h>
#include "rules.h"

#define SHORT_ID 8 /* enough to name a record to `withus show` */

/* ---- text ------------------------------------------------------------------ */

static void text_finding(FILE *out, const wu_finding *f)
{
	fprintf(out, "    %-8s %s%s: %s\n", wu_severity_name(f->severity), f->rule->id,
		f->insufficient ? " (insufficient data)" : "", f->message);
	fprintf(out, "             expected %s; found %s\n", f->expected, f->actual);
	fprintf(out, "             remedy: %s\n", f->remedy);
	if (!f->nrecords)
		return;
	fprintf(out, "             records:");
	for (size_t i = 0; i < f->nrecords && i < 10; i++)
		fprintf(out, " %.*s", SHORT_ID, f->records[i]);
	if (f->nrecords > 10)
		fprintf(out, " (and %zu more)", f->nrecords - 10);
	fputc('\n', out);
}

static void text_summary(FILE *out, const wu_result *r)
{
	fprintf(out, "Summary (%zu project%s)\n", wu_result_project_count(r), wu_result_project_count(r) == 1 ? "" : "s");
	for (int k = 0; k < 4; k++) {
		size_t n[5] = { 0 };
		for (size_t i = 0; i < wu_result_project_count(r); i++)
			n[wu_result_verdicts(r, i)[k].status]++;
		fprintf(out, "  %d %-72s met %zu, partly met %zu, not met %zu, insufficient data %zu\n", k + 1,
			wu_recommendation_title(k + 1), n[WU_MET], n[WU_PARTLY_MET], n[WU_NOT_MET], n[WU_INSUFFICIENT]);
	}
	size_t sev[3] = { 0 }, insufficient = 0;
	for (size_t i = 0; i < wu_result_finding_count(r); i++) {
		sev[wu_result_finding(r, i)->severity]++;
		insufficient += (size_t)wu_result_finding(r, i)->insufficient;
	}
	fprintf(out, "Findings: %zu error%s, %zu warning%s, %zu info (%zu for insufficient data)\n", sev[WU_SEV_ERROR],
		sev[WU_SEV_ERROR] == 1 ? "" : "s", sev[WU_SEV_WARNING], sev[WU_SEV_WARNING] == 1 ? "" : "s", sev[WU_SEV_INFO],
		insufficient);
}

static void write_text(FILE *out, const wu_result *r, const wu_policy *pol)
{
	fprintf(out, "withus check: %zu project%s, as of %s, policy: %s\n\n", wu_result_project_count(r),
		wu_result_project_count(r) == 1 ? "" : "s", wu_result_as_of(r), wu_policy_name(pol));
	size_t fi = 0;
	for (size_t i = 0; i < wu_result_project_count(r); i++) {
		const char *id = wu_result_project_id(r, i);
		fprintf(out, "%s  [%.*s]\n", wu_result_project_title(r, i), SHORT_ID, id);
		for (int k = 0; k < 4; k++) {
			const wu_verdict *v = &wu_result_verdicts(r, i)[k];
			fprintf(out, "  %d %-72s %s\n", k + 1, wu_recommendation_title(k + 1), wu_status_name(v->status));
			/* Findings are in project order, then catalogue order (by recommendation). */
			for (size_t j = fi; j < wu_result_finding_count(r); j++) {
				const wu_finding *f = wu_result_finding(r, j);
				if (strcmp(f->project, id))
					break;
				if (f->rule->recommendation == k + 1)
					text_finding(out, f);
			}
		}
		while (fi < wu_result_finding_count(r) && !strcmp(wu_result_finding(r, fi)->project, id))
			fi++;
		fputc('\n', out);
	}
	text_summary(out, r);
}

/* ---- JSON -------------------------------------------------------------------- */

/* The JSON document is streamed, not built as a tree: a portfolio check can
 * have hundreds of thousands of findings, and a jansson tree of them cost
 * four times the check itself. Strings are UTF-8 already (validated when
 * stored); only quotes, backslashes and control characters need escaping. */
static void json_str(FILE *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	putc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		const unsigned char *run = p;
		while (*p && *p != '"' && *p != '\\' && *p >= 0x20)
			p++;
		fwrite(run, 1, (size_t)(p - run), out); /* the plain run, in one call */
		if (!*p)
			break;
		char esc[6] = { '\\', (char)*p };
		size_t n = 2;
		if (*p < 0x20) {
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			n = 6;
		}
		fwrite(esc, 1, n, out);
		p++;
	}
	putc('"', out);
}

static void json_key(FILE *out, const char *indent, const char *key, bool first)
{
	fputs(first ? "" : ",\n", out);
	fputs(indent, out);
	json_str(out, key);
	fputs(": ", out);
}

static void json_field(FILE *out, const char *indent, const char *key, const char *value, bool first)
{
	json_key(out, indent, key, first);
	json_str(out, value);
}

static void json_verdicts(FILE *out, const wu_result *r, size_t i)
{
	for (int k = 0; k < 4; k++) {
		const wu_verdict *v = &wu_result_verdicts(r, i)[k];
		fprintf(out, "%s        {\"recommendation\": %d, \"title\": ", k ? ",\n" : "", k + 1);
		json_str(out, wu_recommendation_title(k + 1));
		fputs(", \"status\": ", out);
		json_str(out, wu_status_name(v->status));
		fprintf(out, ", \"passed\": %d, \"failed\": %d, \"insufficient_data\": %d, \"not_applicable\": %d}",
			v->passed, v->failed, v->insufficient, v->not_applicable);
	}
}

static void json_finding(FILE *out, const wu_finding *f)
{
	const char *in = "      ";
	fputs("    {\n", out);
	json_field(out, in, "rule", f->rule->id, true);
	json_key(out, in, "recommendation", false);
	fprintf(out, "%d", f->rule->recommendation);
	json_field(out, in, "severity", wu_severity_name(f->severity), false);
	json_field(out, in, "outcome", f->insufficient ? "insufficient-data" : "fail", false);
	json_field(out, in, "project", f->project, false);
	json_field(out, in, "project_title", f->project_title, false);
	json_key(out, in, "records", false);
	putc('[', out);
	for (size_t i = 0; i < f->nrecords; i++) {
		fputs(i ? ", " : "", out);
		json_str(out, f->records[i]);
	}
	putc(']', out);
	json_field(out, in, "message", f->message, false);
	json_field(out, in, "expected", f->expected, false);
	json_field(out, in, "actual", f->actual, false);
	json_field(out, in, "remedy", f->remedy, false);
	fputs("\n    }", out);
}

static void write_json(FILE *out, const wu_result *r, const wu_policy *pol)
{
	fputs("{\n  \"withus_check\": 1", out);
	json_field(out, "  ", "as_of", wu_result_as_of(r), false);
	json_field(out, "  ", "policy", wu_policy_name(pol), false);
	fputs(",\n  \"projects\": [", out);
	for (size_t i = 0; i < wu_result_project_count(r); i++) {
		fputs(i ? ",\n    {" : "\n    {", out);
		fputs("\"id\": ", out);
		json_str(out, wu_result_project_id(r, i));
		fputs(", \"title\": ", out);
		json_str(out, wu_result_project_title(r, i));
		fputs(", \"recommendations\": [\n", out);
		json_verdicts(out, r, i);
		fputs("\n      ]}", out);
	}
	fputs(wu_result_project_count(r) ? "\n  ],\n  \"findings\": [" : "],\n  \"findings\": [", out);
	for (size_t i = 0; i < wu_result_finding_count(r); i++) {
		fputs(i ? ",\n" : "\n", out);
		json_finding(out, wu_result_finding(r, i));
	}
	fputs(wu_result_finding_count(r) ? "\n  ]\n}\n" : "]\n}\n", out);
}

/* ids as a JSON array, for SARIF. */
static json_t *ids_json(const wu_finding *f)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < f->nrecords; i++)
		if (json_array_append_new(a, json_string(f->records[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* ---- SARIF 2.1.0 ---------------------------------------------------------------- */

static const char *sarif_level(wu_severity s)
{
	return s == WU_SEV_ERROR ? "error" : s == WU_SEV_WARNING ? "warning" : "note";
}

static json_t *sarif_params(const wu_policy *pol, const wu_rule *rule)
{
	json_t *o = json_object();
	for (size_t i = 0; o && i < rule->nparams; i++) {
		const wu_param *p = &rule->params[i];
		json_t *v = json_pack("{s:I, s:s, s:b}", "value", (json_int_t)wu_policy_value(pol, rule, p), "source",
				      wu_policy_value_source(pol, rule, p), "judgement", p->judgement);
		if (json_object_set_new(o, p->name, v)) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *sarif_rule(const wu_policy *pol, const wu_rule *rule)
{
	/* No "name": SARIF wants it to differ from the id, and our ids are already readable. */
	return json_pack("{s:s, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:b, s:s}, s:{s:i, s:s, s:o}}", "id", rule->id,
			 "shortDescription", "text", rule->title, "fullDescription", "text", rule->why, "help",
			 "text", rule->how, "defaultConfiguration", "enabled", wu_policy_enabled(pol, rule), "level",
			 sarif_level(wu_policy_severity(pol, rule)), "properties", "recommendation", rule->recommendation,
			 "condition", rule->condition, "thresholds", sarif_params(pol, rule));
}

/* SARIF: a failed rule is kind "fail" at its level; a rule that lacked data
 * is kind "open" (evaluated, not enough information), whose level must be "none". */
static json_t *sarif_result(const wu_finding *f)
{
	char text[1200];
	snprintf(text, sizeof text, "%s (expected %s; found %s)", f->message, f->expected, f->actual);
	char fqn[64];
	snprintf(fqn, sizeof fqn, "project/%s", f->project);
	char fingerprint[128];
	snprintf(fingerprint, sizeof fingerprint, "%s/%s", f->rule->id, f->project);
	return json_pack("{s:s, s:i, s:s, s:s, s:{s:s}, s:[{s:[{s:s, s:s, s:s}]}], s:{s:s}, s:{s:i, s:s, s:s, s:s, s:s, s:s, s:o}}",
			 "ruleId", f->rule->id, "ruleIndex", (int)wu__rule_index(f->rule), "kind",
			 f->insufficient ? "open" : "fail", "level", f->insufficient ? "none" : sarif_level(f->severity),
			 "message", "text", text, "locations", "logicalLocations", "name", f->project_title,
			 "fullyQualifiedName", fqn, "kind", "module", "partialFingerprints", "withus/v1", fingerprint,
			 "properties", "recommendation", f->rule->recommendation, "severity", wu_severity_name(f->severity),
			 "project", f->project, "expected", f->expected, "actual", f->actual, "remedy", f->remedy, "records",
			 ids_json(f));
}

static json_t *sarif_json(const wu_result *r, const wu_policy *pol)
{
	json_t *rules = json_array(), *results = json_array();
	for (size_t i = 0; rules && i < wu_rule_count(); i++)
		if (json_array_append_new(rules, sarif_rule(pol, wu_rule_at(i)))) {
			json_decref(rules);
			rules = NULL;
		}
	for (size_t i = 0; results && i < wu_result_finding_count(r); i++)
		if (json_array_append_new(results, sarif_result(wu_result_finding(r, i)))) {
			json_decref(results);
			results = NULL;
		}
	return json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o, s:{s:s, s:s}}]}", "$schema",
			 "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs", "tool", "driver",
			 "name", "withus", "version", wu_version(), "informationUri",
			 "https://github.com/withus/withus/blob/main/docs/rules.md", "rules", rules, "results", results,
			 "properties", "as_of", wu_result_as_of(r), "policy", wu_policy_name(pol));
}

int wu_result_write(wu_db *db, FILE *out, const wu_result *r, const wu_policy *pol, wu_format fmt)
{
	if (!r || !out)
		return wu__err(db, WU_EMISUSE, "wu_result_write: no result or stream");
	if (fmt == WU_FORMAT_TEXT) {
		write_text(out, r, pol);
	} else if (fmt == WU_FORMAT_JSON) {
		write_json(out, r, pol);
	} else {
		json_t *doc = sarif_json(r, pol);
		if (!doc)
			return wu__err_nomem(db);
		int bad = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(doc);
		if (bad)
			return wu__err(db, WU_EIO, "cannot write the result");
		fputc('\n', out);
	}
	return ferror(out) ? wu__err(db, WU_EIO, "cannot write the result") : WU_OK;
}
