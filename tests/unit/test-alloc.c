/*
 * test-alloc.c - allocation-failure injection. Every allocation the
 * library makes (its own malloc, calloc, realloc and strdup, linked through
 * --wrap; jansson's through json_set_alloc_funcs; SQLite's through
 * SQLITE_CONFIG_MALLOC) counts; the n-th fails, once. For n = 1, 2, ... each main
 * operation must return WU_OK or a clean error (WU_ENOMEM, or the error the
 * failure led to), and leave the database consistent and unchanged when it
 * failed. Leaks are caught by the AddressSanitizer build of the suite.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr */
#endif
#include <dlfcn.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <execinfo.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "withus.h"

/* ---- the counting allocator ---------------------------------------------------- */

/* Import reads on a second thread, so the count is atomic: whichever thread
 * makes the n-th allocation sees it fail. (Test-only globals.) */
static _Atomic long countdown = -1; /* allocations left before one fails; -1: never */
static _Atomic long failures;
static _Atomic long moved;          /* failures moved out of jansson's parser */

/*
 * jansson 2.14's json_loadb overruns a heap buffer when an allocation inside
 * its lexer fails: the token's text is saved a byte at a time, the failed
 * append is ignored, and lex_scan_string then copies up to a closing quote
 * that was never saved (valgrind: invalid read and write past a 16-byte
 * block). That is jansson's bug, not withus's, and nothing withus does can
 * avoid it; a failure that would land inside json_load* moves to the next
 * allocation outside it, and the test says how many moved.
 */
static bool inside_json_parser(void)
{
	void *frames[48];
	int n = backtrace(frames, 48);
	for (int i = 0; i < n; i++) {
		Dl_info info;
		if (dladdr(frames[i], &info) && info.dli_sname && !strncmp(info.dli_sname, "json_load", 9))
			return true;
	}
	return false;
}

static int should_fail(void)
{
	long left = countdown;
	while (left >= 0) {
		/* n-th allocation fails (0 -> -1); the ones after it work again */
		if (atomic_compare_exchange_weak(&countdown, &left, left - 1)) {
			if (left > 0)
				return 0;
			if (inside_json_parser()) {
				moved++;
				countdown = 0; /* the next allocation fails instead */
				return 0;
			}
			failures++;
			if (getenv("ALLOC_TRACE")) { /* where it failed, when hunting one case */
				void *frames[16];
				backtrace_symbols_fd(frames, backtrace(frames, 16), 2);
			}
			return 1;
		}
	}
	return 0;
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t a, size_t b);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t a, size_t b);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { return should_fail() ? NULL : __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return should_fail() ? NULL : __real_strdup(s); }

static void *json_alloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
static void json_release(void *p) { free(p); }

/* SQLite's allocator, the same way: sizes kept in front of each block. */
static void *sq_malloc(int n)
{
	if (should_fail())
		return NULL;
	sqlite3_int64 *p = __real_malloc((size_t)n + 8);
	if (!p)
		return NULL;
	p[0] = n;
	return p + 1;
}
static void sq_free(void *p)
{
	if (p)
		free((sqlite3_int64 *)p - 1);
}
static void *sq_realloc(void *p, int n)
{
	if (should_fail())
		return NULL;
	sqlite3_int64 *q = __real_realloc(p ? (sqlite3_int64 *)p - 1 : NULL, (size_t)n + 8);
	if (!q)
		return NULL;
	q[0] = n;
	return q + 1;
}
static int sq_size(void *p) { return p ? (int)((sqlite3_int64 *)p)[-1] : 0; }
static int sq_roundup(int n) { return (n + 7) & ~7; }
static int sq_init(void *x) { (void)x; return SQLITE_OK; }
static void sq_shutdown(void *x) { (void)x; }

static void install_allocators(void)
{
	static const sqlite3_mem_methods mem = { sq_malloc, sq_free, sq_realloc, sq_size, sq_roundup, sq_init, sq_shutdown, NULL };
	assert_int_equal(sqlite3_config(SQLITE_CONFIG_MALLOC, &mem), SQLITE_OK);
	json_set_alloc_funcs(json_alloc, json_release);
}

/* ---- the operations ------------------------------------------------------------- */

static char path[256];

static const char seed[] =
	"{\"type\":\"org\",\"id\":\"11111111-1111-4111-8111-111111111111\",\"name\":\"Amara\",\"kind\":\"sex-worker-led\","
	"\"country\":\"KE\",\"swl_self_declared\":true,\"visibility\":\"public\"}\n"
	"{\"type\":\"org\",\"id\":\"22222222-2222-4222-8222-222222222222\",\"name\":\"Uni\",\"kind\":\"academic\",\"country\":\"GB\","
	"\"visibility\":\"public\"}\n"
	"{\"type\":\"project\",\"id\":\"33333333-3333-4333-8333-333333333333\",\"title\":\"Study\","
	"\"lead_org\":\"22222222-2222-4222-8222-222222222222\",\"visibility\":\"shared\"}\n"
	"{\"type\":\"budget\",\"id\":\"44444444-4444-4444-8444-444444444444\",\"project\":\"33333333-3333-4333-8333-333333333333\","
	"\"recipient\":\"11111111-1111-4111-8111-111111111111\",\"category\":\"kt\",\"amount\":\"10.00\",\"currency\":\"GBP\","
	"\"value_date\":\"2025-01-01\"}\n";

static int import_text(wu_db *db, const char *text)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	if (!in)
		return WU_ENOMEM;
	wu_import_opts o = { .format = "jsonl" };
	int rc = wu_import(NULL, db, in, &o);
	fclose(in);
	return rc;
}

static char template_path[280];

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	assert_non_null(in);
	assert_non_null(out);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/* A fresh copy of the seeded database, opened (allocations not counted).
 * The template is made once: migrating a new file every time would be slow. */
static wu_db *fresh(bool remote)
{
	wu_db *db = NULL;
	if (!template_path[0]) {
		snprintf(template_path, sizeof template_path, "%s.template", path);
		remove(template_path);
		assert_int_equal(wu_db_open(&db, template_path, NULL), WU_OK);
		assert_int_equal(import_text(db, seed), WU_OK);
		wu_db_close(db);
	}
	char wal[300];
	snprintf(wal, sizeof wal, "%s-wal", path);
	remove(wal);
	copy_file(template_path, path);
	assert_int_equal(wu_db_open(&db, path, NULL), WU_OK);
	if (remote) {
		wu_remote r = { .name = "hub", .url = "http://127.0.0.1:5984/hub", .auth = "none" };
		assert_int_equal(wu_remote_add(db, &r, 0), WU_OK);
	}
	return db;
}

/* What the database holds, to compare before and after a failed operation. */
static char *content(wu_db *db)
{
	long saved = countdown;
	countdown = -1;
	FILE *out = NULL;
	char *buf = NULL;
	size_t len = 0;
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	assert_int_equal(wu_export_jsonl(db, out, NULL, NULL), WU_OK);
	fclose(out);
	countdown = saved;
	return buf;
}

static int op_add(wu_db *db)
{
	json_t *f = json_pack("{ssssssssssssss}", "project", "33333333-3333-4333-8333-333333333333", "recipient",
			      "11111111-1111-4111-8111-111111111111", "category", "kt", "amount", "5.00", "currency", "GBP",
			      "value_date", "2025-01-01", "note", "pay on time");
	if (!f)
		return WU_ENOMEM;
	char *id = NULL;
	int rc = wu_record_add(&id, db, "budget", f, 0);
	wu_free(id);
	json_decref(f);
	return rc;
}

static int op_import(wu_db *db)
{
	return import_text(db,
			   "{\"type\":\"org\",\"name\":\"Lotus\",\"kind\":\"sex-worker-led\",\"country\":\"TH\",\"swl_self_declared\":true}\n"
			   "{\"type\":\"partnership\",\"project\":\"33333333-3333-4333-8333-333333333333\","
			   "\"org\":\"11111111-1111-4111-8111-111111111111\",\"research_roles\":[\"co-lead\"]}\n");
}

static int op_check(wu_db *db)
{
	wu_result *res = NULL;
	int rc = wu_check(&res, db, NULL);
	wu_result_free(res);
	return rc;
}

static int op_report(wu_db *db)
{
	json_t *doc = NULL;
	wu_report_opts o = { .as_of = "2026-01-01" };
	int rc = wu_report(&doc, db, &o);
	json_decref(doc);
	return rc;
}

/* A sync step: a whole pull of one document from a scripted server. */
static int answer(const char *method, const char *url, const char *body, long *status, char **resp, size_t *len,
		  void *payload)
{
	(void)method;
	(void)body;
	(void)payload;
	const char *a = "{}";
	*status = 200;
	if (strstr(url, "/_local/")) {
		*status = strcmp(method, "GET") ? 201 : 404;
		a = strcmp(method, "GET") ? "{\"ok\":true,\"rev\":\"0-1\"}" : "{\"error\":\"not_found\"}";
	} else if (strstr(url, "_changes") && strstr(url, "since=0")) {
		a = "{\"results\":[{\"seq\":1,\"id\":\"org:55555555-5555-4555-8555-555555555555\",\"changes\":[{\"rev\":\"1-0123456789abcdef0123456789abcdef\"}]}],\"last_seq\":1}";
	} else if (strstr(url, "_changes")) {
		a = "{\"results\":[],\"last_seq\":1}";
	} else if (strstr(url, "_bulk_get")) {
		a = "{\"results\":[{\"id\":\"org:55555555-5555-4555-8555-555555555555\",\"docs\":[{\"ok\":{\"_id\":\"org:55555555-5555-4555-8555-555555555555\","
		    "\"_rev\":\"1-0123456789abcdef0123456789abcdef\",\"_revisions\":{\"start\":1,\"ids\":[\"0123456789abcdef0123456789abcdef\"]},"
		    "\"type\":\"org\",\"name\":\"Lotus\",\"kind\":\"ngo\",\"country\":\"TH\",\"visibility\":\"public\",\"created\":\"2025-01-01T00:00:00Z\"}}]}]}";
	} else if (strstr(url, "_revs_diff")) {
		a = "{}";
	} else if (strstr(url, "_bulk_docs")) {
		*status = 201;
		a = "[]";
	} else if (!strstr(url, "/hub")) {
		a = "{\"couchdb\":\"Welcome\"}";
	} else {
		a = "{\"db_name\":\"hub\",\"doc_count\":1}";
	}
	*len = strlen(a);
	*resp = __real_malloc(*len + 1); /* the transport's answer is the server's, not the library's */
	if (!*resp)
		return 1;
	memcpy(*resp, a, *len + 1);
	return 0;
}

static int op_sync(wu_db *db)
{
	wu_sync_opts o = { .transport = answer, .max_retries = 1, .retry_base_ms = 1 };
	return wu_sync(NULL, db, "hub", &o);
}

static int op_open(wu_db *db)
{
	(void)db;
	char other[300];
	snprintf(other, sizeof other, "%s.new", path);
	remove(other);
	wu_db *h = NULL;
	int rc = wu_db_open(&h, other, NULL);
	wu_db_close(h);
	remove(other);
	return rc;
}

/* Under AddressSanitizer every step is several times slower: that build
 * fails every 13th allocation (and still finds leaks); the -Werror build
 * fails every one. */
#ifdef __SANITIZE_ADDRESS__
#define STRIDE 13
#else
#define STRIDE 1
#endif

/* Runs `op` with the n-th allocation failing, for every n (every STRIDE-th)
 * until it passes without a failure; checks every outcome. */
static void inject(int (*op)(wu_db *), const char *name, bool needs_remote)
{
	long n = getenv("ALLOC_FROM") ? atol(getenv("ALLOC_FROM")) : 0;
	if (getenv("ALLOC_ONLY") && strcmp(getenv("ALLOC_ONLY"), name))
		return;
	long to = getenv("ALLOC_TO") ? atol(getenv("ALLOC_TO")) : -1; /* for hunting one case */
	for (;; n += STRIDE) {
		if (to >= 0 && n > to)
			break;
		wu_db *db = fresh(needs_remote);
		char *before = content(db);
		long failed_before = failures;
		countdown = n;
		int rc = op(db);
		bool hit = failures > failed_before;
		countdown = -1;
		if (rc != WU_OK) {
			/* a clean error: a known code and a message (or none, for ENOMEM) */
			if (!hit)
				fail_msg("%s: failed without an allocation failing (n=%ld): %d %s", name, n, rc, wu_errmsg(db));
			if (rc != WU_ENOMEM && rc != WU_EDB && rc != WU_ENET && rc != WU_EIO && rc != WU_EINVAL && rc != WU_EREMOTE)
				fail_msg("%s: allocation %ld failed: unexpected code %d (%s)", name, n, rc, wu_errmsg(db));
			char *after = content(db);
			if (op != op_sync && strcmp(before, after))
			{
				size_t k = 0;
				while (before[k] && before[k] == after[k])
					k++;
				while (k > 0 && before[k - 1] != '\n')
					k--;
				fail_msg("%s: allocation %ld failed (%d: %s) and the records changed, from:\n%.300s\n---\n%.300s", name, n,
					 rc, wu_errmsg(db), before + k, after + k);
			}
			free(after);
		}
		/* Consistent either way. */
		char *msg = NULL;
		sqlite3 *raw = NULL;
		assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
		char **rows = NULL;
		int nr = 0, nc = 0;
		assert_int_equal(sqlite3_get_table(raw, "PRAGMA integrity_check", &rows, &nr, &nc, &msg), SQLITE_OK);
		assert_string_equal(rows[1], "ok");
		sqlite3_free_table(rows);
		sqlite3_close(raw);
		free(before);
		wu_db_close(db);
		if (rc == WU_OK && !hit)
			break; /* every allocation the operation makes has now failed once */
		if (n > 200000)
			fail_msg("%s: more than 200000 allocations?", name);
	}
	print_message("%s: %ld allocations; each %s failed, all clean", name, n, STRIDE == 1 ? "one" : "13th");
	if (moved)
		print_message(" (%ld times the failure fell inside jansson's json_load* and moved to the next allocation)", (long)moved);
	print_message("\n");
	moved = 0;
}

static void add_fails_cleanly(void **state) { (void)state; inject(op_add, "add", false); }
static void import_fails_cleanly(void **state) { (void)state; inject(op_import, "import", false); }
static void check_fails_cleanly(void **state) { (void)state; inject(op_check, "check", false); }
static void report_fails_cleanly(void **state) { (void)state; inject(op_report, "report", false); }
static void sync_fails_cleanly(void **state) { (void)state; inject(op_sync, "sync (one pull)", true); }
static void open_fails_cleanly(void **state) { (void)state; inject(op_open, "open (a new database)", false); }

int main(void)
{
	snprintf(path, sizeof path, "%s/withus-alloc-%ld.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	void *prime[1];
	backtrace(prime, 1); /* loads what backtrace needs before any allocation can fail */
	install_allocators();
	json_object_seed(1); /* the same allocations from run to run */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_fails_cleanly),
		cmocka_unit_test(add_fails_cleanly),
		cmocka_unit_test(import_fails_cleanly),
		cmocka_unit_test(check_fails_cleanly),
		cmocka_unit_test(report_fails_cleanly),
		cmocka_unit_test(sync_fails_cleanly),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	remove(path);
	remove(template_path);
	return failed;
}
