/*
 * cmd-records.c - add, edit, rm, list, show and history, for every record
 * type. The --options of add and edit come from the record model, so a new
 * field in lib/model.c is a new option here without more code.
 */
#include "config.h"
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

enum { OPT_JSON = 1, OPT_FORCE, OPT_UNSET, OPT_PROJECT, OPT_ORG, OPT_HELP, OPT_FIELD = 1000 };

/* ---- options made from the model ---------------------------------------------- */

struct field_opts {
	struct option *opts;
	char **names;
	size_t n;
};

static void field_opts_free(struct field_opts *fo)
{
	for (size_t i = 0; i < fo->n; i++)
		free(fo->names[i]);
	free(fo->names);
	free(fo->opts);
}

/* --lead-org for field lead_org, and so on; `extra` ends with a NULL name. */
static int field_opts_make(struct field_opts *fo, const wu_type *t, const struct option *extra)
{
	size_t nextra = 0;
	while (extra[nextra].name)
		nextra++;
	fo->n = t->nfields;
	fo->names = calloc(t->nfields ? t->nfields : 1, sizeof *fo->names);
	fo->opts = calloc(t->nfields + nextra + 1, sizeof *fo->opts);
	if (!fo->names || !fo->opts)
		return -1;
	for (size_t i = 0; i < t->nfields; i++) {
		char *s = strdup(t->fields[i].name);
		if (!s)
			return -1;
		for (char *p = s; *p; p++)
			if (*p == '_')
				*p = '-';
		fo->names[i] = s;
		fo->opts[i] = (struct option){ s, required_argument, NULL, OPT_FIELD + (int)i };
	}
	memcpy(fo->opts + t->nfields, extra, nextra * sizeof *extra);
	return 0;
}

/* The field an --unset argument names (either spelling). */
static const wu_field *field_by_option_name(const wu_type *t, const char *name)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%s", name);
	for (char *p = buf; *p; p++)
		if (*p == '-')
			*p = '_';
	return wu_field_find(t, buf);
}

/* References may be given as an id, a unique id prefix or an exact name. */
static int resolve_into(struct cli *cli, const wu_field *f, const char *text, json_t **out)
{
	char *id = NULL;
	int rc = wu_resolve(&id, cli->db, f->ref, text);
	if (rc) {
		cli_error("%s: %s", f->name, wu_errmsg(cli->db));
		return cli_exit_code(rc);
	}
	*out = json_string(id);
	wu_free(id);
	return *out ? EXIT_OK : cli_fail(cli, WU_ENOMEM);
}

static int set_field(struct cli *cli, json_t *obj, const wu_field *f, const char *value)
{
	json_t *v = NULL;
	int rc = EXIT_OK;
	if ((f->kind == WU_K_REF || f->kind == WU_K_RECORD) && *value) {
		rc = resolve_into(cli, f, value, &v);
	} else if (f->kind == WU_K_REFSET) {
		json_t *arr = json_is_array(json_object_get(obj, f->name)) ? json_incref(json_object_get(obj, f->name))
									  : json_array();
		char *copy = strdup(value), *save = NULL;
		for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && !rc; tok = strtok_r(NULL, ",", &save)) {
			json_t *id = NULL;
			rc = resolve_into(cli, f, tok, &id);
			if (!rc && json_array_append_new(arr, id))
				rc = cli_fail(cli, WU_ENOMEM);
		}
		free(copy);
		v = arr;
	} else if (f->kind == WU_K_SET && json_is_string(json_object_get(obj, f->name))) {
		/* a repeated --roles a --roles b adds up */
		char *joined = NULL;
		if (asprintf(&joined, "%s,%s", json_string_value(json_object_get(obj, f->name)), value) < 0)
			return cli_fail(cli, WU_ENOMEM);
		v = json_string(joined);
		free(joined);
	} else {
		v = json_string(value);
	}
	if (rc) {
		json_decref(v);
		return rc;
	}
	if (!v || json_object_set_new(obj, f->name, v))
		return cli_fail(cli, WU_ENOMEM);
	return EXIT_OK;
}

/* ---- text output -------------------------------------------------------------- */

/* A short, readable name for a referenced record: its label, or its id. */
const char *cli_ref_label(struct cli *cli, json_t *cache, const char *id)
{
	json_t *hit = json_object_get(cache, id);
	if (hit)
		return json_string_value(hit);
	json_t *rec = NULL;
	const char *label = NULL;
	if (wu_record_get(&rec, cli->db, id) == WU_OK) {
		const wu_type *t = wu_type_find(json_string_value(json_object_get(rec, "type")));
		if (t && t->label)
			label = json_string_value(json_object_get(rec, t->label));
	}
	char buf[64];
	if (!label) {
		snprintf(buf, sizeof buf, "%.8s", id);
		label = buf;
	}
	json_object_set_new(cache, id, json_string(label));
	json_decref(rec);
	hit = json_object_get(cache, id);
	return hit ? json_string_value(hit) : id;
}

/* The text of a value for people: sets joined with ", ", refs by name. */
char *cli_value_text(struct cli *cli, json_t *cache, const wu_field *f, const json_t *v)
{
	char *s = NULL;
	if (json_is_string(v)) {
		const char *x = json_string_value(v);
		s = strdup(f && (f->kind == WU_K_REF || f->kind == WU_K_RECORD) ? cli_ref_label(cli, cache, x) : x);
	} else if (json_is_boolean(v)) {
		s = strdup(json_is_true(v) ? "yes" : "no");
	} else if (json_is_integer(v)) {
		if (asprintf(&s, "%lld", (long long)json_integer_value(v)) < 0)
			s = NULL;
	} else if (json_is_array(v)) {
		size_t i;
		const json_t *e;
		s = strdup("");
		json_array_foreach(v, i, e) {
			const char *x = json_string_value(e);
			if (f && f->kind == WU_K_REFSET)
				x = cli_ref_label(cli, cache, x);
			char *n = NULL;
			if (!s || asprintf(&n, "%s%s%s", s, i ? ", " : "", x) < 0)
				n = NULL;
			free(s);
			s = n;
		}
	}
	return s;
}

struct table {
	struct cli *cli;
	const wu_type *type;
	json_t *cache;
	json_t *rows;  /* array of arrays of strings */
	bool json;
	size_t count;
};

static const size_t MAX_CELL = 36;

static int collect_row(const json_t *rec, void *payload)
{
	struct table *tb = payload;
	if (tb->json) {
		if (tb->count++ && fputs(",\n", stdout) == EOF)
			return 1;
		return json_dumpf(rec, stdout, JSON_COMPACT | JSON_SORT_KEYS) != 0;
	}
	json_t *row = json_array();
	char id[9];
	snprintf(id, sizeof id, "%.8s", json_string_value(json_object_get(rec, "id")));
	json_array_append_new(row, json_string(id));
	for (size_t i = 0; i < tb->type->nfields; i++) {
		const wu_field *f = &tb->type->fields[i];
		if (!(f->flags & WU_F_LIST))
			continue;
		const json_t *v = json_object_get(rec, f->name);
		char *s = v ? cli_value_text(tb->cli, tb->cache, f, v) : strdup("-");
		json_array_append_new(row, json_string(s ? s : "?"));
		free(s);
	}
	json_array_append_new(tb->rows, row);
	tb->count++;
	return 0;
}

static size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void print_cell(const char *s, size_t width, bool last)
{
	size_t len = utf8_len(s), shown = 0;
	const char *p = s;
	for (; *p && shown < MAX_CELL; p++) {
		if (*p == '\n' || *p == '\t')
			putchar(' ');
		else
			putchar(*p);
		if ((((unsigned char)p[1]) & 0xc0) != 0x80)
			shown++;
	}
	if (len > MAX_CELL) {
		fputs("…", stdout);
		shown++;
	}
	if (!last)
		for (; shown < width + 2; shown++)
			putchar(' ');
}

static void print_table(struct table *tb)
{
	const wu_type *t = tb->type;
	size_t ncols = 1;
	for (size_t i = 0; i < t->nfields; i++)
		ncols += (t->fields[i].flags & WU_F_LIST) != 0;
	size_t *w = calloc(ncols, sizeof *w);
	const char **head = calloc(ncols, sizeof *head);
	if (!w || !head)
		goto out;
	head[0] = "id";
	for (size_t i = 0, c = 1; i < t->nfields; i++)
		if (t->fields[i].flags & WU_F_LIST)
			head[c++] = t->fields[i].name;
	for (size_t c = 0; c < ncols; c++)
		w[c] = utf8_len(head[c]);
	size_t r;
	json_t *row;
	json_array_foreach(tb->rows, r, row) {
		for (size_t c = 0; c < ncols; c++) {
			size_t l = utf8_len(json_string_value(json_array_get(row, c)));
			l = l > MAX_CELL ? MAX_CELL + 1 : l;
			if (l > w[c])
				w[c] = l;
		}
	}
	for (size_t c = 0; c < ncols; c++)
		print_cell(head[c], w[c], c + 1 == ncols);
	putchar('\n');
	json_array_foreach(tb->rows, r, row) {
		for (size_t c = 0; c < ncols; c++)
			print_cell(json_string_value(json_array_get(row, c)), w[c], c + 1 == ncols);
		putchar('\n');
	}
out:
	free(w);
	free(head);
}

/* ---- add ----------------------------------------------------------------------- */

static const char add_usage[] =
	"usage: withus add TYPE [--FIELD VALUE]... [--force] [--json]\n"
	"       withus TYPE add [--FIELD VALUE]...\n"
	"\n"
	"Adds a record and prints its id (or the whole record with --json).\n"
	"Every field is an option named after it, with '_' written '-'\n"
	"(e.g. --lead-org). References take an id, a unique id prefix or an exact\n"
	"name; sets take comma-separated values or a repeated option.\n"
	"'withus help TYPE' lists a type's fields and their values.\n"
	"\n"
	"  --force   accept free text that looks like contact details; only when\n"
	"            it names no person (an organisation's public office line)\n"
	"  --json    print the stored record in its canonical JSON shape\n";

static const struct option common_write_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "unset", required_argument, NULL, OPT_UNSET },
	{ NULL, 0, NULL, 0 },
};

struct write_args {
	json_t *fields;
	bool json, force;
};

/* Parses field options into wa->fields; allow_unset for edit. */
static int parse_write_args(struct cli *cli, const char *cmd, const wu_type *t, int argc, char **argv,
			    struct write_args *wa, bool allow_unset)
{
	struct field_opts fo = { 0 };
	int rc = EXIT_OK, c;
	if (field_opts_make(&fo, t, common_write_opts)) {
		field_opts_free(&fo);
		return cli_fail(cli, WU_ENOMEM);
	}
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, "+:", fo.opts, NULL)) != -1) {
		if (c >= OPT_FIELD) {
			rc = set_field(cli, wa->fields, &t->fields[c - OPT_FIELD], optarg);
		} else if (c == OPT_JSON) {
			wa->json = true;
		} else if (c == OPT_FORCE) {
			wa->force = true;
		} else if (c == OPT_HELP) {
			fputs(!strcmp(cmd, "add") ? add_usage : cmd_edit_entry.usage, stdout);
			rc = -1;
		} else if (c == OPT_UNSET && allow_unset) {
			const wu_field *f = field_by_option_name(t, optarg);
			if (!f)
				rc = cli_usage_error(cmd, "--unset: '%s' is not a field of %s", optarg, t->name);
			else if (json_object_set_new(wa->fields, f->name, json_null()))
				rc = cli_fail(cli, WU_ENOMEM);
		} else if (c == ':' || (c == '?' && optopt >= OPT_FIELD)) {
			rc = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		} else {
			rc = cli_usage_error(cmd, "'%s' is not an option of %s %s (see 'withus help %s')",
					     argv[optind - 1], cmd, t->name, t->name);
		}
	}
	if (!rc && optind < argc)
		rc = cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	field_opts_free(&fo);
	return rc;
}

static int print_record(struct cli *cli, const char *id)
{
	json_t *rec = NULL;
	int rc = wu_record_get(&rec, cli->db, id);
	if (rc)
		return cli_fail(cli, rc);
	rc = cli_print_json(rec, true);
	json_decref(rec);
	return rc ? EXIT_RUNTIME : EXIT_OK;
}

int cmd_add(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("add", "add needs a record type");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(add_usage, stdout);
		return EXIT_OK;
	}
	const wu_type *t = wu_type_find(argv[1]);
	if (!t)
		return cli_usage_error("add", "'%s' is not a record type; see 'withus help'", argv[1]);
	int rc = cli_open(cli, 0);
	if (rc)
		return rc;
	struct write_args wa = { json_object(), false, false };
	if (!wa.fields)
		return cli_fail(cli, WU_ENOMEM);
	rc = parse_write_args(cli, "add", t, argc - 1, argv + 1, &wa, false);
	char *id = NULL;
	if (!rc) {
		int r = wu_record_add(&id, cli->db, t->name, wa.fields, WU_TEXT_VALUES | (wa.force ? WU_FORCE : 0));
		rc = r ? cli_fail(cli, r) : wa.json ? print_record(cli, id) : (puts(id) == EOF);
	}
	wu_free(id);
	json_decref(wa.fields);
	if (rc == -1)
		rc = EXIT_OK;
	return rc ? rc : cli_finish_stdout();
}

/* ---- edit ----------------------------------------------------------------------- */

static const char edit_usage[] =
	"usage: withus edit ID [--FIELD VALUE]... [--unset FIELD]... [--force] [--json]\n"
	"       withus TYPE edit ID [...]\n"
	"\n"
	"Changes the fields given and keeps the others; --unset removes a field.\n"
	"ID is an id, a unique id prefix (4+ characters) or an exact name/title.\n"
	"The change is validated as a whole and written with its history.\n";

int cmd_edit(struct cli *cli, int argc, char **argv)
{
	const wu_type *only = argc > 2 ? wu_type_find(argv[1]) : NULL;
	int shift = only ? 2 : 1;
	if (argc <= shift || argv[shift][0] == '-') {
		if (argc > shift && !strcmp(argv[shift], "--help")) {
			fputs(edit_usage, stdout);
			return EXIT_OK;
		}
		return cli_usage_error("edit", "edit needs the id of a record");
	}
	int rc = cli_open(cli, 0);
	if (rc)
		return rc;
	char *id = NULL;
	json_t *rec = NULL;
	int r = wu_resolve(&id, cli->db, only ? only->name : NULL, argv[shift]);
	if (!r)
		r = wu_record_get(&rec, cli->db, id);
	if (r) {
		wu_free(id);
		return cli_fail(cli, r);
	}
	const wu_type *t = wu_type_find(json_string_value(json_object_get(rec, "type")));
	json_decref(rec);
	struct write_args wa = { json_object(), false, false };
	rc = parse_write_args(cli, "edit", t, argc - shift, argv + shift, &wa, true);
	if (!rc && json_object_size(wa.fields) == 0)
		rc = cli_usage_error("edit", "nothing to change: give --FIELD VALUE or --unset FIELD");
	if (!rc) {
		r = wu_record_update(cli->db, id, wa.fields, WU_TEXT_VALUES | (wa.force ? WU_FORCE : 0));
		rc = r ? cli_fail(cli, r) : wa.json ? print_record(cli, id) : EXIT_OK;
	}
	wu_free(id);
	json_decref(wa.fields);
	if (rc == -1)
		rc = EXIT_OK;
	return rc ? rc : cli_finish_stdout();
}

/* ---- rm ---------------------------------------------------------------------------- */

static const char rm_usage[] =
	"usage: withus rm ID...\n"
	"\n"
	"Removes records, all or none. A record that another record refers to is\n"
	"not removed: change or remove the referring record first. The history\n"
	"keeps what was removed.\n";

int cmd_rm(struct cli *cli, int argc, char **argv)
{
	const wu_type *only = argc > 2 ? wu_type_find(argv[1]) : NULL;
	int first = only ? 2 : 1;
	if (argc <= first)
		return cli_usage_error("rm", "rm needs the id of a record");
	if (!strcmp(argv[first], "--help")) {
		fputs(rm_usage, stdout);
		return EXIT_OK;
	}
	int rc = cli_open(cli, 0);
	if (rc)
		return rc;
	int r = wu_begin(cli->db);
	for (int i = first; i < argc && !r; i++) {
		char *id = NULL;
		r = wu_resolve(&id, cli->db, only ? only->name : NULL, argv[i]);
		if (!r)
			r = wu_record_delete(cli->db, id);
		wu_free(id);
	}
	if (r) {
		rc = cli_fail(cli, r);
		wu_rollback(cli->db);
		return rc;
	}
	r = wu_commit(cli->db);
	return r ? cli_fail(cli, r) : EXIT_OK;
}

/* ---- list ------------------------------------------------------------------------------ */

static const char list_usage[] =
	"usage: withus list [TYPE] [--project P] [--org O] [--json]\n"
	"       withus TYPE list [...]\n"
	"\n"
	"Lists records, oldest first: a table of the main fields, or with --json\n"
	"an array of records in their canonical JSON shape. Without TYPE, every\n"
	"type in turn. --project and --org keep the records of one project, or\n"
	"the records that name one organisation.\n";

static int resolve_arg(struct cli *cli, const char *type, const char *text, char **out)
{
	int r = wu_resolve(out, cli->db, type, text);
	if (r) {
		cli_error("--%s: %s", type, wu_errmsg(cli->db));
		return cli_exit_code(r);
	}
	return EXIT_OK;
}

static int list_one_type(struct cli *cli, const wu_type *t, const wu_query *q, bool json, bool heading,
			 size_t *count)
{
	struct table tb = { cli, t, json_object(), json_array(), json, *count };
	if (!tb.cache || !tb.rows) {
		json_decref(tb.cache);
		json_decref(tb.rows);
		return cli_fail(cli, WU_ENOMEM);
	}
	int r = wu_record_list(cli->db, t->name, q, collect_row, &tb);
	*count = tb.count;
	if (!r && !json && (!heading || json_array_size(tb.rows))) {
		if (heading)
			printf("%s# %s\n", *count > json_array_size(tb.rows) ? "\n" : "", t->name);
		print_table(&tb);
	}
	json_decref(tb.cache);
	json_decref(tb.rows);
	return r ? cli_fail(cli, r) : EXIT_OK;
}

int cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "project", required_argument, NULL, OPT_PROJECT },
		{ "org", required_argument, NULL, OPT_ORG },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	const char *project = NULL, *org = NULL;
	int c;
	opterr = 0;
	/* options may follow the type: withus list budget --json */
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_PROJECT: project = optarg; break;
		case OPT_ORG: org = optarg; break;
		case OPT_HELP: fputs(list_usage, stdout); return EXIT_OK;
		default: return cli_usage_error("list", "'%s' is not an option of list", argv[optind - 1]);
		}
	}
	const wu_type *only = NULL;
	if (optind < argc && !(only = wu_type_find(argv[optind])))
		return cli_usage_error("list", "'%s' is not a record type; see 'withus help'", argv[optind]);
	if (optind + 1 < argc)
		return cli_usage_error("list", "unexpected argument '%s'", argv[optind + 1]);
	int rc = cli_open(cli, WU_OPEN_NOCREATE);
	if (rc)
		return rc;
	wu_query q = { 0 };
	char *pid = NULL, *oid = NULL;
	if (project && (rc = resolve_arg(cli, "project", project, &pid)))
		return rc;
	if (org && (rc = resolve_arg(cli, "org", org, &oid))) {
		wu_free(pid);
		return rc;
	}
	q.project = pid;
	q.org = oid;
	size_t count = 0;
	if (json)
		fputs("[\n", stdout);
	for (size_t i = 0; i < wu_type_count() && !rc; i++) {
		const wu_type *t = wu_type_at(i);
		if (!only || t == only)
			rc = list_one_type(cli, t, &q, json, !only, &count);
	}
	if (json && !rc)
		fputs(count ? "\n]\n" : "]\n", stdout);
	wu_free(pid);
	wu_free(oid);
	return rc ? rc : cli_finish_stdout();
}

/* ---- show ------------------------------------------------------------------------------ */

static const char show_usage[] =
	"usage: withus show ID [--json]\n"
	"\n"
	"Prints one record: its fields in model order, references by name, or with\n"
	"--json the canonical JSON shape.\n";

int cmd_show(struct cli *cli, int argc, char **argv)
{
	bool json = false;
	const char *which = NULL;
	const char *type = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--help")) {
			fputs(show_usage, stdout);
			return EXIT_OK;
		} else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_error("show", "'%s' is not an option of show", argv[i]);
		else if (!which && !type && i == 1 && argc > 2 && wu_type_find(argv[i]) && argv[2][0] != '-')
			type = argv[i];
		else if (!which)
			which = argv[i];
		else
			return cli_usage_error("show", "unexpected argument '%s'", argv[i]);
	}
	if (!which)
		return cli_usage_error("show", "show needs the id of a record");
	int rc = cli_open(cli, WU_OPEN_NOCREATE);
	if (rc)
		return rc;
	char *id = NULL;
	json_t *rec = NULL;
	int r = wu_resolve(&id, cli->db, type, which);
	if (!r)
		r = wu_record_get(&rec, cli->db, id);
	wu_free(id);
	if (r)
		return cli_fail(cli, r);
	if (json) {
		rc = cli_print_json(rec, true) ? EXIT_RUNTIME : EXIT_OK;
	} else {
		const wu_type *t = wu_type_find(json_string_value(json_object_get(rec, "type")));
		json_t *cache = json_object();
		printf("%s %s\n", t->name, json_string_value(json_object_get(rec, "id")));
		printf("  %-22s %s\n", "created:", json_string_value(json_object_get(rec, "created")));
		printf("  %-22s %s\n", "updated:", json_string_value(json_object_get(rec, "updated")));
		for (size_t i = 0; i < t->nfields; i++) {
			const wu_field *f = &t->fields[i];
			const json_t *v = json_object_get(rec, f->name);
			if (!v)
				continue;
			char *s = cli_value_text(cli, cache, f, v);
			char key[64];
			snprintf(key, sizeof key, "%s:", f->name);
			if (f->kind == WU_K_REF)
				printf("  %-22s %s (%.8s)\n", key, s ? s : "?", json_string_value(v));
			else
				printf("  %-22s %s\n", key, s ? s : "?");
			free(s);
		}
		json_decref(cache);
	}
	json_decref(rec);
	return rc ? rc : cli_finish_stdout();
}

/* ---- history ---------------------------------------------------------------------------- */

static const char history_usage[] =
	"usage: withus history [ID] [--json]\n"
	"\n"
	"Prints the append-only history of one record, or of the whole database:\n"
	"when, by which local user, what operation and what changed.\n";

struct history_ctx {
	bool json;
	size_t n;
};

static int print_history(const json_t *e, void *payload)
{
	struct history_ctx *h = payload;
	if (h->json) {
		if (h->n++ && fputs(",\n", stdout) == EOF)
			return 1;
		return json_dumpf(e, stdout, JSON_COMPACT | JSON_SORT_KEYS) != 0;
	}
	h->n++;
	printf("%-6lld %s  %-10s %-6s %-12s %s", (long long)json_integer_value(json_object_get(e, "seq")),
	       json_string_value(json_object_get(e, "at")), json_string_value(json_object_get(e, "user")),
	       json_string_value(json_object_get(e, "op")), json_string_value(json_object_get(e, "type")),
	       json_string_value(json_object_get(e, "id")));
	const json_t *ch = json_object_get(e, "changes");
	if (json_is_object(ch) && !strcmp(json_string_value(json_object_get(e, "op")), "update")) {
		const char *k;
		const json_t *v;
		json_object_foreach((json_t *)ch, k, v) {
			char *old = json_dumps(json_array_get(v, 0), JSON_ENCODE_ANY | JSON_COMPACT);
			char *new = json_dumps(json_array_get(v, 1), JSON_ENCODE_ANY | JSON_COMPACT);
			printf("\n       %s: %s -> %s", k, old ? old : "?", new ? new : "?");
			free(old);
			free(new);
		}
	}
	putchar('\n');
	return 0;
}

int cmd_history(struct cli *cli, int argc, char **argv)
{
	struct history_ctx h = { false, 0 };
	const char *which = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			h.json = true;
		else if (!strcmp(argv[i], "--help")) {
			fputs(history_usage, stdout);
			return EXIT_OK;
		} else if (argv[i][0] == '-')
			return cli_usage_error("history", "'%s' is not an option of history", argv[i]);
		else if (!which)
			which = argv[i];
		else
			return cli_usage_error("history", "unexpected argument '%s'", argv[i]);
	}
	int rc = cli_open(cli, WU_OPEN_NOCREATE);
	if (rc)
		return rc;
	char *id = NULL;
	int r = WU_OK;
	/* A removed record is found in the history by its full id. */
	if (which && strlen(which) != 36 && (r = wu_resolve(&id, cli->db, NULL, which)))
		return cli_fail(cli, r);
	if (h.json)
		fputs("[\n", stdout);
	r = wu_history(cli->db, id ? id : which, print_history, &h);
	if (h.json)
		fputs(h.n ? "\n]\n" : "]\n", stdout);
	wu_free(id);
	return r ? cli_fail(cli, r) : cli_finish_stdout();
}

const struct command cmd_add_entry = { "add", cmd_add, "add a record", add_usage };
const struct command cmd_edit_entry = { "edit", cmd_edit, "change fields of a record", edit_usage };
const struct command cmd_rm_entry = { "rm", cmd_rm, "remove records", rm_usage };
const struct command cmd_list_entry = { "list", cmd_list, "list records", list_usage };
const struct command cmd_show_entry = { "show", cmd_show, "show one record", show_usage };
const struct command cmd_history_entry = { "history", cmd_history, "show what changed, when and by whom", history_usage };
