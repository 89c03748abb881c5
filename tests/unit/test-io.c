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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
