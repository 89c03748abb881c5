/*
 * cmd-io.c - import and export.
 */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

enum { OPT_FORMAT = 1, OPT_TYPE, OPT_FORCE, OPT_OUTPUT, OPT_PROJECT, OPT_ORG, OPT_PROFILE, OPT_PREFIX, OPT_HELP };

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

/* ---- import ------------------------------------------------------------------ */

static const char import_usage[] =
	"usage: withus import [--format jsonl|csv] [--type TYPE] [--force] FILE|DIR|-...\n"
	"\n"
	"Adds the records in the files, all in one transaction: if any record is\n"
	"refused, nothing is written, and the message names the file, line, field\n"
	"and value. Records keep the ids and timestamps they carry.\n"
	"\n"
	"  FILE.jsonl  JSON Lines, one record in canonical shape a line (also .json,\n"
	"              .ndjson, and '-' for standard input)\n"
	"  TYPE.csv    CSV with a header row of field names; the type comes from\n"
	"              --type or the file name (budget.csv)\n"
	"  DIR         a directory written by 'withus export --format csv': its\n"
	"              TYPE.csv files, in dependency order\n"
	"  --force     accept free text that looks like contact details\n"
	"\n"
	"Progress goes to standard error when it is a terminal.\n";

struct progress_state {
	const char *name;
};

static void show_progress(uint64_t bytes, uint64_t records, void *payload)
{
	struct progress_state *p = payload;
	fprintf(stderr, "\rwithus: %s: %llu records", p->name, (unsigned long long)records);
	if (bytes)
		fprintf(stderr, " (%.1f MiB)", (double)bytes / (1024.0 * 1024.0));
	fflush(stderr);
}

static int import_stream(struct cli *cli, FILE *in, const char *name, const char *format, const char *type,
			 bool force, uint64_t *total)
{
	struct progress_state ps = { name };
	wu_import_opts o = {
		.format = format, .type = type, .source = name, .flags = force ? WU_FORCE : 0,
		.progress = isatty(2) ? show_progress : NULL, .payload = &ps,
	};
	uint64_t n = 0;
	int r = wu_import(&n, cli->db, in, &o);
	if (o.progress)
		fputc('\n', stderr);
	*total += n;
	return r;
}

/* "budget.csv" (or "dir/budget.2024.csv") is of type budget. */
static const char *type_from_name(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t len = strcspn(base, ".");
	for (size_t i = 0; i < wu_type_count(); i++) {
		const char *name = wu_type_at(i)->name;
		if (strlen(name) == len && !strncmp(base, name, len))
			return name;
	}
	return NULL;
}

static int import_path(struct cli *cli, const char *path, const char *format, const char *type, bool force,
		       uint64_t *total);

static int import_dir(struct cli *cli, const char *dir, bool force, uint64_t *total)
{
	int r = WU_OK, found = 0;
	for (size_t i = 0; i < wu_type_count() && !r; i++) {
		char *p = NULL;
		if (asprintf(&p, "%s/%s.csv", dir, wu_type_at(i)->name) < 0)
			return cli_fail(cli, WU_ENOMEM);
		if (access(p, F_OK) == 0) {
			found++;
			r = import_path(cli, p, "csv", wu_type_at(i)->name, force, total);
		}
		free(p);
	}
	if (!r && !found) {
		cli_error("import: '%s' holds no TYPE.csv files", dir);
		return WU_EINVAL;
	}
	return r;
}

/* Returns a library code; messages for it are printed by the caller. */
static int import_path(struct cli *cli, const char *path, const char *format, const char *type, bool force,
		       uint64_t *total)
{
	struct stat sb;
	if (strcmp(path, "-") && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return import_dir(cli, path, force, total);
	if (!format)
		format = ends_with(path, ".csv") ? "csv" : "jsonl";
	if (!strcmp(format, "csv") && !type && !(type = type_from_name(path))) {
		cli_error("import: cannot tell the record type of '%s'; name it TYPE.csv or pass --type", path);
		return WU_EINVAL;
	}
	FILE *in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!in) {
		cli_error("import: cannot open '%s': %s", path, strerror(errno));
		return WU_EIO;
	}
	int r = import_stream(cli, in, strcmp(path, "-") ? path : "stdin", format, type, force, total);
	if (in != stdin)
		fclose(in);
	if (r)
		cli_error("import: %s", wu_errmsg(cli->db));
	return r;
}

int cmd_import(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = NULL, *type = NULL;
	bool force = false;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT: format = optarg; break;
		case OPT_TYPE: type = optarg; break;
		case OPT_FORCE: force = true; break;
		case OPT_HELP: fputs(import_usage, stdout); return EXIT_OK;
		case ':': return cli_usage_error("import", "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("import", "'%s' is not an option of import", argv[optind - 1]);
		}
	}
	if (format && strcmp(format, "jsonl") && strcmp(format, "csv"))
		return cli_usage_error("import", "--format: '%s' is not jsonl or csv", format);
	if (type && !wu_type_find(type))
		return cli_usage_error("import", "--type: '%s' is not a record type", type);
	if (optind >= argc)
		return cli_usage_error("import", "import needs a file to read ('-' for standard input)");
	int rc = cli_open(cli, 0);
	if (rc)
		return rc;
	uint64_t total = 0;
	int r = wu_begin_bulk(cli->db);
	if (r)
		return cli_fail(cli, r);
	for (int i = optind; i < argc && !r; i++)
		r = import_path(cli, argv[i], format, type, force, &total);
	if (r) {
		wu_rollback(cli->db);
		fputs("withus: import: nothing was written\n", stderr);
		return cli_exit_code(r);
	}
	if ((r = wu_commit(cli->db)))
		return cli_fail(cli, r);
	fprintf(stderr, "withus: imported %llu records\n", (unsigned long long)total);
	return EXIT_OK;
}

/* ---- export ------------------------------------------------------------------- */

static const char export_usage[] =
	"usage: withus export [--format jsonl|csv] [--type TYPE] [--project P] [--org O]\n"
	"                     [--profile private|funder|public] [--output PATH]\n"
	"       withus export --format 360giving|360giving-json|iati [--project P]...\n"
	"                     [--profile funder|public|private] [--prefix 360G-...]\n"
	"                     [--output FILE]\n"
	"\n"
	"Writes records in their canonical shape, in dependency order, so that\n"
	"'withus import' of the output rebuilds the same database. This is the\n"
	"backup format: it holds everything, private records included.\n"
	"\n"
	"  --format jsonl   JSON Lines to standard output or --output FILE (default)\n"
	"  --format csv     one TYPE.csv per record type into directory --output DIR;\n"
	"                   with --type and no --output, that type's CSV to stdout\n"
	"  --project P      only the records of one project\n"
	"  --org O          only the records that name one organisation (and the\n"
	"                   organisation itself): what it needs to audit claims\n"
	"  --profile P      private (default: everything, the backup), or funder and\n"
	"                   public: only what sync would share, organisations by\n"
	"                   alias unless public, no SWLO status without consent\n"
	"\n"
	"Standards (docs/standards.md), made to be published:\n"
	"  --format 360giving       360Giving 1.4 flat CSV of the onward grants from\n"
	"                           each project's lead to community organisations\n"
	"  --format 360giving-json  the same as 360Giving JSON\n"
	"  --format iati            IATI 2.03 activity XML, one activity per project\n"
	"  --profile P      funder (default: shared projects only, organisations by\n"
	"                   alias unless public), public, or private (everything)\n"
	"  --prefix P       your 360Giving identifier prefix (default 360G-withus)\n";

static int export_csv_dir(struct cli *cli, const char *dir, const char *only, const wu_query *q, wu_profile prof)
{
	if (cli_mkdir_p(dir) != 0) {
		cli_error("export: cannot create '%s': %s", dir, strerror(errno));
		return EXIT_RUNTIME;
	}
	for (size_t i = 0; i < wu_type_count(); i++) {
		const char *t = wu_type_at(i)->name;
		if (only && strcmp(only, t))
			continue;
		char *p = NULL;
		if (asprintf(&p, "%s/%s.csv", dir, t) < 0)
			return cli_fail(cli, WU_ENOMEM);
		FILE *out = fopen(p, "w");
		if (!out) {
			cli_error("export: cannot create '%s': %s", p, strerror(errno));
			free(p);
			return EXIT_RUNTIME;
		}
		int r = wu_export_csv_profile(cli->db, out, t, q, prof);
		if (fclose(out) != 0 && !r) {
			cli_error("export: cannot write '%s': %s", p, strerror(errno));
			free(p);
			return EXIT_RUNTIME;
		}
		free(p);
		if (r)
			return cli_fail(cli, r);
	}
	return EXIT_OK;
}

static int export_standard(struct cli *cli, const char *format, const char **projects, size_t n, const char *profile,
			   const char *prefix, const char *output, const char *type, const char *org)
{
	wu_standard_opts o = { .nprojects = n, .prefix = prefix, .profile = WU_PROFILE_FUNDER };
	wu_standard std = !strcmp(format, "iati") ? WU_STD_IATI
			  : !strcmp(format, "360giving") ? WU_STD_360GIVING_CSV : WU_STD_360GIVING_JSON;
	if (type || org)
		return cli_usage_error("export", "--%s does not apply to --format %s", type ? "type" : "org", format);
	if (profile && !strcmp(profile, "private"))
		o.profile = WU_PROFILE_PRIVATE;
	else if (profile && !strcmp(profile, "public"))
		o.profile = WU_PROFILE_PUBLIC;
	else if (profile && strcmp(profile, "funder"))
		return cli_usage_error("export", "--profile: '%s' is not funder, public or private", profile);
	if (prefix && (strncmp(prefix, "360G-", 5) || strlen(prefix) < 6 || strpbrk(prefix, " ,\"")))
		return cli_usage_error("export", "--prefix: '%s' is not a 360Giving prefix (360G-, then your code)", prefix);
	int rc = cli_open(cli, WU_OPEN_NOCREATE | WU_OPEN_READONLY);
	if (rc)
		return rc;
	char **ids = calloc(n ? n : 1, sizeof *ids);
	if (!ids)
		return cli_fail(cli, WU_ENOMEM);
	for (size_t i = 0; !rc && i < n; i++) {
		int r = wu_resolve(&ids[i], cli->db, "project", projects[i]);
		if (r) {
			cli_error("--project: %s", wu_errmsg(cli->db));
			rc = cli_exit_code(r);
		}
	}
	o.projects = n ? (const char *const *)ids : NULL;
	FILE *out = NULL;
	if (!rc && !(out = output ? fopen(output, "w") : stdout)) {
		cli_error("export: cannot create '%s': %s", output, strerror(errno));
		rc = EXIT_RUNTIME;
	}
	if (!rc) {
		int r = wu_export_standard(cli->db, out, std, &o);
		rc = r ? cli_fail(cli, r) : EXIT_OK;
		if (out != stdout && fclose(out) != 0 && !rc) {
			cli_error("export: cannot write '%s': %s", output, strerror(errno));
			rc = EXIT_RUNTIME;
		}
	}
	for (size_t i = 0; i < n; i++)
		wu_free(ids[i]);
	free(ids);
	return rc ? rc : cli_finish_stdout();
}

int cmd_export(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "project", required_argument, NULL, OPT_PROJECT },
		{ "org", required_argument, NULL, OPT_ORG },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "prefix", required_argument, NULL, OPT_PREFIX },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "jsonl", *type = NULL, *output = NULL, *project = NULL, *org = NULL;
	const char *profile = NULL, *prefix = NULL;
	const char **projects = NULL;
	size_t nprojects = 0;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:o:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT: format = optarg; break;
		case OPT_TYPE: type = optarg; break;
		case 'o':
		case OPT_OUTPUT: output = optarg; break;
		case OPT_PROJECT:
			if (cli_append(&projects, &nprojects, project = optarg)) {
				free(projects);
				return EXIT_RUNTIME;
			}
			break;
		case OPT_ORG: org = optarg; break;
		case OPT_PROFILE: profile = optarg; break;
		case OPT_PREFIX: prefix = optarg; break;
		case OPT_HELP: free(projects); fputs(export_usage, stdout); return EXIT_OK;
		case ':': free(projects); return cli_usage_error("export", "option '%s' needs a value", argv[optind - 1]);
		default: free(projects); return cli_usage_error("export", "'%s' is not an option of export", argv[optind - 1]);
		}
	}
	if (!strcmp(format, "360giving") || !strcmp(format, "360giving-json") || !strcmp(format, "iati")) {
		int rc = export_standard(cli, format, projects, nprojects, profile, prefix, output, type, org);
		free(projects);
		return rc;
	}
	free(projects);
	if (nprojects > 1)
		return cli_usage_error("export", "--format %s takes one --project", format);
	wu_profile prof = WU_PROFILE_PRIVATE;
	if (prefix)
		return cli_usage_error("export", "--prefix is for --format 360giving and 360giving-json");
	if (profile && !strcmp(profile, "funder"))
		prof = WU_PROFILE_FUNDER;
	else if (profile && !strcmp(profile, "public"))
		prof = WU_PROFILE_PUBLIC;
	else if (profile && strcmp(profile, "private"))
		return cli_usage_error("export", "--profile: '%s' is not private, funder or public", profile);
	if (optind < argc)
		return cli_usage_error("export", "unexpected argument '%s'", argv[optind]);
	if (strcmp(format, "jsonl") && strcmp(format, "csv"))
		return cli_usage_error("export", "--format: '%s' is not jsonl, csv, 360giving, 360giving-json or iati", format);
	if (type && !wu_type_find(type))
		return cli_usage_error("export", "--type: '%s' is not a record type", type);
	if (!strcmp(format, "csv") && !output && !type)
		return cli_usage_error("export", "--format csv writes one file per type: give --output DIR (or --type)");
	int rc = cli_open(cli, WU_OPEN_NOCREATE);
	if (rc)
		return rc;
	wu_query q = { 0 };
	char *pid = NULL, *oid = NULL;
	int r = WU_OK;
	if (project && (r = wu_resolve(&pid, cli->db, "project", project)))
		return cli_fail(cli, r);
	if (org && (r = wu_resolve(&oid, cli->db, "org", org))) {
		wu_free(pid);
		return cli_fail(cli, r);
	}
	q.project = pid;
	q.org = oid;
	if (!strcmp(format, "csv") && output) {
		rc = export_csv_dir(cli, output, type, &q, prof);
	} else {
		FILE *out = output ? fopen(output, "w") : stdout;
		if (!out) {
			cli_error("export: cannot create '%s': %s", output, strerror(errno));
			rc = EXIT_RUNTIME;
		} else {
			r = !strcmp(format, "csv") ? wu_export_csv_profile(cli->db, out, type, &q, prof)
						   : wu_export_jsonl_profile(cli->db, out, type, &q, prof);
			rc = r ? cli_fail(cli, r) : EXIT_OK;
			if (out != stdout && fclose(out) != 0 && !rc) {
				cli_error("export: cannot write '%s': %s", output, strerror(errno));
				rc = EXIT_RUNTIME;
			}
		}
	}
	wu_free(pid);
	wu_free(oid);
	return rc ? rc : cli_finish_stdout();
}

const struct command cmd_import_entry = { "import", cmd_import, "import records from JSON Lines or CSV", import_usage };
const struct command cmd_export_entry = { "export", cmd_export, "export records as JSON Lines or CSV", export_usage };
