/*
 * test-io.c - import and export: atomic, line-numbered errors, CSV quoting,
 * round trips.
 */
#include "unit.h"

static FILE *text_file(const char *s)
{
	FILE *f = fmemopen((void *)s, strlen(s), "r");
	assert_non_null(f);
	return f;
}

static int import_text(wu_db *db, const char *format, const char *type, const char *s, uint64_t *n)
{
	FILE *f = text_file(s);
	wu_import_opts o = { .format = format, .type = type, .source = "test" };
	int rc = wu_import(n, db, f, &o);
	fclose(f);
	return rc;
}

static int64_t count(wu_db *db)
{
	int64_t n = -1;
	assert_int_equal(wu_record_count(&n, db, NULL), WU_OK);
	return n;
}

#define ORG1 "{\"type\":\"org\",\"id\":\"11111111-1111-4111-8111-111111111111\",\"name\":\"A\",\"kind\":\"academic\",\"country\":\"GB\"}\n"
#define PRJ1 "{\"type\":\"project\",\"id\":\"22222222-2222-4222-8222-222222222222\",\"title\":\"P\",\"lead_org\":\"11111111-1111-4111-8111-111111111111\",\"created\":\"2024-01-01T00:00:00Z\",\"updated\":\"2024-01-02T00:00:00Z\"}\n"

static void jsonl_imports_and_keeps_ids(void **state)
{
	wu_db *db = *state;
	uint64_t n = 0;
	assert_int_equal(import_text(db, "jsonl", NULL, "\xef\xbb\xbf" ORG1 "\n  \n" PRJ1, &n), WU_OK);
	assert_int_equal(n, 2);
	json_t *rec = NULL;
	assert_int_equal(wu_record_get(&rec, db, "22222222-2222-4222-8222-222222222222"), WU_OK);
	assert_string_equal(json_string_value(json_object_get(rec, "created")), "2024-01-01T00:00:00Z");
	json_decref(rec);
}

static void a_bad_line_writes_nothing(void **state)
{
	wu_db *db = *state;
	uint64_t n = 0;
	const char *bad[][2] = {
		{ ORG1 PRJ1 "{\"type\":\"org\",\"name\":\"B\",\"kind\":\"academic\",\"country\":\"ZZ\"}\n", "test:3: org.country: 'ZZ'" },
		{ ORG1 "{not json}\n", "test:2: not valid JSON" },
		{ ORG1 "[1,2]\n", "test:2: expected a JSON object" },
		{ ORG1 "{\"name\":\"x\"}\n", "test:2: type: missing" },
		{ ORG1 "{\"type\":\"person\",\"name\":\"x\"}\n", "test:2: type: 'person' is not a record type" },
		{ ORG1 ORG1, "test:2: org.id: '11111111-1111-4111-8111-111111111111' exists already" },
		{ PRJ1 ORG1, "test:1: project.lead_org" },
		{ ORG1 "{\"type\":\"org\",\"type\":\"org\",\"name\":\"B\",\"kind\":\"academic\",\"country\":\"GB\"}\n", "duplicate" },
		{ ORG1 "{\"type\":\"org\",\"id\":\"not-a-uuid\",\"name\":\"B\",\"kind\":\"academic\",\"country\":\"GB\"}\n", "org.id: 'not-a-uuid'" },
		{ ORG1 "{\"type\":\"org\",\"name\":\"B\",\"kind\":\"academic\",\"country\":\"GB\",\"created\":\"yesterday\"}\n", "org.created: 'yesterday'" },
		{ ORG1 "{\"type\":\"org\",\"name\":\"B\\u0000C\",\"kind\":\"academic\",\"country\":\"GB\"}\n", "test:2" },
		{ ORG1 "{\"type\":\"org\",\"name\":\"\xff\",\"kind\":\"academic\",\"country\":\"GB\"}\n", "test:2" },
		{ ORG1 "{\"type\":\"org\",\"name\":\"B\",\"kind\":\"academic\",\"country\":\"GB\"", "test:2: not valid JSON" },
		{ ORG1 "{\"type\":\"org\",\"name\":\"B\",\"kind\":\"academic\",\"country\":\"GB\",\"colour\":\"red\"}\n", "test:2: org: unknown field 'colour'" },
		{ ORG1 "{\"type\":\"org\",\"name\":\"B\",\"kind\":\"academic\",\"country\":\"GB\",\"colour\":null}\n", "test:2: org: unknown field 'colour'" },
		{ ORG1 "{\"type\":\"org\",\"name\":\"B\",\"kind\":\"academic\",\"country\":null}\n", "test:2: org.country: required" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = import_text(db, "jsonl", NULL, bad[i][0], &n);
		if (rc == WU_OK)
			fail_msg("case %zu imported", i);
		assert_contains(wu_errmsg(db), bad[i][1]);
		assert_int_equal(count(db), 0);
	}
}

static void csv_quoting_crlf_bom(void **state)
{
	wu_db *db = *state;
	uint64_t n = 0;
	const char *csv = "\xef\xbb\xbfname,kind,country,note,represents\r\n"
			  "\"Rosa, Trans Network\",community-led,BR,\"says \"\"hello\"\"\nover two lines\",trans;sex-workers\r\n"
			  "\r\n"
			  "Plain,academic,GB,,\r\n";
	assert_int_equal(import_text(db, "csv", "org", csv, &n), WU_OK);
	assert_int_equal(n, 2);
	char *id = NULL;
	assert_int_equal(wu_resolve(&id, db, "org", "Rosa, Trans Network"), WU_OK);
	json_t *rec = NULL;
	assert_int_equal(wu_record_get(&rec, db, id), WU_OK);
	assert_string_equal(json_string_value(json_object_get(rec, "note")), "says \"hello\"\nover two lines");
	assert_int_equal(json_array_size(json_object_get(rec, "represents")), 2);
	json_decref(rec);
	wu_free(id);
}

/* Cells are copied in runs from the 64 KiB read buffer: cells that cross
 * its end (about 500 KiB of rows here) must come out whole. */
static void csv_cells_span_read_buffers(void **state)
{
	wu_db *db = *state;
	enum { ROWS = 300 };
	size_t cap = 1u << 20;
	char *csv = malloc(cap), *note = malloc(8001);
	assert_non_null(csv);
	assert_non_null(note);
	size_t len = (size_t)sprintf(csv, "name,kind,country,note\n");
	for (int i = 0; i < ROWS; i++) {
		size_t nl = i % 50 == 0 ? 8000 : (size_t)(i * 37 % 1000) + 1;
		memset(note, 'a' + i % 26, nl);
		note[nl] = '\0';
		len += (size_t)snprintf(csv + len, cap - len, i % 7 ? "Org %d,academic,GB,%s\n" : "\"Org %d\",academic,GB,\"%s\"\n", i, note);
		assert_true(len < cap);
	}
	uint64_t n = 0;
	if (import_text(db, "csv", "org", csv, &n) != WU_OK)
		fail_msg("import: %s", wu_errmsg(db));
	assert_int_equal(n, ROWS);
	for (int i = 0; i < ROWS; i++) {
		char name[32], *id = NULL;
		snprintf(name, sizeof name, "Org %d", i);
		assert_int_equal(wu_resolve(&id, db, "org", name), WU_OK);
		json_t *rec = NULL;
		assert_int_equal(wu_record_get(&rec, db, id), WU_OK);
		const char *got = json_string_value(json_object_get(rec, "note"));
		size_t nl = i % 50 == 0 ? 8000 : (size_t)(i * 37 % 1000) + 1;
		assert_int_equal(strlen(got), nl);
		for (size_t k = 0; k < nl; k++)
			if (got[k] != 'a' + i % 26)
				fail_msg("row %d: byte %zu of the note is '%c'", i, k, got[k]);
		json_decref(rec);
		wu_free(id);
	}
	free(note);
	free(csv);
}

static void bad_csv_writes_nothing(void **state)
{
	wu_db *db = *state;
	uint64_t n = 0;
	const char *bad[][2] = {
		{ "name,kind,country\nA,academic,GB\nB,academic\n", "test:3: the row has 2 cells" },
		{ "name,kind,country\nA,academic,GB\n\"B,academic,GB\n", "not closed" },
		{ "name,kind,country\nA,academic,GB\nB\"x,academic,GB\n", "quote in the middle" },
		{ "name,kind,country\nA,academic,GB\n\"B\"x,academic,GB\n", "follows a closing quote" },
		{ "name,kind,colour\nA,academic,GB\n", "header: 'colour' is not a field of org" },
		{ "name,kind,country,name\nA,academic,GB,A\n", "appears twice" },
		{ "", "empty" },
		{ "name,kind,country\nA,academic,GB\nB,academic,GB,\n", "the row has 4 cells" },
		{ "name,kind,country,swl_board_pct\nA,academic,GB,lots\n", "org.swl_board_pct: 'lots'" },
		{ "name,kind,country\nA,academic,GB\nB\xc3,academic,GB\n", "UTF-8" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = import_text(db, "csv", "org", bad[i][0], &n);
		if (rc == WU_OK)
			fail_msg("case %zu imported", i);
		assert_contains(wu_errmsg(db), bad[i][1]);
		assert_int_equal(count(db), 0);
	}
	assert_int_equal(import_text(db, "csv", NULL, "name\n", &n), WU_EINVAL);
	assert_int_equal(import_text(db, "xml", NULL, "<a/>", &n), WU_EINVAL);
}

static char *export_all(wu_db *db, bool csv_type_org)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	if (csv_type_org)
		assert_int_equal(wu_export_csv(db, f, "org", NULL), WU_OK);
	else
		assert_int_equal(wu_export_jsonl(db, f, NULL, NULL), WU_OK);
	fclose(f);
	return buf;
}

static void demo_round_trips_through_jsonl_and_csv(void **state)
{
	wu_db *db = *state;
	uint64_t n = 0;
	assert_int_equal(wu_demo_load(&n, db), WU_OK);
	assert_true(n > 50);
	assert_int_equal(wu_demo_load(&n, db), WU_OK); /* loaded already: a no-op */
	assert_int_equal(n, 0);
	char *first = export_all(db, false);

	wu_db *other;
	assert_int_equal(wu_db_open(&other, ":memory:", NULL), WU_OK);
	assert_int_equal(import_text(other, "jsonl", NULL, first, &n), WU_OK);
	char *second = export_all(other, false);
	assert_string_equal(first, second);

	/* CSV of one type round-trips too */
	char *csv = export_all(db, true);
	wu_db *third;
	assert_int_equal(wu_db_open(&third, ":memory:", NULL), WU_OK);
	assert_int_equal(import_text(third, "csv", "org", csv, &n), WU_OK);
	char *csv2 = export_all(third, true);
	assert_string_equal(csv, csv2);
	free(first);
	free(second);
	free(csv);
	free(csv2);
	wu_db_close(other);
	wu_db_close(third);
}

struct lines {
	char *text;
	size_t n;
};

static int dump_each(const json_t *rec, void *payload)
{
	struct lines *l = payload;
	char *s = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	size_t len = strlen(s);
	l->text = realloc(l->text, l->n + len + 2);
	memcpy(l->text + l->n, s, len);
	l->text[l->n + len] = '\n';
	l->n += len + 1;
	l->text[l->n] = '\0';
	free(s);
	return 0;
}

/* The bulk export writer gives the same bytes as jansson's canonical dump. */
static void export_matches_the_canonical_dump(void **state)
{
	wu_db *db = *state;
	uint64_t n = 0;
	assert_int_equal(wu_demo_load(&n, db), WU_OK);
	json_t *f = json_pack("{ss ss ss s[s]}", "name", "Tab\there, \"quotes\", back\\slash,\nnew line, / São ☂ \x7f",
			      "kind", "ngo", "country", "GB", "represents", "trans");
	json_object_set_new(f, "swl_staff_pct", json_integer(0));
	json_object_set_new(f, "disclose_swl", json_false());
	assert_int_equal(wu_record_add(NULL, db, "org", f, 0), WU_OK);
	json_decref(f);
	struct lines l = { calloc(1, 1), 0 };
	assert_int_equal(wu_record_list(db, NULL, NULL, dump_each, &l), WU_OK);
	char *exported = export_all(db, false);
	assert_string_equal(exported, l.text);
	free(exported);
	free(l.text);
}

static void demo_refuses_a_real_database(void **state)
{
	wu_db *db = *state;
	uint64_t n = 0;
	assert_int_equal(import_text(db, "jsonl", NULL, ORG1, &n), WU_OK);
	assert_int_equal(wu_demo_load(&n, db), WU_EDEMO);
	assert_int_equal(count(db), 1);
}

/* ---- many records: the writer stores WU_STORE_ROWS in one statement ---------- */

struct text {
	char *buf;
	size_t len;
	FILE *f;
};

static void text_open(struct text *t)
{
	t->buf = NULL;
	t->len = 0;
	t->f = open_memstream(&t->buf, &t->len);
	assert_non_null(t->f);
}

static char *text_close(struct text *t)
{
	fclose(t->f);
	return t->buf;
}

static void make_id(char id[37], int kind, int i)
{
	snprintf(id, 37, "%08d-0000-4000-8000-%012d", kind, i);
}

/* A waiting run holds one type, so a reference never names a waiting record
 * (lib/io.c, store_prepared): that holds while no type refers to its own. */
static void no_type_refers_to_its_own(void **state)
{
	(void)state;
	for (size_t i = 0; i < wu_type_count(); i++) {
		const wu_type *t = wu_type_at(i);
		for (size_t k = 0; k < t->nfields; k++) {
			const wu_field *f = &t->fields[k];
			if ((f->kind == WU_K_REF || f->kind == WU_K_REFSET) && !strcmp(f->ref, t->name))
				fail_msg("%s.%s refers to %s: see store_prepared in lib/io.c", t->name, f->name, t->name);
		}
	}
}

/* 100 budget lines (three full statements and a short run) between other
 * types: each value lands in its own record, and each record has its
 * history row pointing at its table row. */
static void import_many_records(wu_db *db)
{
	enum { LINES = 100 };
	char org[2][37], prj[37], id[37];
	struct text t;
	text_open(&t);
	for (int i = 0; i < 2; i++) {
		make_id(org[i], 1, i);
		fprintf(t.f, "{\"type\":\"org\",\"id\":\"%s\",\"name\":\"Org %d\",\"kind\":\"academic\",\"country\":\"GB\"}\n", org[i], i);
	}
	make_id(prj, 2, 0);
	fprintf(t.f, "{\"type\":\"project\",\"id\":\"%s\",\"title\":\"P\",\"lead_org\":\"%s\"}\n", prj, org[0]);
	for (int i = 0; i < LINES; i++) {
		make_id(id, 3, i);
		fprintf(t.f,
			"{\"type\":\"budget\",\"id\":\"%s\",\"project\":\"%s\",\"recipient\":\"%s\",\"category\":\"kt\","
			"\"amount\":\"%d.%02d\",\"currency\":\"%s\",\"value_date\":\"2024-01-01\",\"note\":\"line %d\"%s}\n",
			id, prj, org[i % 2], i * 7, i % 100, i % 3 ? "GBP" : "KES", i, i % 5 ? "" : ",\"match_required\":true");
	}
	fprintf(t.f, "{\"type\":\"org\",\"name\":\"Last\",\"kind\":\"ngo\",\"country\":\"KE\"}\n");
	char *jsonl = text_close(&t);
	uint64_t n = 0;
	if (import_text(db, "jsonl", NULL, jsonl, &n) != WU_OK)
		fail_msg("import: %s", wu_errmsg(db));
	assert_int_equal(n, LINES + 4);
	for (int i = 0; i < LINES; i++) {
		json_t *rec = NULL;
		char amount[32], note[32];
		make_id(id, 3, i);
		assert_int_equal(wu_record_get(&rec, db, id), WU_OK);
		snprintf(amount, sizeof amount, "%d.%02d", i * 7, i % 100);
		snprintf(note, sizeof note, "line %d", i);
		assert_string_equal(json_string_value(json_object_get(rec, "amount")), amount);
		assert_string_equal(json_string_value(json_object_get(rec, "currency")), i % 3 ? "GBP" : "KES");
		assert_string_equal(json_string_value(json_object_get(rec, "note")), note);
		assert_string_equal(json_string_value(json_object_get(rec, "recipient")), org[i % 2]);
		assert_true(json_is_true(json_object_get(rec, "match_required")) == (i % 5 == 0));
		json_decref(rec);
	}
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db->sql,
					    "SELECT count(*) FROM history h JOIN budget b ON b.rowid = h.rec AND b.id = h.id "
					    "WHERE h.op = 'create' AND h.type = 'budget'",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), LINES);
	sqlite3_finalize(st);
	free(jsonl);
}

static void many_records_each_in_its_own_row(void **state)
{
	import_many_records(*state);
}

/* An SQLite that allows fewer parameters than 32 rows need (999 before
 * 3.32; budget has 17 columns) gets them one at a time. */
static void few_parameters_one_row_at_a_time(void **state)
{
	wu_db *db = *state;
	sqlite3_limit(db->sql, SQLITE_LIMIT_VARIABLE_NUMBER, 100);
	import_many_records(db);
}

/* A duplicate id anywhere in a run (first, middle, last row of a statement,
 * or the short run after them) names its own line, in JSON Lines and CSV. */
static void a_duplicate_among_many_names_its_line(void **state)
{
	wu_db *db = *state;
	static const int dup[] = { 2, 31, 32, 33, 40, 64, 65, 96, 97, 100 };
	for (size_t k = 0; k < sizeof dup / sizeof dup[0]; k++) {
		for (int csv = 0; csv < 2; csv++) {
			struct text t;
			char id[37], want[128];
			text_open(&t);
			if (csv)
				fprintf(t.f, "id,name,kind,country\n");
			for (int line = 1; line <= 100; line++) {
				make_id(id, 1, line == dup[k] ? line - 1 : line);
				fprintf(t.f, csv ? "%s,Org %d,academic,GB\n"
						 : "{\"type\":\"org\",\"id\":\"%s\",\"name\":\"Org %d\",\"kind\":\"academic\",\"country\":\"GB\"}\n",
					id, line);
			}
			char *text = text_close(&t);
			uint64_t n = 0;
			make_id(id, 1, dup[k] - 1);
			snprintf(want, sizeof want, "test:%d: org.id: '%s' exists already", dup[k] + csv, id);
			int rc = import_text(db, csv ? "csv" : "jsonl", csv ? "org" : NULL, text, &n);
			if (rc == WU_OK)
				fail_msg("line %d: imported", dup[k]);
			assert_contains(wu_errmsg(db), want);
			assert_int_equal(count(db), 0);
			free(text);
		}
	}
}

/* A unique constraint other than the id (one partnership per project and
 * organisation) is named too, at its line, in the middle of a statement. */
static void a_second_partnership_among_many_names_its_line(void **state)
{
	wu_db *db = *state;
	struct text t;
	char org[37], prj[37], id[37];
	text_open(&t);
	for (int i = 0; i < 40; i++) {
		make_id(org, 1, i);
		fprintf(t.f, "{\"type\":\"org\",\"id\":\"%s\",\"name\":\"Org %d\",\"kind\":\"academic\",\"country\":\"GB\"}\n", org, i);
	}
	make_id(prj, 2, 0);
	make_id(org, 1, 0);
	fprintf(t.f, "{\"type\":\"project\",\"id\":\"%s\",\"title\":\"P\",\"lead_org\":\"%s\"}\n", prj, org);
	for (int i = 0; i < 40; i++) { /* lines 42..81; line 72 repeats org 10 */
		make_id(id, 3, i);
		make_id(org, 1, i == 30 ? 10 : i);
		fprintf(t.f, "{\"type\":\"partnership\",\"id\":\"%s\",\"project\":\"%s\",\"org\":\"%s\"}\n", id, prj, org);
	}
	char *jsonl = text_close(&t);
	uint64_t n = 0;
	assert_int_not_equal(import_text(db, "jsonl", NULL, jsonl, &n), WU_OK);
	char want[160];
	make_id(org, 1, 10);
	snprintf(want, sizeof want, "test:72: partnership.org: '%s' is already a partner", org);
	assert_contains(wu_errmsg(db), want);
	assert_int_equal(count(db), 0);
	free(jsonl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(jsonl_imports_and_keeps_ids, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(a_bad_line_writes_nothing, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(csv_quoting_crlf_bom, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(csv_cells_span_read_buffers, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(bad_csv_writes_nothing, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(demo_round_trips_through_jsonl_and_csv, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(demo_refuses_a_real_database, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(export_matches_the_canonical_dump, db_setup, db_teardown),
		cmocka_unit_test(no_type_refers_to_its_own),
		cmocka_unit_test_setup_teardown(many_records_each_in_its_own_row, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(few_parameters_one_row_at_a_time, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(a_duplicate_among_many_names_its_line, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(a_second_partnership_among_many_names_its_line, db_setup, db_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
