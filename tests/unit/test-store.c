/*
 * test-store.c - opening, migrations, the schema against the model,
 * refusing foreign and newer databases, file mode, transactions.
 */
#include <sys/stat.h>
#include <unistd.h>
#include "unit.h"

static char tmpdir[] = "/tmp/withus-unit-XXXXXX";

static char *path_in_tmp(const char *name)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", tmpdir, name) < 0)
		return NULL;
	return p;
}

static void opens_and_migrates_to_the_latest_version(void **state)
{
	(void)state;
	wu_db *db;
	assert_int_equal(wu_db_open(&db, ":memory:", NULL), WU_OK);
	int v;
	assert_int_equal(wu_db_user_version(&v, db), WU_OK);
	assert_int_equal(v, wu_schema_version());
	assert_true(v >= 2);
	char *uuid = NULL;
	assert_int_equal(wu_meta_get(&uuid, db, "uuid"), WU_OK);
	assert_int_equal(strlen(uuid), 32);
	wu_free(uuid);
	wu_db_close(db);
	wu_db_close(NULL);
}

/* Every record table has id, created, updated and then the model's fields, in order. */
static void schema_matches_the_model(void **state)
{
	(void)state;
	wu_db *db;
	assert_int_equal(wu_db_open(&db, ":memory:", NULL), WU_OK);
	for (size_t i = 0; i < wu_type_count(); i++) {
		const wu_type *t = wu_type_at(i);
		char *sql = sqlite3_mprintf("SELECT name, \"notnull\" FROM pragma_table_info(%Q) ORDER BY cid", t->name);
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL), SQLITE_OK);
		sqlite3_free(sql);
		size_t col = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(st, 0);
			if (col < 3) {
				const char *meta[] = { "id", "created", "updated" };
				assert_string_equal(name, meta[col]);
			} else {
				if (col - 3 >= t->nfields)
					fail_msg("%s has extra column %s", t->name, name);
				const wu_field *f = &t->fields[col - 3];
				if (strcmp(name, f->name))
					fail_msg("%s column %zu is %s, the model says %s", t->name, col, name, f->name);
				assert_int_equal(sqlite3_column_int(st, 1), (f->flags & WU_F_REQUIRED) != 0);
			}
			col++;
		}
		sqlite3_finalize(st);
		if (col != t->nfields + 3)
			fail_msg("%s has %zu columns, the model %zu fields", t->name, col, t->nfields);
		if (col > WU_MAX_COLUMNS) /* wu__record_columns holds that many */
			fail_msg("%s has %zu columns, more than WU_MAX_COLUMNS", t->name, col);
	}
	wu_db_close(db);
}

static void model_is_consistent(void **state)
{
	(void)state;
	for (size_t i = 0; i < wu_type_count(); i++) {
		const wu_type *t = wu_type_at(i);
		assert_ptr_equal(wu_type_find(t->name), t);
		for (size_t k = 0; k < t->nfields; k++) {
			const wu_field *f = &t->fields[k];
			assert_ptr_equal(wu_field_find(t, f->name), f);
			if (f->ref) {
				/* types refer only to types listed before them (export order) */
				const wu_type *r = wu_type_find(f->ref);
				assert_non_null(r);
				assert_true(r <= t);
			}
			if (f->kind == WU_K_MONEY)
				assert_non_null(wu_field_find(t, f->currency));
			if (f->kind == WU_K_ENUM || f->kind == WU_K_SET)
				assert_non_null(f->values);
			assert_non_null(f->help);
		}
	}
	assert_null(wu_type_find("person"));
}

static void file_is_private_and_reopens(void **state)
{
	(void)state;
	char *p = path_in_tmp("private.db");
	wu_db *db;
	mode_t old = umask(0);
	assert_int_equal(wu_db_open(&db, p, NULL), WU_OK);
	umask(old);
	char id[37];
	add_ok(db, "org", "{\"name\":\"A\",\"kind\":\"academic\",\"country\":\"GB\"}", id);
	wu_db_close(db);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(wu_db_open(&db, p, NULL), WU_OK);
	json_t *rec = NULL;
	assert_int_equal(wu_record_get(&rec, db, id), WU_OK);
	json_decref(rec);
	wu_db_close(db);
	free(p);
}

static void refuses_a_newer_database(void **state)
{
	(void)state;
	char *p = path_in_tmp("newer.db");
	wu_db *db;
	assert_int_equal(wu_db_open(&db, p, NULL), WU_OK);
	assert_int_equal(sqlite3_exec(db->sql, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
	wu_db_close(db);
	assert_int_equal(wu_db_open(&db, p, NULL), WU_EVERSION);
	assert_contains(wu_errmsg(db), "newer withus");
	wu_db_close(db);
	free(p);
}

static void refuses_other_files(void **state)
{
	(void)state;
	char *p = path_in_tmp("other.db");
	sqlite3 *s;
	assert_int_equal(sqlite3_open(p, &s), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(s);
	wu_db *db;
	assert_int_equal(wu_db_open(&db, p, NULL), WU_ENOTDB);
	wu_db_close(db);
	free(p);

	p = path_in_tmp("text.db");
	FILE *f = fopen(p, "w");
	fputs("this is not a database, just some text that is long enough to be a header ....\n", f);
	fclose(f);
	assert_int_equal(wu_db_open(&db, p, NULL), WU_ENOTDB);
	wu_db_close(db);
	free(p);
}

static void nocreate_and_readonly(void **state)
{
	(void)state;
	char *p = path_in_tmp("absent.db");
	wu_db *db;
	wu_open_opts o = { .flags = WU_OPEN_NOCREATE };
	assert_int_equal(wu_db_open(&db, p, &o), WU_ENOTFOUND);
	wu_db_close(db);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(wu_db_open(&db, p, NULL), WU_OK);
	wu_db_close(db);
	o.flags = WU_OPEN_READONLY;
	assert_int_equal(wu_db_open(&db, p, &o), WU_OK);
	json_t *f = json_pack("{ss ss ss}", "name", "A", "kind", "academic", "country", "GB");
	assert_int_equal(wu_record_add(NULL, db, "org", f, 0), WU_EMISUSE);
	json_decref(f);
	wu_db_close(db);
	free(p);
}

static void nested_transactions_roll_back_together(void **state)
{
	wu_db *db = *state;
	char id[37];
	assert_int_equal(wu_begin(db), WU_OK);
	add_ok(db, "org", "{\"name\":\"A\",\"kind\":\"academic\",\"country\":\"GB\"}", id);
	add_fails(db, "org", "{\"name\":\"B\",\"kind\":\"nope\",\"country\":\"GB\"}", WU_EINVAL);
	/* the failed add marked the transaction: committing it writes nothing */
	assert_int_not_equal(wu_commit(db), WU_OK);
	int64_t n;
	assert_int_equal(wu_record_count(&n, db, "org"), WU_OK);
	assert_int_equal(n, 0);
	assert_int_equal(wu_commit(db), WU_EMISUSE);
	assert_int_equal(wu_rollback(db), WU_EMISUSE);
}

/* Byte 18 of the header: 2 while the file is in WAL mode, 1 with a rollback journal. */
static int header_journal(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 18, SEEK_SET), 0);
	int c = fgetc(f);
	fclose(f);
	return c;
}

static void bulk_writes_leave_wal_only_when_alone(void **state)
{
	(void)state;
	char *p = path_in_tmp("bulk.db");
	wu_db *db, *other;
	char id[37];
	int64_t n;
	assert_int_equal(wu_db_open(&db, p, NULL), WU_OK);
	assert_int_equal(header_journal(p), 2);
	/* alone: a rollback journal while the write runs, WAL again after it */
	assert_int_equal(wu_begin_bulk(db), WU_OK);
	assert_int_equal(header_journal(p), 1);
	add_ok(db, "org", "{\"name\":\"A\",\"kind\":\"academic\",\"country\":\"GB\"}", id);
	assert_int_equal(wu_commit(db), WU_OK);
	assert_int_equal(header_journal(p), 2);
	/* a rolled-back bulk write writes nothing and returns to WAL too */
	assert_int_equal(wu_begin_bulk(db), WU_OK);
	add_ok(db, "org", "{\"name\":\"B\",\"kind\":\"academic\",\"country\":\"GB\"}", id);
	assert_int_equal(wu_rollback(db), WU_OK);
	assert_int_equal(header_journal(p), 2);
	/* inside another transaction it is a plain nested begin */
	assert_int_equal(wu_begin(db), WU_OK);
	assert_int_equal(wu_begin_bulk(db), WU_OK);
	assert_int_equal(header_journal(p), 2);
	assert_int_equal(wu_commit(db), WU_OK);
	assert_int_equal(wu_commit(db), WU_OK);
	/* with a second connection open it stays in WAL, and both see the write */
	assert_int_equal(wu_db_open(&other, p, NULL), WU_OK);
	assert_int_equal(wu_begin_bulk(db), WU_OK);
	assert_int_equal(header_journal(p), 2);
	add_ok(db, "org", "{\"name\":\"C\",\"kind\":\"academic\",\"country\":\"GB\"}", id);
	assert_int_equal(wu_commit(db), WU_OK);
	assert_int_equal(wu_record_count(&n, other, "org"), WU_OK);
	assert_int_equal(n, 2);
	wu_db_close(other);
	/* while a bulk write holds the file, another open waits, then says why */
	assert_int_equal(wu_begin_bulk(db), WU_OK);
	add_ok(db, "org", "{\"name\":\"D\",\"kind\":\"academic\",\"country\":\"GB\"}", id);
	wu_open_opts quick = { .busy_timeout_ms = 50 };
	other = NULL;
	assert_int_equal(wu_db_open(&other, p, &quick), WU_EBUSY);
	assert_non_null(strstr(wu_errmsg(other), "bulk write"));
	wu_db_close(other);
	assert_int_equal(wu_commit(db), WU_OK);
	assert_int_equal(wu_db_open(&other, p, &quick), WU_OK);
	assert_int_equal(wu_record_count(&n, other, "org"), WU_OK);
	assert_int_equal(n, 3);
	wu_db_close(other);
	wu_db_close(db);
	free(p);
}

static void errors_have_names(void **state)
{
	(void)state;
	int codes[] = { WU_OK, WU_EINVAL, WU_ENOTFOUND, WU_EEXIST, WU_EREFERENCED, WU_ENOMEM, WU_EIO, WU_EDB,
			WU_EBUSY, WU_EVERSION, WU_EPERSONAL, WU_EAMBIGUOUS, WU_ENOTDB, WU_EDEMO, WU_EMISUSE };
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		assert_string_not_equal(wu_strerror(codes[i]), "unknown error");
	assert_string_equal(wu_strerror(12345), "unknown error");
	assert_string_equal(wu_version(), WU_VERSION);
}

static int make_tmp(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmp(void **state)
{
	(void)state;
	char *cmd = NULL;
	if (asprintf(&cmd, "rm -rf '%s'", tmpdir) >= 0 && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	free(cmd);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(opens_and_migrates_to_the_latest_version),
		cmocka_unit_test(schema_matches_the_model),
		cmocka_unit_test(model_is_consistent),
		cmocka_unit_test(file_is_private_and_reopens),
		cmocka_unit_test(refuses_a_newer_database),
		cmocka_unit_test(refuses_other_files),
		cmocka_unit_test(nocreate_and_readonly),
		cmocka_unit_test_setup_teardown(nested_transactions_roll_back_together, db_setup, db_teardown),
		cmocka_unit_test(bulk_writes_leave_wal_only_when_alone),
		cmocka_unit_test(errors_have_names),
	};
	return cmocka_run_group_tests(tests, make_tmp, remove_tmp);
}
