/*
 * main.c - global options and the command table.
 *
 *   withus [--db PATH] [--user NAME] COMMAND [ARGS]
 *   withus [--db PATH] TYPE VERB [ARGS]      (same as: withus VERB TYPE ...)
 */
#include "config.h"
#include <getopt.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

/* Sorted by name; `withus help` prints them in this order. */
const struct command *const cli_commands[] = {
	&cmd_add_entry, &cmd_attest_entry, &cmd_audit_entry, &cmd_check_entry, &cmd_conflicts_entry, &cmd_demo_entry, &cmd_edit_entry,
	&cmd_explain_entry, &cmd_export_entry, &cmd_help_entry, &cmd_history_entry, &cmd_import_entry,
	&cmd_init_entry, &cmd_list_entry, &cmd_policy_entry, &cmd_rate_entry, &cmd_remote_entry, &cmd_report_entry, &cmd_resolve_entry,
	&cmd_rm_entry, &cmd_rules_entry, &cmd_show_entry, &cmd_sync_entry, &cmd_version_entry, NULL,
};

const struct command *cli_find_command(const char *name)
{
	for (size_t i = 0; cli_commands[i]; i++)
		if (!strcmp(cli_commands[i]->name, name))
			return cli_commands[i];
	return NULL;
}

static char *local_user(void)
{
	struct passwd *pw = getpwuid(getuid());
	return strdup(pw && pw->pw_name ? pw->pw_name : "unknown");
}

static const char global_usage[] =
	"usage: withus [--db PATH] [--user NAME] COMMAND [ARGS]\n"
	"       withus [--db PATH] TYPE VERB [ARGS]    e.g. withus org add --name ...\n"
	"Run 'withus help' for the commands and record types.\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	int c;
	while ((c = getopt_long(argc, argv, "+d:u:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			cli.db_path = optarg;
			cli.db_from_user = true;
			break;
		case 'u':
			free(cli.user);
			cli.user = strdup(optarg);
			break;
		case 'h':
			free(cli.user);
			return cmd_help(&cli, 1, argv);
		case 'V':
			free(cli.user);
			return cmd_version(&cli, 1, argv);
		default:
			fputs(global_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (!cli.db_path && getenv("WITHUS_DB") && *getenv("WITHUS_DB")) {
		cli.db_path = getenv("WITHUS_DB");
		cli.db_from_user = true;
	}
	if (!cli.user)
		cli.user = local_user();
	if (optind >= argc) {
		fputs(global_usage, stderr);
		free(cli.user);
		return EXIT_USAGE;
	}
	char **args = argv + optind;
	int nargs = argc - optind;
	/* "withus org add ..." is "withus add org ...": swap the first two words */
	if (wu_type_find(args[0]) && nargs >= 2 && cli_find_command(args[1])) {
		char *t = args[0];
		args[0] = args[1];
		args[1] = t;
	}
	const struct command *cmd = cli_find_command(args[0]);
	int rc;
	if (!cmd) {
		cli_error("'%s' is not a withus command or record type; see 'withus help'", args[0]);
		rc = EXIT_USAGE;
	} else {
		optind = 0; /* each command parses its own options afresh */
		rc = cmd->fn(&cli, nargs, args);
	}
	wu_db_close(cli.db);
	free(cli.owned_path);
	free(cli.user);
	return rc;
}
