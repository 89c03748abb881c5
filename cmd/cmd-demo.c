/*
 * cmd-demo.c - load the built-in fictional demo dataset and show it.
 */
#include "config.h"
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include "cli.h"

static const char demo_usage[] =
	"usage: withus demo\n"
	"\n"
	"Loads a small, clearly fictional dataset of several projects that shows\n"
	"good and poor practice, and lists it. Without --db or $WITHUS_DB it goes\n"
	"into a demo database of its own ($XDG_DATA_HOME/withus/demo.db), never\n"
	"into your real one; a database that holds real records is refused.\n";

static int list_type(struct cli *cli, const char *type)
{
	char list[] = "list", name[32];
	snprintf(name, sizeof name, "%s", type);
	char *args[] = { list, name, NULL };
	return cmd_list(cli, 2, args);
}

/* The main job, in brief: how each demo project stands against the four
 * recommendations (withus check gives the findings behind each verdict). */
static int show_verdicts(struct cli *cli)
{
	static const char *const short_titles[] = { "1 decriminalise", "2 collaborate", "3 experts", "4 fund" };
	wu_result *res = NULL;
	int r = wu_check(&res, cli->db, NULL);
	if (r)
		return cli_fail(cli, r);
	printf("\nChecked against the four recommendations for researchers:\n%-34s", "project");
	for (int k = 0; k < 4; k++)
		printf(k < 3 ? "  %-17s" : "  %s", short_titles[k]);
	putchar('\n');
	for (size_t i = 0; i < wu_result_project_count(res); i++) {
		printf("%-34.34s", wu_result_project_title(res, i));
		for (int k = 0; k < 4; k++)
			printf(k < 3 ? "  %-17s" : "  %s", wu_status_name(wu_result_verdicts(res, i)[k].status));
		putchar('\n');
	}
	wu_result_free(res);
	return EXIT_OK;
}

int cmd_demo(struct cli *cli, int argc, char **argv)
{
	if (argc > 1) {
		if (!strcmp(argv[1], "--help")) {
			fputs(demo_usage, stdout);
			return EXIT_OK;
		}
		return cli_usage_error("demo", "unexpected argument '%s'", argv[1]);
	}
	if (!cli->db_from_user) {
		char *dir = cli_default_dir();
		if (!dir || cli_mkdir_p(dir) != 0) {
			cli_error("cannot create the demo directory; pass --db PATH");
			free(dir);
			return EXIT_RUNTIME;
		}
		if (asprintf(&cli->owned_path, "%s/demo.db", dir) < 0)
			cli->owned_path = NULL;
		free(dir);
		if (!cli->owned_path)
			return cli_fail(cli, WU_ENOMEM);
		cli->db_path = cli->owned_path;
	}
	int rc = cli_open(cli, 0);
	if (rc)
		return rc;
	uint64_t n = 0;
	int r = wu_demo_load(&n, cli->db);
	if (r)
		return cli_fail(cli, r);
	if (n)
		printf("Loaded %llu fictional demo records into %s\n\n", (unsigned long long)n, cli->db_path);
	else
		printf("The demo is already loaded in %s\n\n", cli->db_path);
	printf("Counts:");
	for (size_t i = 0; i < wu_type_count(); i++) {
		int64_t c = 0;
		if (wu_record_count(&c, cli->db, wu_type_at(i)->name) == WU_OK && c)
			printf(" %s %lld%s", wu_type_at(i)->name, (long long)c, i + 1 < wu_type_count() ? "," : "");
	}
	printf("\n\nProjects:\n");
	fflush(stdout);
	optind = 0;
	rc = list_type(cli, "project");
	if (rc)
		return rc;
	printf("\nOrganisations:\n");
	fflush(stdout);
	optind = 0;
	rc = list_type(cli, "org");
	if (rc)
		return rc;
	rc = show_verdicts(cli);
	if (rc)
		return rc;
	printf("\nTry:\n"
	       "  withus --db %s check               the findings, with remedies\n"
	       "  withus --db %s check --format json\n"
	       "  withus --db %s list involvement --project \"Safer Work, Stronger Voices\"\n"
	       "  withus --db %s export > demo.jsonl\n",
	       cli->db_path, cli->db_path, cli->db_path, cli->db_path);
	return cli_finish_stdout();
}

const struct command cmd_demo_entry = { "demo", cmd_demo, "load and show the fictional demo dataset", demo_usage };
