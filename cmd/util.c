/*
 * util.c - messages, exit codes, the database path, output helpers.
 */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("withus: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("withus: ", stderr);
	vfprintf(stderr, fmt, ap);
	/* one line, like every other error; the command's help is one step away */
	if (cmd && !strstr(fmt, "withus help"))
		fprintf(stderr, " (see 'withus help %s')", cmd);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_USAGE;
}

/* Bad input (a value, a reference, a refused change) is a usage error, 2;
 * trouble with the machine (files, the database, memory) is 1. */
int cli_exit_code(int rc)
{
	switch (rc) {
	case WU_OK:
		return EXIT_OK;
	case WU_EINVAL:
	case WU_ENOTFOUND:
	case WU_EEXIST:
	case WU_EREFERENCED:
	case WU_EPERSONAL:
	case WU_EAMBIGUOUS:
	case WU_EDEMO:
		return EXIT_USAGE;
	default:
		return EXIT_RUNTIME;
	}
}

int cli_fail(struct cli *cli, int rc)
{
	if (rc == WU_ENOMEM || !cli->db)
		cli_error("%s", wu_strerror(rc));
	else if (rc == WU_EPERSONAL)
		cli_error("%s (if it names no person, --force accepts it)", wu_errmsg(cli->db));
	else
		cli_error("%s", wu_errmsg(cli->db));
	return cli_exit_code(rc);
}

int cli_mkdir_p(const char *dir)
{
	char *p = strdup(dir);
	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int r = mkdir(p, 0700) != 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return r;
}

/* $XDG_DATA_HOME/withus, or ~/.local/share/withus. */
char *cli_default_dir(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char *dir = NULL;
	if (xdg && xdg[0] == '/') {
		if (asprintf(&dir, "%s/withus", xdg) < 0)
			dir = NULL;
	} else if (home && *home) {
		if (asprintf(&dir, "%s/.local/share/withus", home) < 0)
			dir = NULL;
	}
	return dir;
}

int cli_open(struct cli *cli, unsigned flags)
{
	if (cli->db)
		return EXIT_OK; /* one handle per run, shared by nested commands */
	if (!cli->db_path) {
		char *dir = cli_default_dir();
		if (!dir) {
			cli_error("cannot tell where the database goes: set HOME, XDG_DATA_HOME or WITHUS_DB, or pass --db");
			return EXIT_USAGE;
		}
		if (!(flags & WU_OPEN_READONLY) && cli_mkdir_p(dir) != 0) {
			cli_error("cannot create '%s': %s", dir, strerror(errno));
			free(dir);
			return EXIT_RUNTIME;
		}
		if (asprintf(&cli->owned_path, "%s/withus.db", dir) < 0) {
			free(dir);
			return cli_fail(cli, WU_ENOMEM);
		}
		free(dir);
		cli->db_path = cli->owned_path;
	}
	wu_open_opts o = { .flags = flags, .user = cli->user };
	int rc = wu_db_open(&cli->db, cli->db_path, &o);
	if (rc) {
		if (cli->db)
			cli_error("cannot open '%s': %s", cli->db_path, wu_errmsg(cli->db));
		else
			cli_error("cannot open '%s': %s", cli->db_path, wu_strerror(rc));
		wu_db_close(cli->db);
		cli->db = NULL;
		return rc == WU_ENOTFOUND ? EXIT_USAGE : EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/* A full disk or a closed pipe must not end in exit status 0. */
int cli_finish_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write output: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

int cli_print_json(const json_t *v, bool pretty)
{
	size_t flags = JSON_SORT_KEYS | (pretty ? JSON_INDENT(2) : JSON_COMPACT);
	if (json_dumpf(v, stdout, flags) != 0 || putchar('\n') == EOF)
		return -1;
	return 0;
}

int cli_append(const char ***list, size_t *n, const char *value)
{
	const char **grown = realloc(*list, (*n + 1) * sizeof *grown);
	if (!grown) {
		cli_error("out of memory");
		return EXIT_RUNTIME;
	}
	grown[(*n)++] = value;
	*list = grown;
	return EXIT_OK;
}
