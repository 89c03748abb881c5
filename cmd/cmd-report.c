/*
 * cmd-report.c - the funder portfolio report (withus report) and the
 * exchange rates it adds currencies up with (withus rate).
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"

enum { OPT_PROJECT = 1, OPT_FORMAT, OPT_PROFILE, OPT_CURRENCY, OPT_AS_OF, OPT_POLICY, OPT_OUTPUT, OPT_FROM, OPT_SOURCE,
       OPT_JSON, OPT_HELP };

static const char report_usage[] =
	"usage: withus report [--project P]... [--format text|json|csv|html]\n"
	"                     [--profile private|funder|public] [--currency CODE]\n"
	"                     [--as-of DATE] [--policy FILE] [--output FILE]\n"
	"\n"
	"Reports on every project (or those named), and in total: the budget and\n"
	"its share for sex worker-led organisations, the KT budget and its SWLO\n"
	"share, money committed to SWLOs and disbursed, payment lag (median and\n"
	"longest), SWLO involvement by phase and level, the status of each\n"
	"recommendation (as withus check) and the claims SWLOs confirmed or\n"
	"disputed. docs/report.md describes every figure.\n"
	"\n"
	"  --project P      a project id, id prefix or exact title (repeatable)\n"
	"  --format F       text (default), json, csv, or html (one self-contained\n"
	"                   page with SVG charts, no scripts)\n"
	"  --profile P      private (default: everything), funder (shared projects\n"
	"                   only, organisations by alias unless public, the SWLO flag\n"
	"                   only with consent) or public (as funder, counts under 5\n"
	"                   suppressed)\n"
	"  --currency CODE  also add every currency up in CODE, through the rates\n"
	"                   recorded with 'withus rate add' (never a guessed rate)\n"
	"  --as-of DATE     statuses and rates as of DATE (default: today, UTC)\n"
	"  --policy FILE    thresholds for the statuses (docs/policy.md)\n"
	"  --output FILE    write to FILE (made 0600) instead of stdout\n";

struct report_args {
	const char **projects;
	size_t nprojects;
	const char *format, *profile, *currency, *as_of, *policy, *output;
};

static int parse_report(int argc, char **argv, struct report_args *a)
{
	static const struct option opts[] = {
		{ "project", required_argument, NULL, OPT_PROJECT }, { "format", required_argument, NULL, OPT_FORMAT },
		{ "profile", required_argument, NULL, OPT_PROFILE }, { "currency", required_argument, NULL, OPT_CURRENCY },
		{ "as-of", required_argument, NULL, OPT_AS_OF },     { "policy", required_argument, NULL, OPT_POLICY },
		{ "output", required_argument, NULL, OPT_OUTPUT },   { "help", no_argument, NULL, OPT_HELP },
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
		case OPT_PROFILE: a->profile = optarg; break;
		case OPT_CURRENCY: a->currency = optarg; break;
		case OPT_AS_OF: a->as_of = optarg; break;
		case OPT_POLICY: a->policy = optarg; break;
		case OPT_OUTPUT: a->output = optarg; break;
		case OPT_HELP: fputs(report_usage, stdout); return -1;
		case ':': return cli_usage_error("report", "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("report", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("report", "unexpected argument '%s' (projects are named with --project)", argv[optind]);
	return EXIT_OK;
}

static int report_format(const char *s, wu_report_format *out)
{
	static const char *const names[] = { "text", "json", "csv", "html" };
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*out = (wu_report_format)i;
			return EXIT_OK;
		}
	return cli_usage_error("report", "--format: '%s' is not text, json, csv or html", s);
}

static int report_profile(const char *s, wu_profile *out)
{
	static const char *const names[] = { "private", "funder", "public" };
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*out = (wu_profile)i;
			return EXIT_OK;
		}
	return cli_usage_error("report", "--profile: '%s' is not private, funder or public", s);
}

/* Opens FILE for the report, private to its owner, or stdout. */
static FILE *open_output(const char *path)
{
	if (!path)
		return stdout;
	FILE *f = fopen(path, "w");
	if (!f)
		cli_error("--output: cannot write '%s': %s", path, strerror(errno));
	else if (fchmod(fileno(f), 0600))
		cli_error("--output: cannot make '%s' private: %s", path, strerror(errno));
	return f;
}

static int write_report(struct cli *cli, const struct report_args *a, const wu_report_opts *o, wu_report_format fmt)
{
	json_t *doc = NULL;
	int rc = wu_report(&doc, cli->db, o);
	if (rc)
		return cli_fail(cli, rc);
	FILE *out = open_output(a->output);
	if (!out) {
		json_decref(doc);
		return EXIT_RUNTIME;
	}
	rc = wu_report_write(cli->db, out, doc, fmt);
	json_decref(doc);
	if (out != stdout && fclose(out) && !rc) {
		cli_error("--output: cannot write '%s': %s", a->output, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (rc)
		return cli_fail(cli, rc);
	return out == stdout ? cli_finish_stdout() : EXIT_OK;
}

int cmd_report(struct cli *cli, int argc, char **argv)
{
	struct report_args a = { .format = "text", .profile = "private" };
	wu_report_opts o = { 0 };
	wu_report_format fmt = WU_REPORT_TEXT;
	int rc = parse_report(argc, argv, &a);
	if (!rc)
		rc = report_format(a.format, &fmt);
	if (!rc)
		rc = report_profile(a.profile, &o.profile);
	if (rc) {
		free(a.projects);
		return rc < 0 ? EXIT_OK : rc;
	}
	char **ids = calloc(a.nprojects ? a.nprojects : 1, sizeof *ids);
	wu_policy *pol = NULL;
	if (!ids) {
		cli_error("out of memory");
		rc = EXIT_RUNTIME;
	}
	if (!rc)
		rc = cli_open(cli, WU_OPEN_READONLY);
	for (size_t i = 0; !rc && i < a.nprojects; i++) {
		int r = wu_resolve(&ids[i], cli->db, "project", a.projects[i]);
		if (r) {
			cli_error("--project: %s", wu_errmsg(cli->db));
			rc = cli_exit_code(r) == EXIT_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
		}
	}
	if (!rc)
		rc = cli_load_policy(cli->db, a.policy, &pol);
	if (!rc && a.currency && wu_currency_exponent(cli->db, a.currency) < 0)
		rc = cli_usage_error("report", "--currency: '%s' is not an ISO 4217 currency code", a.currency);
	if (!rc) {
		o.projects = a.nprojects ? (const char *const *)ids : NULL;
		o.nprojects = a.nprojects;
		o.as_of = a.as_of;
		o.policy = pol;
		o.currency = a.currency;
		rc = write_report(cli, &a, &o, fmt);
	}
	for (size_t i = 0; ids && i < a.nprojects; i++)
		wu_free(ids[i]);
	free(ids);
	free(a.projects);
	wu_policy_free(pol);
	return rc;
}

const struct command cmd_report_entry = { "report", cmd_report, "report on a portfolio for funders (text, JSON, CSV, HTML)",
					  report_usage };

/* ---- rate -------------------------------------------------------------------------- */

static const char rate_usage[] =
	"usage: withus rate add BASE QUOTE RATE [--from DATE] [--source TEXT]\n"
	"       withus rate list [--json]\n"
	"       withus rate rm BASE QUOTE [--from DATE]\n"
	"\n"
	"The exchange rates 'withus report --currency' adds currencies up with:\n"
	"1 BASE = RATE QUOTE (an exact decimal, at most 12 decimals), in force from\n"
	"DATE (default: always) until a later rate. The inverse is used for the\n"
	"other direction; no rate is chained or guessed. Rates stay on this\n"
	"machine: they are settings, not records, and are not synced.\n"
	"\n"
	"  --from DATE     the first day the rate applies\n"
	"  --source TEXT   where the rate comes from, for whoever audits the totals\n"
	"\n"
	"  withus rate add USD GBP 0.79 --from 2025-01-01 --source \"ECB reference rate\"\n";

static int print_rate(const json_t *r, void *payload)
{
	if (*(bool *)payload)
		return json_dumpf(r, stdout, JSON_COMPACT | JSON_SORT_KEYS) || putchar('\n') == EOF;
	const char *from = json_string_value(json_object_get(r, "from"));
	const char *source = json_string_value(json_object_get(r, "source"));
	printf("1 %s = %s %s%s%s%s%s%s\n", json_string_value(json_object_get(r, "base")), json_string_value(json_object_get(r, "rate")),
	       json_string_value(json_object_get(r, "quote")), from ? " from " : "", from ? from : "", source ? " (" : "",
	       source ? source : "", source ? ")" : "");
	return 0;
}

int cmd_rate(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, OPT_FROM }, { "source", required_argument, NULL, OPT_SOURCE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, OPT_HELP },      { NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *source = NULL;
	bool json = false;
	int c;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FROM: from = optarg; break;
		case OPT_SOURCE: source = optarg; break;
		case OPT_JSON: json = true; break;
		case OPT_HELP: fputs(rate_usage, stdout); return EXIT_OK;
		case ':': return cli_usage_error("rate", "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("rate", "unknown option '%s'", argv[optind - 1]);
		}
	}
	const char *verb = optind < argc ? argv[optind] : NULL;
	int nargs = argc - optind - 1;
	if (!verb || (strcmp(verb, "add") && strcmp(verb, "list") && strcmp(verb, "rm")))
		return cli_usage_error("rate", "rate needs add, list or rm");
	if ((!strcmp(verb, "add") && nargs != 3) || (!strcmp(verb, "rm") && nargs != 2) || (!strcmp(verb, "list") && nargs))
		return cli_usage_error("rate", "usage: withus rate add BASE QUOTE RATE | list | rm BASE QUOTE");
	int rc = cli_open(cli, strcmp(verb, "list") ? 0 : WU_OPEN_READONLY);
	if (rc)
		return rc;
	char **arg = argv + optind + 1;
	if (!strcmp(verb, "add"))
		rc = wu_rate_add(cli->db, arg[0], arg[1], arg[2], from, source);
	else if (!strcmp(verb, "rm"))
		rc = wu_rate_rm(cli->db, arg[0], arg[1], from);
	else
		rc = wu_rate_list(cli->db, print_rate, &json);
	return rc ? cli_fail(cli, rc) : cli_finish_stdout();
}

const struct command cmd_rate_entry = { "rate", cmd_rate, "add, list or remove the exchange rates reports use", rate_usage };
