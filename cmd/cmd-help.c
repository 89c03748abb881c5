/*
 * cmd-help.c - help and version.
 */
#include "config.h"
#include <string.h>
#include "cli.h"

static const char help_usage[] =
	"usage: withus help [COMMAND|TYPE]\n"
	"\n"
	"Without an argument, lists the commands and record types. With a\n"
	"command, prints its usage; with a record type, its fields.\n";

static void print_overview(void)
{
	puts("usage: withus [--db PATH] [--user NAME] COMMAND [ARGS]\n"
	     "\n"
	     "withus logs how a research team works with sex worker-led organisations:\n"
	     "partnerships, involvement in each research phase, budgets and payments,\n"
	     "outputs. It stores organisations, roles, money and activities, never\n"
	     "people.\n"
	     "\n"
	     "Commands:");
	for (size_t i = 0; cli_commands[i]; i++)
		printf("  %-10s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	puts("\nRecord types (withus help TYPE lists the fields):");
	for (size_t i = 0; i < wu_type_count(); i++)
		printf("  %-13s %s\n", wu_type_at(i)->name, wu_type_at(i)->help);
	puts("\nGlobal options:\n"
	     "  --db PATH    the database (default $WITHUS_DB, then\n"
	     "               $XDG_DATA_HOME/withus/withus.db)\n"
	     "  --user NAME  the name recorded in the history (default: your login)\n"
	     "  --version    print the version\n"
	     "\n"
	     "See withus(1) for exit statuses and files.");
}

static void print_type(const wu_type *t)
{
	printf("%s - %s: %s\n\nfields (--option VALUE on add and edit):\n", t->name, t->title, t->help);
	for (size_t i = 0; i < t->nfields; i++) {
		const wu_field *f = &t->fields[i];
		char opt[64];
		snprintf(opt, sizeof opt, "--%s", f->name);
		for (char *p = opt + 2; *p; p++)
			if (*p == '_')
				*p = '-';
		printf("  %-24s %s%s%s\n", opt, wu_kind_name(f->kind), f->flags & WU_F_REQUIRED ? ", required" : "",
		       f->ref ? (f->kind == WU_K_REF ? " to a record of type " : " to records of type ") : "");
		if (f->ref)
			printf("  %-24s %s\n", "", f->ref);
		printf("  %-24s %s\n", "", f->help);
		if (f->values) {
			printf("  %-24s one%s of:", "", f->kind == WU_K_SET ? " or more" : "");
			for (size_t k = 0; f->values[k]; k++)
				printf(" %s", f->values[k]);
			putchar('\n');
		}
		if (f->defval)
			printf("  %-24s default: %s\n", "", f->defval);
	}
}

int cmd_help(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	if (argc < 2) {
		print_overview();
		return cli_finish_stdout();
	}
	const struct command *c = cli_find_command(argv[1]);
	const wu_type *t = wu_type_find(argv[1]);
	if (c)
		fputs(c->usage, stdout);
	else if (t)
		print_type(t);
	else
		return cli_usage_error(NULL, "help: '%s' is neither a command nor a record type", argv[1]);
	return cli_finish_stdout();
}

int cmd_version(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	printf("withus %s (library %s, schema %d)\n", PACKAGE_VERSION, wu_version(), wu_schema_version());
	return cli_finish_stdout();
}

const struct command cmd_help_entry = { "help", cmd_help, "show help for a command or record type", help_usage };
const struct command cmd_version_entry = { "version", cmd_version, "print the version",
					   "usage: withus version\n       withus --version\n" };
