/*
 * cmd-sync.c - withus remote, sync, conflicts, resolve.
 *
 * The password or token for a sync comes from WITHUS_PASSWORD (or
 * WITHUS_TOKEN for jwt), from --password-file (which must be private to
 * its owner), or from a prompt on the terminal: never from argv, where
 * every user of the machine could read it.
 */
#include "config.h"
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include "cli.h"

enum {
	OPT_USER = 256, OPT_AUTH, OPT_CACERT, OPT_ALLOW_HTTP, OPT_PUSH, OPT_PULL, OPT_DRY_RUN, OPT_CREATE,
	OPT_PASSWORD_FILE, OPT_INSECURE, OPT_BATCH, OPT_PRINT, OPT_JSON, OPT_KEEP, OPT_HELP,
};

/* ---- remote ---------------------------------------------------------------------- */

static const char remote_usage[] =
	"usage: withus remote add NAME URL [--user USER] [--auth none|basic|cookie|jwt] [--cacert FILE] [--allow-http]\n"
	"       withus remote list\n"
	"       withus remote rm NAME\n"
	"       withus remote install-rules NAME [--password-file FILE] [--print]\n"
	"\n"
	"A remote is a database on a CouchDB-compatible server (CouchDB 3, Cloudant,\n"
	"PouchDB Server). The URL names the database: https://host:6984/consortium.\n"
	"Credentials in the URL are refused and no password is ever stored: give it\n"
	"when syncing (see 'withus help sync'). Plain http is accepted only to this\n"
	"machine unless --allow-http says otherwise.\n"
	"\n"
	"install-rules installs, as the database's admin (the remote's user), the\n"
	"rules the server enforces: the design document _design/withus, whose\n"
	"validate_doc_update lets researchers (role withus:researcher) write\n"
	"records, lets an organisation's account (withus:org:ORG-ID) write only\n"
	"its own attestations, and makes every other account read-only; and the\n"
	"withus roles in _security, keeping what is there. Running it again\n"
	"changes nothing. --print shows both as JSON and sends nothing.\n";

static int remote_install_rules(struct cli *cli, int argc, char **argv);

static int print_remote(const wu_remote *r, void *payload)
{
	(void)payload;
	printf("%s\t%s\t%s%s%s\n", r->name, r->url, r->auth, r->username ? " as " : "", r->username ? r->username : "");
	return 0;
}

static int remote_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, OPT_USER }, { "auth", required_argument, NULL, OPT_AUTH },
		{ "cacert", required_argument, NULL, OPT_CACERT }, { "allow-http", no_argument, NULL, OPT_ALLOW_HTTP },
		{ "help", no_argument, NULL, OPT_HELP }, { NULL, 0, NULL, 0 },
	};
	wu_remote r = { 0 };
	unsigned flags = 0;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case OPT_USER: r.username = optarg; break;
		case OPT_AUTH: r.auth = optarg; break;
		case OPT_CACERT: r.cacert = optarg; break;
		case OPT_ALLOW_HTTP: flags |= WU_REMOTE_ALLOW_HTTP; break;
		case OPT_HELP: fputs(remote_usage, stdout); return EXIT_OK;
		case ':': return cli_usage_error("remote", "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("remote", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("remote", "remote add needs NAME and URL");
	r.name = argv[optind];
	r.url = argv[optind + 1];
	char *cacert = NULL;
	if (r.cacert) {
		if (access(r.cacert, R_OK) != 0)
			return cli_usage_error("remote", "--cacert: cannot read '%s'", r.cacert);
		if (!(cacert = realpath(r.cacert, NULL)))
			return cli_fail(cli, WU_ENOMEM);
		r.cacert = cacert;
	}
	int rc = cli_open(cli, 0);
	if (!rc && (rc = wu_remote_add(cli->db, &r, flags)))
		rc = cli_fail(cli, rc);
	free(cacert);
	return rc;
}

int cmd_remote(struct cli *cli, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help")) {
		fputs(remote_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	const char *verb = argv[1];
	if (!strcmp(verb, "add"))
		return remote_add(cli, argc - 1, argv + 1);
	if (!strcmp(verb, "list") || !strcmp(verb, "rm")) {
		bool rm = !strcmp(verb, "rm");
		if (argc != (rm ? 3 : 2))
			return cli_usage_error("remote", rm ? "remote rm needs one NAME" : "remote list takes no arguments");
		int rc = cli_open(cli, rm ? 0 : WU_OPEN_READONLY);
		if (rc)
			return rc;
		rc = rm ? wu_remote_rm(cli->db, argv[2]) : wu_remote_list(cli->db, print_remote, NULL);
		return rc ? cli_fail(cli, rc) : cli_finish_stdout();
	}
	if (!strcmp(verb, "install-rules"))
		return remote_install_rules(cli, argc - 1, argv + 1);
	return cli_usage_error("remote", "'%s' is not add, list, rm or install-rules", verb);
}

const struct command cmd_remote_entry = { "remote", cmd_remote, "add, list or remove sync remotes", remote_usage };

/* ---- sync -------------------------------------------------------------------------- */

static const char sync_usage[] =
	"usage: withus sync [NAME] [--push | --pull] [--dry-run] [--create] [--password-file FILE]\n"
	"                   [--batch-size N] [--insecure-skip-tls-verify]\n"
	"\n"
	"Replicates with remote NAME (the only one when left out): push, then pull.\n"
	"Only records marked shared leave this machine; --dry-run prints, one JSON\n"
	"line each, exactly the documents a push would send, and changes nothing.\n"
	"Progress goes to stderr, the summary to stdout. --batch-size sets how many\n"
	"changes are read and documents uploaded per request (default 500).\n"
	"\n"
	"The password (basic, cookie) or token (jwt) comes from the environment\n"
	"(WITHUS_PASSWORD, or WITHUS_TOKEN for jwt), from --password-file (a file\n"
	"only its owner can read), or from a prompt on the terminal.\n"
	"--insecure-skip-tls-verify turns off TLS certificate checks: anyone on the\n"
	"network could then read and change what is sent. For testing only.\n"
	"\n"
	"Exit status: 0 synced, 1 failed (network, server, credentials), 2 bad usage.\n";

/* Reads a secret from `path`, which must be a regular file only its owner can read. */
static int read_secret_file(const char *path, char **out)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return cli_usage_error("sync", "--password-file: cannot open '%s'", path);
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		close(fd);
		return cli_usage_error("sync", "--password-file: '%s' can be read by others (mode %03o); chmod 600 it",
				       path, (unsigned)(st.st_mode & 0777));
	}
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return cli_usage_error("sync", "--password-file: cannot read '%s'", path);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	*out = strdup(buf);
	memset(buf, 0, sizeof buf);
	return *out ? EXIT_OK : EXIT_RUNTIME;
}

/* Asks on the terminal with echo off; NULL when there is no terminal. */
static char *prompt_secret(const char *what)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct termios old, quiet;
	bool tty = tcgetattr(fd, &old) == 0;
	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	char prompt[64];
	int plen = snprintf(prompt, sizeof prompt, "%s: ", what);
	if (write(fd, prompt, (size_t)plen) < 0)
		plen = 0;
	char buf[1024];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	if (tty)
		tcsetattr(fd, TCSAFLUSH, &old);
	(void)!write(fd, "\n", 1); /* only cosmetic: the newline echo suppressed */
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	char *s = strdup(buf);
	memset(buf, 0, sizeof buf);
	return s;
}

struct remote_auth {
	const char *name;
	char auth[16];
	bool has_user;
	bool found;
};

static int find_remote(const wu_remote *r, void *payload)
{
	struct remote_auth *ra = payload;
	if (ra->name && strcmp(ra->name, r->name))
		return 0;
	snprintf(ra->auth, sizeof ra->auth, "%s", r->auth);
	ra->has_user = r->username != NULL;
	ra->found = true;
	return ra->name != NULL;
}

static int get_secret(struct cli *cli, const char *name, const char *file, char **out)
{
	*out = NULL;
	struct remote_auth ra = { .name = name };
	int rc = wu_remote_list(cli->db, find_remote, &ra);
	if (rc)
		return cli_fail(cli, rc);
	if (!ra.found || !strcmp(ra.auth, "none"))
		return EXIT_OK; /* wu_sync explains a missing remote */
	bool jwt = !strcmp(ra.auth, "jwt");
	if (file)
		return read_secret_file(file, out);
	const char *env = getenv(jwt ? "WITHUS_TOKEN" : "WITHUS_PASSWORD");
	if (env && *env)
		return (*out = strdup(env)) ? EXIT_OK : cli_fail(cli, WU_ENOMEM);
	if (!(*out = prompt_secret(jwt ? "Token" : "Password"))) {
		cli_error("remote '%s' needs a %s: set %s, use --password-file, or run on a terminal", name ? name : "",
			  jwt ? "token" : "password", jwt ? "WITHUS_TOKEN" : "WITHUS_PASSWORD");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static void secret_free(char *secret)
{
	if (!secret)
		return;
	for (volatile char *p = secret; *p; p++) /* volatile: the wipe of a buffer about to be freed stays */
		*p = 0;
	free(secret);
}

static int print_rules(void)
{
	json_t *design, *security;
	if (wu_rules_json(&design, &security))
		return cli_fail(NULL, WU_ENOMEM);
	json_t *both = json_pack("{soso}", "design", design, "security", security);
	char *s = both ? json_dumps(both, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	json_decref(both);
	if (!s)
		return cli_fail(NULL, WU_ENOMEM);
	puts(s);
	free(s);
	return cli_finish_stdout();
}

static int remote_install_rules(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE }, { "print", no_argument, NULL, OPT_PRINT },
		{ "insecure-skip-tls-verify", no_argument, NULL, OPT_INSECURE },
		{ "help", no_argument, NULL, OPT_HELP }, { NULL, 0, NULL, 0 },
	};
	wu_sync_opts o = { 0 };
	const char *file = NULL;
	bool print = false;
	int c;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case OPT_PASSWORD_FILE: file = optarg; break;
		case OPT_PRINT: print = true; break;
		case OPT_INSECURE: o.insecure_tls = 1; break;
		case OPT_HELP: fputs(remote_usage, stdout); return EXIT_OK;
		case ':': return cli_usage_error("remote", "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("remote", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (print)
		return argc == optind ? print_rules() : cli_usage_error("remote", "install-rules --print takes no NAME");
	if (argc - optind != 1)
		return cli_usage_error("remote", "remote install-rules needs one NAME");
	if (o.insecure_tls)
		cli_error("WARNING: TLS verification is OFF (--insecure-skip-tls-verify): the server is not authenticated");
	int rc = cli_open(cli, WU_OPEN_READONLY);
	char *secret = NULL;
	if (!rc)
		rc = get_secret(cli, argv[optind], file, &secret);
	if (rc)
		return rc;
	o.secret = secret;
	int changed = 0;
	int wrc = wu_remote_install_rules(&changed, cli->db, argv[optind], &o);
	secret_free(secret);
	if (wrc)
		return cli_fail(cli, wrc);
	printf("%s: design document %s, _security %s\n", argv[optind],
	       changed & WU_RULES_DESIGN ? "installed" : "already installed",
	       changed & WU_RULES_SECURITY ? "updated" : "already has the withus roles");
	return cli_finish_stdout();
}

static void progress(const char *phase, int64_t done, void *payload)
{
	(void)payload;
	fprintf(stderr, "withus: %s: %lld %s\n", phase, (long long)done, !strcmp(phase, "push") ? "sent" : "received");
}

static int print_doc(const json_t *doc, void *payload)
{
	(void)payload;
	char *s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	if (!s)
		return 1;
	puts(s);
	free(s);
	return 0;
}

#ifdef WU_TEST_HOOKS
/* Test builds only: WITHUS_FAULT="point" (or "request:N") kills the
 * process there with SIGKILL, as a pulled plug would. */
static int test_fault(const char *point, long n, void *payload)
{
	(void)payload;
	const char *f = getenv("WITHUS_FAULT");
	if (!f || !*f)
		return 0;
	char here[64];
	if (!strcmp(point, "request"))
		snprintf(here, sizeof here, "request:%ld", n);
	else
		snprintf(here, sizeof here, "%s", point);
	if (!strcmp(f, here))
		raise(SIGKILL);
	return 0;
}
#endif

int cmd_sync(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "push", no_argument, NULL, OPT_PUSH }, { "pull", no_argument, NULL, OPT_PULL },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN }, { "create", no_argument, NULL, OPT_CREATE },
		{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
		{ "insecure-skip-tls-verify", no_argument, NULL, OPT_INSECURE },
		{ "batch-size", required_argument, NULL, OPT_BATCH },
		{ "help", no_argument, NULL, OPT_HELP }, { NULL, 0, NULL, 0 },
	};
	wu_sync_opts o = { 0 };
	char *end;
	const char *file = NULL;
	int c;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case OPT_PUSH: o.direction |= WU_SYNC_PUSH; break;
		case OPT_PULL: o.direction |= WU_SYNC_PULL; break;
		case OPT_DRY_RUN: o.dry_run = 1; break;
		case OPT_CREATE: o.create = 1; break;
		case OPT_PASSWORD_FILE: file = optarg; break;
		case OPT_INSECURE: o.insecure_tls = 1; break;
		case OPT_BATCH: {
			long v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v < 1 || v > 10000)
				return cli_usage_error("sync", "--batch-size: '%s' is not a number from 1 to 10000", optarg);
			o.batch_size = (int)v;
			break;
		}
		case OPT_HELP: fputs(sync_usage, stdout); return EXIT_OK;
		case ':': return cli_usage_error("sync", "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("sync", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("sync", "unexpected argument '%s'", argv[optind + 1]);
	const char *name = optind < argc ? argv[optind] : NULL;
	if (o.insecure_tls)
		cli_error("WARNING: TLS verification is OFF (--insecure-skip-tls-verify): the server is not authenticated");
	int rc = cli_open(cli, 0);
	if (rc)
		return rc;
	/* Tests keep the backoff and the stall window short. */
	const char *base = getenv("WITHUS_RETRY_BASE_MS"), *stall = getenv("WITHUS_STALL_SECONDS");
	if (base && *base) {
		long v = strtol(base, &end, 10);
		if (*end || v < 1 || v > 60000)
			return cli_usage_error("sync", "WITHUS_RETRY_BASE_MS: '%s' is not a number of milliseconds (1-60000)", base);
		o.retry_base_ms = (int)v;
	}
	if (stall && *stall) {
		long v = strtol(stall, &end, 10);
		if (*end || v < 1 || v > 3600)
			return cli_usage_error("sync", "WITHUS_STALL_SECONDS: '%s' is not a number of seconds (1-3600)", stall);
		o.stall_seconds = (int)v;
	}
	char *secret = NULL;
	if ((rc = get_secret(cli, name, file, &secret)))
		return rc;
	o.secret = secret;
	o.progress = progress;
	o.on_doc = print_doc;
#ifdef WU_TEST_HOOKS
	o.fault = test_fault;
#endif
	wu_sync_stats s;
	int wrc = wu_sync(&s, cli->db, name, &o);
	secret_free(secret);
	if (wrc)
		return cli_fail(cli, wrc);
	FILE *summary = o.dry_run ? stderr : stdout;
	fprintf(summary, "%s%lld sent, %lld received, %lld rejected, %lld conflict%s (%lld requests)\n",
		o.dry_run ? "dry run: would have " : "", (long long)s.sent, (long long)s.received, (long long)s.rejected,
		(long long)s.conflicts, s.conflicts == 1 ? "" : "s", (long long)s.requests);
	if (s.conflicts && !o.dry_run)
		fprintf(stderr, "withus: %lld record%s in conflict: see 'withus conflicts'\n", (long long)s.conflicts,
			s.conflicts == 1 ? " is" : "s are");
	if (s.ignored)
		fprintf(stderr, "withus: pull: %lld document%s on the server %s not withus records; left alone\n",
			(long long)s.ignored, s.ignored == 1 ? "" : "s", s.ignored == 1 ? "is" : "are");
	return cli_finish_stdout();
}

const struct command cmd_sync_entry = { "sync", cmd_sync, "replicate with a remote (push, then pull)", sync_usage };

/* ---- conflicts, resolve ------------------------------------------------------------- */

static const char conflicts_usage[] =
	"usage: withus conflicts [ID] [--json]\n"
	"\n"
	"Lists the records that were edited on two machines before they synced:\n"
	"every version, the winner first (the one every peer shows until the\n"
	"conflict is resolved), with the fields in which the others differ.\n"
	"Resolve with: withus resolve ID --keep REV (then edit, to merge).\n";

static void print_value(const json_t *v)
{
	if (!v) {
		fputs("(unset)", stdout);
		return;
	}
	if (json_is_string(v)) {
		fputs(json_string_value(v), stdout);
		return;
	}
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	fputs(s ? s : "?", stdout);
	free(s);
}

static int print_conflict(const json_t *c, void *payload)
{
	if (*(bool *)payload)
		return print_doc(c, NULL);
	const json_t *revs = json_object_get(c, "revs");
	const json_t *winner = json_object_get(json_array_get(revs, 0), "body");
	printf("%s %s: %zu versions\n", json_string_value(json_object_get(c, "type")),
	       json_string_value(json_object_get(c, "id")), json_array_size(revs));
	size_t i;
	json_t *r;
	json_array_foreach(revs, i, r) {
		printf("  %s %s%s\n", i == 0 ? "*" : " ", json_string_value(json_object_get(r, "rev")),
		       i == 0 ? " (winner)" : json_is_true(json_object_get(r, "deleted")) ? " (deleted)" : "");
		const json_t *body = json_object_get(r, "body");
		if (i == 0 || !json_is_object(body))
			continue;
		const char *key;
		json_t *v;
		json_t *keys = json_object();
		json_object_update(keys, (json_t *)winner);
		json_object_update(keys, (json_t *)body);
		json_object_foreach(keys, key, v) {
			const json_t *a = json_object_get(winner, key), *b = json_object_get(body, key);
			if (a && b && json_equal(a, b))
				continue;
			printf("      %s: ", key);
			print_value(b);
			fputs("  (winner: ", stdout);
			print_value(a);
			fputs(")\n", stdout);
		}
		json_decref(keys);
	}
	return 0;
}

static int resolve_id(struct cli *cli, const char *text, char **id)
{
	int rc = wu_resolve(id, cli->db, NULL, text);
	return rc ? cli_fail(cli, rc) : EXIT_OK;
}

int cmd_conflicts(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON }, { "help", no_argument, NULL, OPT_HELP }, { NULL, 0, NULL, 0 },
	};
	bool json = false;
	int c;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_HELP: fputs(conflicts_usage, stdout); return EXIT_OK;
		default: return cli_usage_error("conflicts", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("conflicts", "unexpected argument '%s'", argv[optind + 1]);
	int rc = cli_open(cli, WU_OPEN_READONLY);
	if (rc)
		return rc;
	char *id = NULL;
	if (optind < argc && (rc = resolve_id(cli, argv[optind], &id)))
		return rc;
	rc = wu_conflicts(cli->db, id, print_conflict, &json);
	wu_free(id);
	return rc ? cli_fail(cli, rc) : cli_finish_stdout();
}

const struct command cmd_conflicts_entry = { "conflicts", cmd_conflicts, "list records edited on two machines at once",
					     conflicts_usage };

static const char resolve_usage[] =
	"usage: withus resolve ID --keep REV\n"
	"\n"
	"Resolves a conflict (see 'withus conflicts'): version REV becomes the\n"
	"record and the other versions are deleted, in one step that the next\n"
	"sync shares. To merge, keep one version, then 'withus edit' it.\n";

int cmd_resolve(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keep", required_argument, NULL, OPT_KEEP }, { "help", no_argument, NULL, OPT_HELP }, { NULL, 0, NULL, 0 },
	};
	const char *keep = NULL;
	int c;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case OPT_KEEP: keep = optarg; break;
		case OPT_HELP: fputs(resolve_usage, stdout); return EXIT_OK;
		case ':': return cli_usage_error("resolve", "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("resolve", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("resolve", "resolve needs the ID of one record");
	if (!keep)
		return cli_usage_error("resolve", "--keep REV is required (the version to keep; see withus conflicts)");
	int rc = cli_open(cli, 0);
	if (rc)
		return rc;
	char *id = NULL;
	if ((rc = resolve_id(cli, argv[optind], &id)))
		return rc;
	rc = wu_conflict_resolve(cli->db, id, keep);
	wu_free(id);
	return rc ? cli_fail(cli, rc) : EXIT_OK;
}

const struct command cmd_resolve_entry = { "resolve", cmd_resolve, "resolve a conflict by keeping one version",
					   resolve_usage };
