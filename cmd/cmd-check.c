/*
 * cmd-check.c - check records against the recommendations; list and explain
 * the rules; show the policy in force.
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

#define POLICY_MAX (1u << 20) /* a policy is a few KiB; refuse anything absurd */

enum { OPT_PROJECT = 1, OPT_FORMAT, OPT_POLICY, OPT_FAIL_ON, OPT_AS_OF, OPT_JSON, OPT_HELP };

/* Reads the policy file `path` over the defaults. The messages name the file. */
int cli_load_policy(wu_db *db, const char *path, wu_policy **out)
{
	if (wu_policy_new(out, db)) {
		cli_error("%s", wu_errmsg(db));
		return EXIT_RUNTIME;
	}
	if (!path)
		return EXIT_OK;
	int rc;
	FILE *f = fopen(path, "rb");
	if (!f) {
		cli_error("--policy: cannot read '%s': %s", path, strerror(errno));
		return EXIT_USAGE;
	}
	char *buf = malloc(POLICY_MAX + 1);
	size_t n = buf ? fread(buf, 1, POLICY_MAX + 1, f) : 0;
	bool bad = !buf || ferror(f);
	fclose(f);
	if (bad || n > POLICY_MAX) {
		free(buf);
		cli_error("--policy: cannot read '%s': %s", path, n > POLICY_MAX ? "larger than 1 MiB" : "read error");
		return EXIT_USAGE;
	}
	rc = wu_policy_load(*out, db, buf, n, path);
	free(buf);
	if (rc) {
		cli_error("%s", wu_errmsg(db));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* rules, explain and policy read no records, but the library reports
 * through a handle: they get a scratch one, and the policy in force. */
static int policy_only(const char *path, wu_db **db, wu_policy **pol)
{
	if (wu_db_open(db, ":memory:", NULL) != WU_OK) {
		cli_error("cannot open a scratch database: %s", wu_errmsg(*db));
		return EXIT_RUNTIME;
	}
	return cli_load_policy(*db, path, pol);
}

static const char *param_text(char *buf, size_t size, const wu_param *p, int64_t v)
{
	switch (p->kind) {
	case WU_P_PERCENT: snprintf(buf, size, "%lld%%", (long long)v); break;
	case WU_P_DAYS: snprintf(buf, size, "%lld days", (long long)v); break;
	case WU_P_COUNT: snprintf(buf, size, "%lld", (long long)v); break;
	case WU_P_LEVEL: snprintf(buf, size, "%s", wu_level_name((int)v)); break;
	case WU_P_PHASES: {
		size_t used = 0;
		buf[0] = '\0';
		for (int i = 0; i < wu_phase_count(); i++)
			if (v & (int64_t)1 << i) {
				int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", wu_phase_name(i));
				if (w < 0 || (size_t)w >= size - used)
					break;
				used += (size_t)w;
			}
		break;
	}
	}
	return buf;
}

/* ---- check ----------------------------------------------------------------- */

static const char check_usage[] =
	"usage: withus check [--project PROJECT]... [--format text|json|sarif]\n"
	"                    [--policy FILE] [--fail-on error|warning] [--as-of DATE]\n"
	"\n"
	"Checks the records of every project (or those named) against the four\n"
	"recommendations for researchers, and reports for each project and\n"
	"recommendation: met, partly met, not met or insufficient data, with a\n"
	"finding, its remedy and the records concerned for every rule not met.\n"
	"A rule that lacks the records it needs says what to record.\n"
	"\n"
	"  --project P   a project id, id prefix or exact title (repeatable)\n"
	"  --format F    text (default), json (docs/check.schema.json) or sarif (2.1.0)\n"
	"  --policy FILE thresholds, severities and rules switched off (docs/policy.md)\n"
	"  --fail-on S   exit 3 when a finding is at or above S (default: error)\n"
	"  --as-of DATE  judge time-bound rules as of DATE (default: today, UTC)\n"
	"\n"
	"Exit status: 0 nothing at or above --fail-on, 3 findings at or above it,\n"
	"1 runtime error, 2 usage error.\n";

struct check_args {
	const char **projects;
	size_t nprojects;
	const char *format, *policy, *fail_on, *as_of;
};

static int parse_check(int argc, char **argv, struct check_args *a)
{
	static const struct option opts[] = {
		{ "project", required_argument, NULL, OPT_PROJECT }, { "format", required_argument, NULL, OPT_FORMAT },
		{ "policy", required_argument, NULL, OPT_POLICY },   { "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "as-of", required_argument, NULL, OPT_AS_OF },     { "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_PROJECT:
			if (cli_append(&a->projects, &a->nprojects, optarg))
				return EXIT_RUNTIME;
			break;
		case OPT_FORMAT: a->format = optarg; break;
		case OPT_POLICY: a->policy = optarg; break;
		case OPT_FAIL_ON: a->fail_on = optarg; break;
		case OPT_AS_OF: a->as_of = optarg; break;
		case OPT_HELP: fputs(check_usage, stdout); return -1;
		case ':': return cli_usage_error("check", "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("check", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("check", "unexpected argument '%s' (projects are named with --project)", argv[optind]);
	if (strcmp(a->format, "text") && strcmp(a->format, "json") && strcmp(a->format, "sarif"))
		return cli_usage_error("check", "--format: '%s' is not text, json or sarif", a->format);
	if (strcmp(a->fail_on, "error") && strcmp(a->fail_on, "warning"))
		return cli_usage_error("check", "--fail-on: '%s' is not error or warning", a->fail_on);
	return EXIT_OK;
}

/* Turns each --project name into an id; *ids is new. */
static int resolve_projects(struct cli *cli, const struct check_args *a, char ***ids)
{
	*ids = calloc(a->nprojects ? a->nprojects : 1, sizeof **ids);
	if (!*ids) {
		cli_error("out of memory");
		return EXIT_RUNTIME;
	}
	for (size_t i = 0; i < a->nprojects; i++) {
		int rc = wu_resolve(&(*ids)[i], cli->db, "project", a->projects[i]);
		if (rc) {
			cli_error("--project: %s", wu_errmsg(cli->db));
			return cli_exit_code(rc) == EXIT_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

static void free_ids(char **ids, size_t n)
{
	for (size_t i = 0; ids && i < n; i++)
		wu_free(ids[i]);
	free(ids);
}

/* After `withus demo`, a bare `withus check` reads the real (empty)
 * database; say where the demo went rather than report nothing. */
static void hint_demo(struct cli *cli, const wu_result *res)
{
	if (cli->db_from_user || wu_result_project_count(res))
		return;
	char *dir = cli_default_dir(), *demo = NULL;
	if (dir && asprintf(&demo, "%s/demo.db", dir) > 0 && access(demo, F_OK) == 0)
		fprintf(stderr, "withus: no projects in %s; the demo is in %s: withus --db %s check\n", cli->db_path, demo,
			demo);
	free(demo);
	free(dir);
}

int cmd_check(struct cli *cli, int argc, char **argv)
{
	struct check_args a = { .format = "text", .fail_on = "error" };
	int rc = parse_check(argc, argv, &a);
	if (rc) {
		free(a.projects);
		return rc < 0 ? EXIT_OK : rc;
	}
	char **ids = NULL;
	wu_policy *pol = NULL;
	wu_result *res = NULL;
	if (!(rc = cli_open(cli, 0)) && !(rc = cli_load_policy(cli->db, a.policy, &pol)) &&
	    !(rc = resolve_projects(cli, &a, &ids))) {
		wu_check_opts o = { .projects = a.nprojects ? (const char *const *)ids : NULL, .nprojects = a.nprojects,
				    .as_of = a.as_of, .policy = pol };
		int r = wu_check(&res, cli->db, &o);
		if (r == WU_EINVAL) {
			cli_error("--as-of: %s", wu_errmsg(cli->db));
			rc = EXIT_USAGE;
		} else if (r) {
			rc = cli_fail(cli, r);
		}
	}
	if (!rc) {
		wu_format fmt = !strcmp(a.format, "json") ? WU_FORMAT_JSON : !strcmp(a.format, "sarif") ? WU_FORMAT_SARIF
													: WU_FORMAT_TEXT;
		hint_demo(cli, res);
		int r = wu_result_write(cli->db, stdout, res, pol, fmt);
		rc = r ? cli_fail(cli, r) : cli_finish_stdout();
		int threshold = !strcmp(a.fail_on, "warning") ? WU_SEV_WARNING : WU_SEV_ERROR;
		if (!rc && wu_result_worst(res) >= threshold)
			rc = EXIT_FINDINGS;
	}
	wu_result_free(res);
	wu_policy_free(pol);
	free_ids(ids, a.nprojects);
	free(a.projects);
	return rc;
}

/* ---- rules ------------------------------------------------------------------- */

static const char rules_usage[] =
	"usage: withus rules [--format text|json|markdown] [--json] [--policy FILE]\n"
	"\n"
	"Lists the rule catalogue: id, recommendation, severity and title, with the\n"
	"thresholds in force under --policy. markdown is docs/rules.md.\n";

static void rules_text(const wu_policy *pol)
{
	for (size_t i = 0; i < wu_rule_count(); i++) {
		const wu_rule *r = wu_rule_at(i);
		printf("%-28s %d  %-7s %s%s\n", r->id, r->recommendation, wu_severity_name(wu_policy_severity(pol, r)),
		       r->title, wu_policy_enabled(pol, r) ? "" : " (disabled)");
	}
}

static json_t *rule_json(const wu_policy *pol, const wu_rule *r)
{
	json_t *params = json_array();
	for (size_t j = 0; params && j < r->nparams; j++) {
		const wu_param *p = &r->params[j];
		char value[160];
		json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:b, s:s}", "name", p->name, "value",
							param_text(value, sizeof value, p, wu_policy_value(pol, r, p)), "source",
							wu_policy_value_source(pol, r, p), "judgement", p->judgement, "help",
							p->help));
	}
	return json_pack("{s:s, s:i, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:o}", "id", r->id, "recommendation",
			 r->recommendation, "severity", wu_severity_name(wu_policy_severity(pol, r)), "enabled",
			 wu_policy_enabled(pol, r), "title", r->title, "needs", r->needs, "condition", r->condition, "why",
			 r->why, "remedy", r->how, "thresholds", params);
}

static int rules_json(const wu_policy *pol)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < wu_rule_count(); i++)
		if (json_array_append_new(a, rule_json(pol, wu_rule_at(i)))) {
			json_decref(a);
			a = NULL;
		}
	if (!a) {
		cli_error("out of memory");
		return EXIT_RUNTIME;
	}
	int rc = cli_print_json(a, true);
	json_decref(a);
	return rc;
}

static void rule_markdown(const wu_policy *pol, const wu_rule *r)
{
	printf("### `%s`: %s\n\n", r->id, r->title);
	printf("- **Severity:** %s\n", wu_severity_name(wu_policy_severity(pol, r)));
	printf("- **Reads:** %s\n", r->needs);
	printf("- **Passes when:** %s\n", r->condition);
	for (size_t j = 0; j < r->nparams; j++) {
		const wu_param *p = &r->params[j];
		char value[160];
		printf("- **`%s`** = %s (%s). Source: %s%s\n", p->name,
		       param_text(value, sizeof value, p, wu_policy_value(pol, r, p)), p->help, p->source,
		       p->judgement ? " **(judgement)**" : "");
	}
	printf("\n**Why.** %s\n\n**Remedy.** %s\n\n", r->why, r->how);
}

static void rules_markdown(const wu_policy *pol)
{
	printf("# The rule catalogue\n\n"
	       "<!-- Generated by `withus rules --format markdown` from lib/rules.c; do not edit.\n"
	       "     tests/cli/t0007-check.sh fails when this file and the catalogue differ. -->\n\n"
	       "withus checks the records of each project against the four recommendations for\n"
	       "researchers in the policy brief of *Sex Work, Health, and Human Rights* (Springer, 2021).\n"
	       "There are %zu rules. Each reports, for one project, *pass*, *fail*, *insufficient data*\n"
	       "(naming what to record) or *not applicable*. A threshold marked **(judgement)** has no\n"
	       "published figure behind it; every threshold and severity can be changed, and any rule\n"
	       "switched off, with a policy file (docs/policy.md).\n\n"
	       "An organisation counts as **sex worker-led (SWLO)** when it declares itself so\n"
	       "(`swl_self_declared`), or when sex workers make up at least 60%% of its decision-making\n"
	       "body, 60%% of its spokespeople and 33%% of its staff (the Red Umbrella Fund test).\n\n"
	       "A project **meets** a recommendation when every rule of it that applies passes; it is\n"
	       "**not met** when an error-level rule fails; **insufficient data** when no rule could\n"
	       "judge; **partly met** otherwise. Info-level findings are reported but do not change\n"
	       "the verdict. An insufficient-data finding takes the policy's `insufficient_data`\n"
	       "severity (default warning), or the rule's own if that is lower.\n",
	       wu_rule_count());
	for (int k = 1; k <= 4; k++) {
		printf("\n## Recommendation %d: %s\n\n", k, wu_recommendation_title(k));
		for (size_t i = 0; i < wu_rule_count(); i++)
			if (wu_rule_at(i)->recommendation == k)
				rule_markdown(pol, wu_rule_at(i));
	}
}

int cmd_rules(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT }, { "json", no_argument, NULL, OPT_JSON },
		{ "policy", required_argument, NULL, OPT_POLICY }, { "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "text", *policy = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT: format = optarg; break;
		case OPT_JSON: format = "json"; break;
		case OPT_POLICY: policy = optarg; break;
		case OPT_HELP: fputs(rules_usage, stdout); return EXIT_OK;
		case ':': return cli_usage_error("rules", "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("rules", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("rules", "unexpected argument '%s' (see withus explain RULE)", argv[optind]);
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "markdown"))
		return cli_usage_error("rules", "--format: '%s' is not text, json or markdown", format);
	wu_db *db = NULL;
	wu_policy *pol = NULL;
	int rc = policy_only(policy, &db, &pol);
	if (!rc) {
		if (!strcmp(format, "json"))
			rc = rules_json(pol);
		else if (!strcmp(format, "markdown"))
			rules_markdown(pol);
		else
			rules_text(pol);
		if (!rc)
			rc = cli_finish_stdout();
	}
	wu_policy_free(pol);
	wu_db_close(db);
	(void)cli;
	return rc;
}

/* ---- explain ------------------------------------------------------------------ */

static const char explain_usage[] =
	"usage: withus explain [--policy FILE] RULE\n"
	"\n"
	"Prints what RULE checks, why, how to meet it, and each threshold in force\n"
	"(under --policy) with its source.\n";

static void explain(const wu_policy *pol, const wu_rule *r)
{
	printf("%s: %s\n\n", r->id, r->title);
	printf("Recommendation %d: %s\n", r->recommendation, wu_recommendation_title(r->recommendation));
	printf("Severity:  %s%s\n", wu_severity_name(wu_policy_severity(pol, r)),
	       wu_policy_enabled(pol, r) ? "" : " (disabled by the policy)");
	printf("Reads:     %s\n", r->needs);
	printf("Passes:    %s\n\n", r->condition);
	printf("Why: %s\n\n", r->why);
	printf("How: %s\n", r->how);
	if (r->nparams)
		printf("\nThresholds in force (policy: %s):\n", wu_policy_name(pol));
	for (size_t j = 0; j < r->nparams; j++) {
		const wu_param *p = &r->params[j];
		char value[160];
		printf("  %s = %s  (%s)\n    source: %s%s\n", p->name,
		       param_text(value, sizeof value, p, wu_policy_value(pol, r, p)), p->help,
		       wu_policy_value_source(pol, r, p), p->judgement && !strcmp(wu_policy_value_source(pol, r, p), p->source)
								? " [judgement: no published figure]" : "");
	}
}

int cmd_explain(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, OPT_POLICY }, { "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *policy = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_POLICY: policy = optarg; break;
		case OPT_HELP: fputs(explain_usage, stdout); return EXIT_OK;
		case ':': return cli_usage_error("explain", "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("explain", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("explain", "name one rule (withus rules lists them)");
	const wu_rule *r = wu_rule_find(argv[optind]);
	if (!r)
		return cli_usage_error("explain", "no rule '%s' (withus rules lists them)", argv[optind]);
	wu_db *db = NULL;
	wu_policy *pol = NULL;
	int rc = policy_only(policy, &db, &pol);
	if (!rc) {
		explain(pol, r);
		rc = cli_finish_stdout();
	}
	wu_policy_free(pol);
	wu_db_close(db);
	(void)cli;
	return rc;
}

/* ---- policy -------------------------------------------------------------------- */

static const char policy_usage[] =
	"usage: withus policy show [--policy FILE]\n"
	"\n"
	"Prints the effective policy as JSON: every rule with its switch, severity\n"
	"and thresholds, after applying FILE over the defaults. The output is itself\n"
	"a valid policy file (docs/policy.md).\n";

int cmd_policy(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, OPT_POLICY }, { "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(policy_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(argv[1], "show"))
		return cli_usage_error("policy", "unknown subcommand '%s' (policy show)", argv[1]);
	const char *policy = NULL;
	int c;
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_POLICY: policy = optarg; break;
		case OPT_HELP: fputs(policy_usage, stdout); return EXIT_OK;
		case ':': return cli_usage_error("policy", "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("policy", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("policy", "unexpected argument '%s' (use --policy FILE)", argv[optind]);
	wu_db *db = NULL;
	wu_policy *pol = NULL;
	char *text = NULL;
	int rc = policy_only(policy, &db, &pol);
	if (!rc) {
		int r = wu_policy_dump(&text, db, pol);
		if (r) {
			cli_error("%s", wu_errmsg(db));
			rc = EXIT_RUNTIME;
		} else {
			printf("%s\n", text);
			rc = cli_finish_stdout();
		}
	}
	wu_free(text);
	wu_policy_free(pol);
	wu_db_close(db);
	(void)cli;
	return rc;
}

const struct command cmd_check_entry = { "check", cmd_check, "check records against the recommendations", check_usage };
const struct command cmd_rules_entry = { "rules", cmd_rules, "list the rule catalogue", rules_usage };
const struct command cmd_explain_entry = { "explain", cmd_explain, "explain a rule and its thresholds", explain_usage };
const struct command cmd_policy_entry = { "policy", cmd_policy, "show the effective policy", policy_usage };
