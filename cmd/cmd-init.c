/*
 * cmd-init.c - create the database.
 */
#include "config.h"
#include <string.h>
#include "cli.h"

static const char init_usage[] =
	"usage: withus init\n"
	"\n"
	"Creates the database (mode 0600) if it does not exist and brings its\n"
	"schema up to date. The database is --db PATH, else $WITHUS_DB, else\n"
	"$XDG_DATA_HOME/withus/withus.db (~/.local/share/withus/withus.db).\n";

int cmd_init(struct cli *cli, int argc, char **argv)
{
	if (argc > 1) {
		if (!strcmp(argv[1], "--help")) {
			fputs(init_usage, stdout);
			return EXIT_OK;
		}
		return cli_usage_error("init", "unexpected argument '%s' (use --db PATH to choose the file)", argv[1]);
	}
	int rc = cli_open(cli, 0);
	if (rc)
		return rc;
	int version = 0;
	wu_db_user_version(&version, cli->db);
	printf("withus database %s (schema version %d)\n", cli->db_path, version);
	return cli_finish_stdout();
}

const struct command cmd_init_entry = { "init", cmd_init, "create the database", init_usage };
