/*
 * cli.h - what the withus commands share. The CLI is a thin layer: it
 * parses arguments, calls libwithus, and prints. Data goes to stdout,
 * messages to stderr as "withus: ...".
 */
#ifndef WU_CLI_H
#define WU_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "withus.h"

/* Exit codes (documented in withus(1)). */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_FINDINGS = 3 };

struct cli {
	const char *db_path;   /* --db, or NULL: WITHUS_DB, then the default */
	bool db_from_user;     /* the path came from --db or WITHUS_DB */
	char *user;            /* who writes, for the history */
	wu_db *db;             /* opened by cli_open */
	char *owned_path;      /* the default path, when it was computed */
};

struct command {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);
	const char *summary;
	const char *usage;     /* the full help text */
};

extern const struct command *const cli_commands[];
const struct command *cli_find_command(const char *name);

/* Messages */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reports a library failure and returns the exit code it maps to. */
int cli_fail(struct cli *cli, int rc);
int cli_exit_code(int rc);

/* Database */
int cli_open(struct cli *cli, unsigned flags);
char *cli_default_dir(void);
int cli_mkdir_p(const char *dir);

/* Appends `value` (borrowed) to a growing array, for repeated options;
 * the caller frees the array. */
int cli_append(const char ***list, size_t *n, const char *value);

/* Output */
int cli_finish_stdout(void);
int cli_print_json(const json_t *v, bool pretty);

/* Records for people (cmd-records.c): a referenced record's label (or
 * short id), cached in `cache`; a value as text (new string). */
const char *cli_ref_label(struct cli *cli, json_t *cache, const char *id);
char *cli_value_text(struct cli *cli, json_t *cache, const wu_field *f, const json_t *v);

/* Reads policy file `path` (none: the defaults) into *out; messages name the file. */
int cli_load_policy(wu_db *db, const char *path, wu_policy **out);

/* The commands */
int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_add(struct cli *cli, int argc, char **argv);
int cmd_edit(struct cli *cli, int argc, char **argv);
int cmd_rm(struct cli *cli, int argc, char **argv);
int cmd_list(struct cli *cli, int argc, char **argv);
int cmd_show(struct cli *cli, int argc, char **argv);
int cmd_history(struct cli *cli, int argc, char **argv);
int cmd_import(struct cli *cli, int argc, char **argv);
int cmd_export(struct cli *cli, int argc, char **argv);
int cmd_demo(struct cli *cli, int argc, char **argv);
int cmd_help(struct cli *cli, int argc, char **argv);
int cmd_version(struct cli *cli, int argc, char **argv);
int cmd_check(struct cli *cli, int argc, char **argv);
int cmd_rules(struct cli *cli, int argc, char **argv);
int cmd_explain(struct cli *cli, int argc, char **argv);
int cmd_policy(struct cli *cli, int argc, char **argv);
int cmd_remote(struct cli *cli, int argc, char **argv);
int cmd_sync(struct cli *cli, int argc, char **argv);
int cmd_conflicts(struct cli *cli, int argc, char **argv);
int cmd_resolve(struct cli *cli, int argc, char **argv);
int cmd_audit(struct cli *cli, int argc, char **argv);
int cmd_attest(struct cli *cli, int argc, char **argv);
int cmd_report(struct cli *cli, int argc, char **argv);
int cmd_rate(struct cli *cli, int argc, char **argv);

extern const struct command cmd_init_entry, cmd_add_entry, cmd_edit_entry, cmd_rm_entry,
	cmd_list_entry, cmd_show_entry, cmd_history_entry, cmd_import_entry, cmd_export_entry,
	cmd_demo_entry, cmd_help_entry, cmd_version_entry, cmd_check_entry, cmd_rules_entry,
	cmd_explain_entry, cmd_policy_entry, cmd_remote_entry, cmd_sync_entry, cmd_conflicts_entry,
	cmd_resolve_entry, cmd_audit_entry, cmd_attest_entry, cmd_report_entry, cmd_rate_entry;

#endif
