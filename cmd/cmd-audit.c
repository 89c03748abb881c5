/*
 * cmd-audit.c - community audit: an organisation lists every claim that
 * names it (withus audit) and confirms, partly confirms or disputes one
 * (withus attest). An attestation is a record of its own: the claim is
 * never changed by it.
 */
#include "config.h"
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

enum { OPT_PROJECT = 1, OPT_ORG, OPT_COMMENT, OPT_STATUS, OPT_JSON, OPT_FORCE, OPT_HELP };

static const char audit_usage[] =
	"usage: withus audit ORG [--project P] [--status STATUS] [--json]\n"
	"\n"
	"Lists every claim that names organisation ORG (a partnership, an\n"
	"involvement, a budget line, a payment, a contribution, a role ...), by\n"
	"project, with the organisation's word on it: unconfirmed, confirmed,\n"
	"partly-confirmed or disputed, and 'edited since' when the claim changed\n"
	"after the organisation attested it. 'withus attest' records its word.\n"
	"\n"
	"  --project P      only the claims of one project\n"
	"  --status STATUS  only claims with this status\n"
	"  --json           one JSON object per claim: {claim, status, changed_since, attestations}\n";

struct audit_print {
	struct cli *cli;
	json_t *cache;         /* id -> label, for references */
	const char *only;      /* --status */
	const char *org;
	bool json;
	json_t *groups;        /* text: {project id: [entries]}, in the order met */
};

static const char *claim_project(const json_t *claim, json_t *cache, struct cli *cli)
{
	const char *type = json_string_value(json_object_get(claim, "type"));
	if (!strcmp(type, "project"))
		return json_string_value(json_object_get(claim, "id"));
	if (json_object_get(claim, "project"))
		return json_string_value(json_object_get(claim, "project"));
	/* a contribution: through its output */
	const char *output = json_string_value(json_object_get(claim, "output"));
	const char *key = output ? output : "";
	char cache_key[64];
	snprintf(cache_key, sizeof cache_key, "project-of:%s", key);
	json_t *hit = json_object_get(cache, cache_key);
	if (!hit && output) {
		json_t *rec = NULL;
		if (wu_record_get(&rec, cli->db, output) == WU_OK)
			json_object_set(cache, cache_key, json_object_get(rec, "project"));
		json_decref(rec);
		hit = json_object_get(cache, cache_key);
	}
	return json_string_value(hit);
}

/* "phase design, level lead": the claim's listed fields but its project and
 * the organisation fields, which the heading already says. */
static char *describe(struct cli *cli, json_t *cache, const json_t *claim, const char *org)
{
	const wu_type *t = wu_type_find(json_string_value(json_object_get(claim, "type")));
	char *s = strdup("");
	for (size_t i = 0; s && t && i < t->nfields; i++) {
		const wu_field *f = &t->fields[i];
		const json_t *v = json_object_get(claim, f->name);
		if (!(f->flags & WU_F_LIST) || !v || !strcmp(f->name, "project") || !strcmp(f->name, "visibility") ||
		    f->kind == WU_K_CURRENCY ||
		    (f->ref && !strcmp(f->ref, "org") && json_is_string(v) && !strcmp(json_string_value(v), org)))
			continue;
		char *text = cli_value_text(cli, cache, f, v), *n = NULL;
		const char *currency = f->kind == WU_K_MONEY ? json_string_value(json_object_get(claim, f->currency)) : NULL;
		if (!text || asprintf(&n, "%s%s%s %s%s%s", s, *s ? ", " : "", f->name, text, currency ? " " : "",
				      currency ? currency : "") < 0)
			n = NULL;
		free(text);
		free(s);
		s = n;
	}
	return s;
}

static void print_entry(struct audit_print *ap, const json_t *entry)
{
	const json_t *claim = json_object_get(entry, "claim");
	char *what = describe(ap->cli, ap->cache, claim, ap->org);
	printf("  %-16s %-12s %.8s  %s%s\n", json_string_value(json_object_get(entry, "status")),
	       json_string_value(json_object_get(claim, "type")), json_string_value(json_object_get(claim, "id")),
	       what ? what : "?", json_is_true(json_object_get(entry, "changed_since")) ? "  [edited since]" : "");
	free(what);
	const json_t *atts = json_object_get(entry, "attestations");
	const json_t *latest = json_array_get(atts, json_array_size(atts) - 1);
	const char *comment = json_string_value(json_object_get(latest, "comment"));
	if (comment)
		printf("  %-16s %-12s %8s  \"%s\" (%.10s)\n", "", "", "", comment,
		       json_string_value(json_object_get(latest, "created")));
}

/* JSON goes out as it comes; text is grouped by project first. */
static int take_claim(const json_t *entry, void *payload)
{
	struct audit_print *ap = payload;
	const char *status = json_string_value(json_object_get(entry, "status"));
	if (ap->only && strcmp(ap->only, status))
		return 0;
	if (ap->json)
		return json_dumpf(entry, stdout, JSON_COMPACT | JSON_SORT_KEYS) || putchar('\n') == EOF;
	const char *project = claim_project(json_object_get(entry, "claim"), ap->cache, ap->cli);
	const char *key = project ? project : "";
	json_t *group = json_object_get(ap->groups, key);
	if (!group && json_object_set_new(ap->groups, key, group = json_array()))
		return 1;
	return !group || json_array_append(group, (json_t *)entry); /* kept read-only */
}

static void print_groups(struct audit_print *ap)
{
	const char *project;
	json_t *group;
	json_object_foreach(ap->groups, project, group) {
		printf("\n%s\n", *project ? cli_ref_label(ap->cli, ap->cache, project) : "(no project)");
		size_t i;
		json_t *entry;
		json_array_foreach(group, i, entry)
			print_entry(ap, entry);
	}
}

static bool status_known(const char *s)
{
	static const char *const known[] = { "unconfirmed", "confirmed", "partly-confirmed", "disputed" };
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (!strcmp(s, known[i]))
			return true;
	return false;
}

int cmd_audit(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "project", required_argument, NULL, OPT_PROJECT }, { "status", required_argument, NULL, OPT_STATUS },
		{ "json", no_argument, NULL, OPT_JSON }, { "help", no_argument, NULL, OPT_HELP }, { NULL, 0, NULL, 0 },
	};
	const char *project = NULL;
	struct audit_print ap = { .cli = cli };
	int c;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case OPT_PROJECT: project = optarg; break;
		case OPT_STATUS: ap.only = optarg; break;
		case OPT_JSON: ap.json = true; break;
		case OPT_HELP: fputs(audit_usage, stdout); return EXIT_OK;
		case ':': return cli_usage_error("audit", "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("audit", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("audit", "audit needs one organisation (its name or id)");
	if (ap.only && !status_known(ap.only))
		return cli_usage_error("audit", "--status: '%s' is not one of unconfirmed, confirmed, partly-confirmed, disputed",
				       ap.only);
	int rc = cli_open(cli, WU_OPEN_READONLY);
	if (rc)
		return rc;
	char *org = NULL, *pid = NULL;
	if ((rc = wu_resolve(&org, cli->db, "org", argv[optind]))) {
		cli_error("organisation: %s", wu_errmsg(cli->db));
		return cli_exit_code(rc);
	}
	if (project && (rc = wu_resolve(&pid, cli->db, "project", project))) {
		cli_error("--project: %s", wu_errmsg(cli->db));
		wu_free(org);
		return cli_exit_code(rc);
	}
	ap.org = org;
	ap.cache = json_object();
	ap.groups = json_object();
	wu_audit_counts n;
	wu_query q = { .project = pid };
	if (!ap.cache || !ap.groups)
		rc = WU_ENOMEM;
	if (!rc && !ap.json)
		printf("Claims naming %s\n", cli_ref_label(cli, ap.cache, org));
	if (!rc)
		rc = wu_audit(&n, cli->db, org, &q, take_claim, &ap);
	if (!rc && !ap.json)
		print_groups(&ap);
	if (!rc && !ap.json)
		printf("\n%lld claims: %lld confirmed, %lld partly confirmed, %lld disputed, %lld unconfirmed; %lld edited since attested\n",
		       (long long)(n.confirmed + n.partly + n.disputed + n.unconfirmed), (long long)n.confirmed,
		       (long long)n.partly, (long long)n.disputed, (long long)n.unconfirmed, (long long)n.changed);
	json_decref(ap.cache);
	json_decref(ap.groups);
	wu_free(org);
	wu_free(pid);
	return rc ? cli_fail(cli, rc) : cli_finish_stdout();
}

const struct command cmd_audit_entry = { "audit", cmd_audit, "list every claim naming an organisation, with its word on each",
					 audit_usage };

/* ---- attest ------------------------------------------------------------------- */

static const char attest_usage[] =
	"usage: withus attest CLAIM STATUS [--org ORG] [--comment TEXT]\n"
	"\n"
	"Records an organisation's word on a claim that names it. STATUS is\n"
	"confirmed, partly-confirmed or disputed. The claim itself is never\n"
	"changed: the attestation is a record of its own, synced like the\n"
	"others, and a later one replaces it as the claim's status while both\n"
	"stay in the history. Disputes show up in 'withus check'.\n"
	"\n"
	"  --org ORG        the organisation attesting (needed when the claim\n"
	"                   names more than one)\n"
	"  --comment TEXT   what the organisation says about the claim\n"
	"  --force          accept a comment that looks like contact details\n";

/* The one organisation a claim names, or a usage error listing them. */
static int only_org(struct cli *cli, const json_t *claim, char **out)
{
	const wu_type *t = wu_type_find(json_string_value(json_object_get(claim, "type")));
	json_t *seen = json_object();
	for (size_t i = 0; seen && t && i < t->nfields; i++) {
		const wu_field *f = &t->fields[i];
		const json_t *v = json_object_get(claim, f->name);
		if (!f->ref || strcmp(f->ref, "org") || !v)
			continue;
		if (json_is_string(v))
			json_object_set_new(seen, json_string_value(v), json_true());
		size_t k;
		const json_t *e;
		json_array_foreach(v, k, e)
			json_object_set_new(seen, json_string_value(e), json_true());
	}
	int rc = EXIT_OK;
	if (!seen)
		rc = cli_fail(cli, WU_ENOMEM);
	else if (json_object_size(seen) == 1)
		*out = strdup(json_object_iter_key(json_object_iter(seen)));
	else if (json_object_size(seen) == 0)
		rc = cli_usage_error("attest", "the %s names no organisation to attest it",
				     json_string_value(json_object_get(claim, "type")));
	else
		rc = cli_usage_error("attest", "the %s names %zu organisations: say which one attests with --org",
				     json_string_value(json_object_get(claim, "type")), json_object_size(seen));
	if (!rc && !*out)
		rc = cli_fail(cli, WU_ENOMEM);
	json_decref(seen);
	return rc;
}

int cmd_attest(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "org", required_argument, NULL, OPT_ORG }, { "comment", required_argument, NULL, OPT_COMMENT },
		{ "force", no_argument, NULL, OPT_FORCE }, { "help", no_argument, NULL, OPT_HELP }, { NULL, 0, NULL, 0 },
	};
	const char *org_text = NULL, *comment = NULL;
	unsigned flags = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ORG: org_text = optarg; break;
		case OPT_COMMENT: comment = optarg; break;
		case OPT_FORCE: flags |= WU_FORCE; break;
		case OPT_HELP: fputs(attest_usage, stdout); return EXIT_OK;
		case ':': return cli_usage_error("attest", "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("attest", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("attest", "attest needs a CLAIM and a STATUS (confirmed, partly-confirmed or disputed)");
	const char *status = argv[optind + 1];
	if (strcmp(status, "confirmed") && strcmp(status, "partly-confirmed") && strcmp(status, "disputed"))
		return cli_usage_error("attest", "status: '%s' is not one of confirmed, partly-confirmed, disputed", status);
	int rc = cli_open(cli, 0);
	if (rc)
		return rc;
	char *claim_id = NULL, *org = NULL, *new_id = NULL;
	json_t *claim = NULL, *fields = NULL;
	if ((rc = wu_resolve(&claim_id, cli->db, NULL, argv[optind])) ||
	    (rc = wu_record_get(&claim, cli->db, claim_id))) {
		cli_error("claim: %s", wu_errmsg(cli->db));
		rc = cli_exit_code(rc);
		goto out;
	}
	if (org_text && (rc = wu_resolve(&org, cli->db, "org", org_text))) {
		cli_error("--org: %s", wu_errmsg(cli->db));
		rc = cli_exit_code(rc);
		goto out;
	}
	if (!org_text && (rc = only_org(cli, claim, &org)))
		goto out;
	fields = json_pack("{ssssss}", "claim", claim_id, "org", org, "status", status);
	if (!fields || (comment && json_object_set_new(fields, "comment", json_string(comment)))) {
		rc = cli_fail(cli, WU_ENOMEM);
		goto out;
	}
	if ((rc = wu_record_add(&new_id, cli->db, "attestation", fields, flags))) {
		rc = cli_fail(cli, rc);
		goto out;
	}
	printf("%s\n", new_id);
	rc = cli_finish_stdout();
out:
	json_decref(claim);
	json_decref(fields);
	wu_free(claim_id);
	wu_free(org);
	wu_free(new_id);
	return rc;
}

const struct command cmd_attest_entry = { "attest", cmd_attest, "confirm, partly confirm or dispute a claim naming an organisation",
					  attest_usage };
