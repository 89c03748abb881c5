/*
 * test-sync.c - MD5, revision ids, what may be shared, and the revision
 * tree: local edits, pulled revisions, the winner rule and conflicts.
 */
#include "config.h"
#include "unit.h"
#include "sync.h"

static void md5_matches_rfc_1321(void **state)
{
	(void)state;
	static const struct { const char *in, *hex; } v[] = {
		{ "", "d41d8cd98f00b204e9800998ecf8427e" },
		{ "a", "0cc175b9c0f1b6a831c399e269772661" },
		{ "abc", "900150983cd24fb0d6963f7d28e17f72" },
		{ "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
		{ "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
		{ "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
		  "57edf4a22be3c955ac49da2e2107b67a" },
	};
	char hex[33];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		wu__md5_string(hex, v[i].in, strlen(v[i].in));
		assert_string_equal(hex, v[i].hex);
	}
}

/* Fed in uneven pieces, across block boundaries, the digest is the same. */
static void md5_streams(void **state)
{
	(void)state;
	static char big[1000000];
	memset(big, 'a', sizeof big);
	struct wu_md5 c;
	wu__md5_init(&c);
	size_t off = 0, step = 1;
	while (off < sizeof big) {
		size_t n = step < sizeof big - off ? step : sizeof big - off;
		wu__md5_update(&c, big + off, n);
		off += n;
		step = step * 7 % 211 + 1;
	}
	char hex[33];
	wu__md5_hex(&c, hex);
	assert_string_equal(hex, "7707d6ae4e027c70eea2a935c2296f21");
}

static void revision_ids_parse(void **state)
{
	(void)state;
	int64_t gen;
	char sig[33];
	assert_true(wu__rev_parse("1-967a00dff5e02add41819138abb3284d", &gen, sig));
	assert_int_equal(gen, 1);
	assert_string_equal(sig, "967a00dff5e02add41819138abb3284d");
	assert_true(wu__rev_parse("12-abc", &gen, sig));
	assert_int_equal(gen, 12);
	const char *bad[] = { NULL, "", "0-abc", "-1-abc", "1-", "1abc", "1-ABC", "1-xyz", "a-abc",
			      "1-0123456789abcdef0123456789abcdef0" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(wu__rev_parse(bad[i], &gen, sig));
	char id[37];
	assert_ptr_equal(wu__doc_split("org:0a1b2c3d-0000-4000-8000-000000000001", id), wu_type_find("org"));
	assert_string_equal(id, "0a1b2c3d-0000-4000-8000-000000000001");
	assert_null(wu__doc_split("org:not-a-uuid", id));
	assert_null(wu__doc_split("nosuchtype:0a1b2c3d-0000-4000-8000-000000000001", id));
	assert_null(wu__doc_split("_design/withus", id));
}

static json_t *parse(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);
	assert_non_null(j);
	return j;
}

static const char *const org_json =
	"{\"id\":\"0a1b2c3d-0000-4000-8000-000000000001\",\"created\":\"2025-01-01T00:00:00Z\","
	"\"updated\":\"2025-01-01T00:00:00Z\",\"name\":\"Amara Collective\",\"alias\":\"Collective A\","
	"\"kind\":\"sex-worker-led\",\"swl_self_declared\":true,\"country\":\"KE\",\"visibility\":\"alias\","
	"\"note\":\"local only\"}";

static void add_with_meta(wu_db *db, const char *type, const char *json)
{
	json_t *f = parse(json);
	char *id = NULL;
	assert_int_equal(wu_record_add(&id, db, type, f, WU_KEEP_META), WU_OK);
	wu_free(id);
	json_decref(f);
}

static void share_body_withholds(void **state)
{
	wu_db *db = *state;
	json_t *rec = parse(org_json), *body = NULL;
	assert_int_equal(wu__share_body(db, wu_type_find("org"), rec, &body), WU_OK);
	assert_non_null(body);
	assert_null(json_object_get(body, "name"));   /* alias: the name stays here */
	assert_null(json_object_get(body, "note"));   /* notes never leave */
	assert_null(json_object_get(body, "id"));     /* the id is the document's */
	assert_null(json_object_get(body, "updated"));
	assert_string_equal(json_string_value(json_object_get(body, "alias")), "Collective A");
	json_decref(body);
	json_object_set_new(rec, "visibility", json_string("private"));
	assert_int_equal(wu__share_body(db, wu_type_find("org"), rec, &body), WU_OK);
	assert_null(body);
	json_object_set_new(rec, "visibility", json_string("public"));
	assert_int_equal(wu__share_body(db, wu_type_find("org"), rec, &body), WU_OK);
	assert_string_equal(json_string_value(json_object_get(body, "name")), "Amara Collective");
	json_decref(body);
	json_decref(rec);
}

static char *leaf_of(wu_db *db, const char *doc_id)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db->sql,
		"SELECT r.gen || '-' || r.sig FROM doc d JOIN rev r ON r.pk = d.winner WHERE d.doc_id = ?1", -1, &st, NULL),
		SQLITE_OK);
	sqlite3_bind_text(st, 1, doc_id, -1, SQLITE_STATIC);
	char *rev = sqlite3_step(st) == SQLITE_ROW ? strdup((const char *)sqlite3_column_text(st, 0)) : NULL;
	sqlite3_finalize(st);
	return rev;
}

static void catch_up(wu_db *db)
{
	assert_int_equal(wu_begin(db), WU_OK);
	assert_int_equal(wu__revs_catch_up(db), WU_OK);
	assert_int_equal(wu_commit(db), WU_OK);
}

/* The same record made on two machines is the same revision. */
static void identical_records_make_identical_revisions(void **state)
{
	(void)state;
	wu_db *a, *b;
	assert_int_equal(wu_db_open(&a, ":memory:", NULL), WU_OK);
	assert_int_equal(wu_db_open(&b, ":memory:", NULL), WU_OK);
	add_with_meta(a, "org", org_json);
	add_with_meta(b, "org", org_json);
	catch_up(a);
	catch_up(b);
	char *ra = leaf_of(a, "org:0a1b2c3d-0000-4000-8000-000000000001");
	char *rb = leaf_of(b, "org:0a1b2c3d-0000-4000-8000-000000000001");
	assert_non_null(ra);
	assert_string_equal(ra, rb);
	assert_int_equal(strncmp(ra, "1-", 2), 0);
	assert_int_equal(strlen(ra), 34);
	free(ra);
	free(rb);
	/* An edit is generation 2; the same edit on both is the same revision again. */
	json_t *patch = parse("{\"alias\":\"Group A\"}");
	assert_int_equal(wu_record_update(a, "0a1b2c3d-0000-4000-8000-000000000001", patch, 0), WU_OK);
	assert_int_equal(wu_record_update(b, "0a1b2c3d-0000-4000-8000-000000000001", patch, 0), WU_OK);
	json_decref(patch);
	catch_up(a);
	catch_up(b);
	ra = leaf_of(a, "org:0a1b2c3d-0000-4000-8000-000000000001");
	rb = leaf_of(b, "org:0a1b2c3d-0000-4000-8000-000000000001");
	assert_string_equal(ra, rb);
	assert_int_equal(strncmp(ra, "2-", 2), 0);
	free(ra);
	free(rb);
	/* A change to a field that does not leave (the note) makes no revision. */
	patch = parse("{\"note\":\"changed here only\"}");
	assert_int_equal(wu_record_update(a, "0a1b2c3d-0000-4000-8000-000000000001", patch, 0), WU_OK);
	json_decref(patch);
	catch_up(a);
	ra = leaf_of(a, "org:0a1b2c3d-0000-4000-8000-000000000001");
	assert_int_equal(strncmp(ra, "2-", 2), 0);
	free(ra);
	wu_db_close(a);
	wu_db_close(b);
}

static int64_t count_of(wu_db *db, const char *sql)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void delete_ok(wu_db *db, const char *id)
{
	assert_int_equal(wu_record_delete(db, id), WU_OK);
}

#define ORG_1 "0a1b2c3d-0000-4000-8000-000000000001"

/* A document's pk is the seq of its record's first history row
 * (sql/008-doc-origin.sql); a record deleted and made again with the same
 * id is the same document, whether the catch-up saw it go or not, and so is
 * one whose id another type also uses. */
static void documents_are_numbered_by_their_first_history_row(void **state)
{
	wu_db *db = *state;
	add_with_meta(db, "org", org_json);
	catch_up(db);
	assert_int_equal(count_of(db, "SELECT count(*) FROM doc d WHERE d.pk = (SELECT min(seq) FROM history "
				      "WHERE id = '" ORG_1 "' AND type = 'org') AND d.doc_id = 'org:" ORG_1 "'"), 1);
	/* deleted, then made again: a tombstone, then generation 3 on it */
	delete_ok(db, ORG_1);
	catch_up(db);
	char *rev = leaf_of(db, "org:" ORG_1);
	assert_int_equal(strncmp(rev, "2-", 2), 0);
	free(rev);
	assert_int_equal(count_of(db, "SELECT deleted FROM doc"), 1);
	add_with_meta(db, "org", org_json);
	catch_up(db);
	rev = leaf_of(db, "org:" ORG_1);
	assert_non_null(rev);
	assert_int_equal(strncmp(rev, "3-", 2), 0);
	free(rev);
	assert_int_equal(count_of(db, "SELECT count(*) FROM doc"), 1);
	/* deleted and made again between two catch-ups: still one document */
	delete_ok(db, ORG_1);
	add_with_meta(db, "org", org_json);
	json_t *patch = parse("{\"alias\":\"Group A\"}");
	assert_int_equal(wu_record_update(db, ORG_1, patch, 0), WU_OK);
	json_decref(patch);
	catch_up(db);
	rev = leaf_of(db, "org:" ORG_1);
	assert_int_equal(strncmp(rev, "4-", 2), 0);
	free(rev);
	assert_int_equal(count_of(db, "SELECT count(*) FROM doc"), 1);
	/* a project with the org's id: its own document, numbered by its own first row */
	json_t *p = parse("{\"id\":\"" ORG_1 "\",\"title\":\"Same id\",\"lead_org\":\"" ORG_1 "\",\"visibility\":\"shared\"}");
	char *id = NULL;
	assert_int_equal(wu_record_add(&id, db, "project", p, WU_KEEP_META), WU_OK);
	wu_free(id);
	json_decref(p);
	catch_up(db);
	assert_int_equal(count_of(db, "SELECT count(*) FROM doc"), 2);
	rev = leaf_of(db, "project:" ORG_1);
	assert_int_equal(strncmp(rev, "1-", 2), 0);
	free(rev);
	assert_int_equal(count_of(db, "SELECT count(*) FROM doc d WHERE d.doc_id = 'project:" ORG_1 "' AND d.pk = "
				      "(SELECT min(seq) FROM history WHERE id = '" ORG_1 "' AND type = 'project')"), 1);
	rev = leaf_of(db, "org:" ORG_1);
	assert_int_equal(strncmp(rev, "4-", 2), 0);
	free(rev);
	assert_int_equal(count_of(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

/* The shape of doc, rev and history before migration 008, with the
 * documents renumbered (so that the migration must map them back) and one
 * document pulled before its record existed here (it has no history). */
static const char to_version_7[] =
	"DROP INDEX history_deleted; ALTER TABLE history DROP COLUMN rec;"
	"CREATE TABLE d7 (pk INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, winner INTEGER,"
	" deleted INTEGER NOT NULL DEFAULT 0, conflicted INTEGER NOT NULL DEFAULT 0, local_seq INTEGER NOT NULL UNIQUE);"
	"INSERT INTO d7 SELECT pk + 100, doc_id, type, winner, deleted, conflicted, local_seq FROM doc;"
	"CREATE TABLE r7 (pk INTEGER PRIMARY KEY, doc INTEGER NOT NULL REFERENCES doc (pk), parent INTEGER REFERENCES rev (pk),"
	" gen INTEGER NOT NULL CHECK (gen >= 1), sig TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,"
	" leaf INTEGER NOT NULL DEFAULT 1, body TEXT, UNIQUE (doc, gen, sig));"
	"INSERT INTO r7 SELECT pk, doc + 100, parent, gen, sig, deleted, leaf, body FROM rev;"
	"INSERT INTO d7 (pk, doc_id, type, winner, deleted, local_seq) VALUES (50, 'org:0a1b2c3d-0000-4000-8000-0000000000ff', 'org',"
	" 9000, 1, (SELECT max(local_seq) + 1 FROM d7));"
	"INSERT INTO r7 (pk, doc, gen, sig, deleted, leaf, body) VALUES (9000, 50, 1, 'ffff', 1, 1, '{\"type\":\"org\"}');"
	"DROP TABLE rev; DROP TABLE doc; ALTER TABLE d7 RENAME TO doc; ALTER TABLE r7 RENAME TO rev;"
	"CREATE INDEX doc_conflicted ON doc (conflicted) WHERE conflicted; CREATE INDEX rev_leaf ON rev (doc, leaf);"
	"CREATE INDEX rev_parent ON rev (parent); PRAGMA user_version = 7;";

/* A version-7 database with documents opens (migrated): every document
 * and revision kept, each document numbered by its record's first history
 * row (or below zero without one), and edits carry on the same trees. */
static void version_7_documents_migrate(void **state)
{
	(void)state;
	char dir[] = "/tmp/withus-unit-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/v7.db", dir);
	wu_db *db;
	assert_int_equal(wu_db_open(&db, path, NULL), WU_OK);
	add_with_meta(db, "org", org_json);
	char other[37];
	add_ok(db, "org", "{\"name\":\"Other\",\"kind\":\"ngo\",\"country\":\"GB\",\"visibility\":\"public\"}", other);
	catch_up(db);
	json_t *patch = parse("{\"alias\":\"Group A\"}");
	assert_int_equal(wu_record_update(db, ORG_1, patch, 0), WU_OK);
	json_decref(patch);
	catch_up(db);
	char *before = leaf_of(db, "org:" ORG_1);
	wu_db_close(db);

	sqlite3 *raw;
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	char *err = NULL;
	int rc = sqlite3_exec(raw, to_version_7, NULL, NULL, &err);
	if (rc)
		fprintf(stderr, "to version 7: %s\n", err);
	assert_int_equal(rc, SQLITE_OK);
	sqlite3_close(raw);

	assert_int_equal(wu_db_open(&db, path, NULL), WU_OK);
	assert_int_equal(count_of(db, "PRAGMA user_version"), wu_schema_version());
	assert_int_equal(count_of(db, "SELECT count(*) FROM doc"), 3);
	assert_int_equal(count_of(db, "SELECT count(*) FROM rev"), 4);
	assert_int_equal(count_of(db, "SELECT count(*) FROM doc d WHERE d.pk = (SELECT min(seq) FROM history h "
				      "WHERE h.type = d.type AND d.doc_id = d.type || ':' || h.id)"), 2);
	assert_int_equal(count_of(db, "SELECT pk FROM doc WHERE doc_id = 'org:0a1b2c3d-0000-4000-8000-0000000000ff'"), -1);
	assert_int_equal(count_of(db, "SELECT count(*) FROM rev r JOIN doc d ON d.pk = r.doc AND d.winner = r.pk"), 3);
	assert_int_equal(count_of(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	assert_int_equal(count_of(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'rev_parent'"), 0);
	char *after = leaf_of(db, "org:" ORG_1);
	assert_string_equal(before, after);
	free(after);
	/* the next edit is generation 3 of the same document */
	patch = parse("{\"alias\":\"Group B\"}");
	assert_int_equal(wu_record_update(db, ORG_1, patch, 0), WU_OK);
	json_decref(patch);
	catch_up(db);
	after = leaf_of(db, "org:" ORG_1);
	assert_int_equal(strncmp(after, "3-", 2), 0);
	assert_int_equal(count_of(db, "SELECT count(*) FROM doc"), 3);
	/* the pulled one is still found by its _id */
	bool have = false;
	assert_int_equal(wu__revs_have(db, "org:0a1b2c3d-0000-4000-8000-0000000000ff", "1-ffff", &have), WU_OK);
	assert_true(have);
	free(before);
	free(after);
	wu_db_close(db);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void store(wu_db *db, const char *json, bool want_stored)
{
	json_t *d = parse(json);
	bool stored, conflicted;
	assert_int_equal(wu_begin(db), WU_OK);
	int rc = wu__revs_store_pulled(db, d, &stored, &conflicted);
	if (rc)
		fprintf(stderr, "store_pulled: %s\n", wu_errmsg(db));
	assert_int_equal(rc, WU_OK);
	assert_int_equal(wu_commit(db), WU_OK);
	assert_int_equal(stored, want_stored);
	json_decref(d);
}

#define ORG_DOC(rev, revs, extra)                                                                          \
	"{\"_id\":\"org:0a1b2c3d-0000-4000-8000-000000000009\",\"_rev\":\"" rev "\",\"_revisions\":" revs \
	",\"type\":\"org\",\"kind\":\"academic\",\"country\":\"GB\",\"visibility\":\"public\","            \
	"\"created\":\"2025-01-01T00:00:00Z\"" extra "}"

static int count_conflicts(const json_t *c, void *payload)
{
	(*(int *)payload)++;
	assert_int_equal(json_array_size(json_object_get(c, "revs")), 2);
	return 0;
}

/* Pulled revisions: stored once, the winner decides the record, two live
 * leaves are a conflict, a deleted leaf loses to a live one. */
static void pulled_revisions_pick_the_shared_winner(void **state)
{
	wu_db *db = *state;
	const char *id = "0a1b2c3d-0000-4000-8000-000000000009";
	store(db, ORG_DOC("1-aaaa", "{\"start\":1,\"ids\":[\"aaaa\"]}", ",\"name\":\"First\""), true);
	store(db, ORG_DOC("1-aaaa", "{\"start\":1,\"ids\":[\"aaaa\"]}", ",\"name\":\"First\""), false);
	json_t *rec = NULL;
	assert_int_equal(wu_record_get(&rec, db, id), WU_OK);
	assert_string_equal(json_string_value(json_object_get(rec, "name")), "First");
	json_decref(rec);
	/* two children of 1-aaaa: the higher signature wins, on every peer */
	store(db, ORG_DOC("2-bbbb", "{\"start\":2,\"ids\":[\"bbbb\",\"aaaa\"]}", ",\"name\":\"B\""), true);
	store(db, ORG_DOC("2-cccc", "{\"start\":2,\"ids\":[\"cccc\",\"aaaa\"]}", ",\"name\":\"C\""), true);
	assert_int_equal(wu_record_get(&rec, db, id), WU_OK);
	assert_string_equal(json_string_value(json_object_get(rec, "name")), "C");
	json_decref(rec);
	int n = 0;
	assert_int_equal(wu_conflicts(db, NULL, count_conflicts, &n), WU_OK);
	assert_int_equal(n, 1);
	/* C deleted: B, the live leaf, wins even though the tombstone is newer */
	store(db, "{\"_id\":\"org:0a1b2c3d-0000-4000-8000-000000000009\",\"_rev\":\"3-dddd\",\"_deleted\":true,"
		  "\"_revisions\":{\"start\":3,\"ids\":[\"dddd\",\"cccc\",\"aaaa\"]},\"type\":\"org\"}", true);
	assert_int_equal(wu_record_get(&rec, db, id), WU_OK);
	assert_string_equal(json_string_value(json_object_get(rec, "name")), "B");
	json_decref(rec);
	n = 0;
	assert_int_equal(wu_conflicts(db, NULL, count_conflicts, &n), WU_OK);
	assert_int_equal(n, 0);
	/* B deleted too: the record is gone */
	store(db, "{\"_id\":\"org:0a1b2c3d-0000-4000-8000-000000000009\",\"_rev\":\"3-eeee\",\"_deleted\":true,"
		  "\"_revisions\":{\"start\":3,\"ids\":[\"eeee\",\"bbbb\",\"aaaa\"]},\"type\":\"org\"}", true);
	assert_int_equal(wu_record_get(&rec, db, id), WU_ENOTFOUND);
}

static void pulled_documents_are_checked(void **state)
{
	wu_db *db = *state;
	const char *bad[] = {
		ORG_DOC("1-aaaa", "{\"start\":1,\"ids\":[\"aaaa\"]}", ",\"name\":\"X\",\"kind\":\"no-such-kind\""),
		ORG_DOC("2-aaaa", "{\"start\":1,\"ids\":[\"aaaa\"]}", ",\"name\":\"X\""),     /* start != gen */
		ORG_DOC("1-aaaa", "{\"start\":1,\"ids\":[\"bbbb\"]}", ",\"name\":\"X\""),     /* ids[0] != sig */
		ORG_DOC("1-AAAA", "{\"start\":1,\"ids\":[\"AAAA\"]}", ",\"name\":\"X\""),     /* not lowercase hex */
		"{\"_id\":\"org:0a1b2c3d-0000-4000-8000-000000000009\",\"_rev\":\"1-aaaa\",\"type\":\"project\"}",
		"{\"_id\":\"notes\",\"_rev\":\"1-aaaa\",\"type\":\"org\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *d = parse(bad[i]);
		bool stored, conflicted;
		assert_int_equal(wu_begin(db), WU_OK);
		assert_int_equal(wu__revs_store_pulled(db, d, &stored, &conflicted), WU_EINVAL);
		assert_int_equal(wu_rollback(db), WU_OK);
		json_decref(d);
	}
	json_t *rec = NULL;
	assert_int_equal(wu_record_get(&rec, db, "0a1b2c3d-0000-4000-8000-000000000009"), WU_ENOTFOUND);
}

/* The rules withus installs: a validate_doc_update function and the roles. */
static void server_rules_have_their_shape(void **state)
{
	(void)state;
	json_t *design = NULL, *security = NULL;
	assert_int_equal(wu_rules_json(&design, &security), WU_OK);
	assert_string_equal(json_string_value(json_object_get(design, "_id")), "_design/withus");
	const char *fn = json_string_value(json_object_get(design, "validate_doc_update"));
	assert_non_null(fn);
	assert_true(!strncmp(fn, "function", 8));
	assert_non_null(strstr(fn, "'withus:org:' + org"));
	json_t *members = json_object_get(json_object_get(security, "members"), "roles");
	assert_int_equal(json_array_size(members), 3);
	assert_string_equal(json_string_value(json_array_get(members, 0)), "withus:researcher");
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(security, "admins"), "roles"), 0)),
			    "withus:admin");
	json_decref(design);
	json_decref(security);
}

/* A batch size out of range is refused before anything is read or sent. */
static void sync_refuses_a_bad_batch_size(void **state)
{
	wu_db *db = *state;
	wu_sync_opts o = { .batch_size = 10001 };
	wu_sync_stats st;
	assert_int_equal(wu_sync(&st, db, NULL, &o), WU_EINVAL);
	assert_non_null(strstr(wu_errmsg(db), "batch size"));
	o.batch_size = -1;
	assert_int_equal(wu_sync(&st, db, NULL, &o), WU_EINVAL);
	o.batch_size = 50;
	assert_int_equal(wu_sync(&st, db, NULL, &o), WU_ENOTFOUND); /* no remote: the next check */
}

/* A scripted server: each request takes the next answer, and is logged. */
struct script {
	const char *const *answers; /* "NNN body" */
	size_t n, next;
	char log[16][96];
};

static int scripted(const char *method, const char *url, const char *body, long *status, char **resp, size_t *len,
		    void *payload)
{
	(void)body;
	struct script *s = payload;
	if (s->next >= s->n)
		return 1; /* the connection fails */
	const char *a = s->answers[s->next];
	if (s->next < 16)
		snprintf(s->log[s->next], sizeof s->log[0], "%s %s", method, strstr(url, "/hub") ? strstr(url, "/hub") : url);
	s->next++;
	*status = strtol(a, NULL, 10);
	*resp = strdup(a + 4);
	*len = strlen(a + 4);
	return *resp ? 0 : 1;
}

/* A whole pull through the transport hook: the records arrive, the
 * checkpoint is written, and a foreign document is left alone. */
static void sync_through_a_scripted_server(void **state)
{
	wu_db *db = *state;
	static const char *const answers[] = {
		"200 {\"couchdb\":\"Welcome\",\"version\":\"3.3.3\"}",
		"200 {\"db_name\":\"hub\",\"doc_count\":2,\"doc_del_count\":0}",
		"404 {\"error\":\"not_found\"}",
		"404 {\"error\":\"not_found\"}",
		"200 {\"results\":[{\"seq\":\"1-a\",\"id\":\"org:55555555-5555-4555-8555-555555555555\",\"changes\":[{\"rev\":\"1-0123456789abcdef0123456789abcdef\"}]},"
		"{\"seq\":\"2-b\",\"id\":\"not/ours\",\"changes\":[{\"rev\":\"1-aa\"}]}],\"last_seq\":\"2-b\"}",
		"200 {\"results\":[{\"id\":\"org:55555555-5555-4555-8555-555555555555\",\"docs\":[{\"ok\":{"
		"\"_id\":\"org:55555555-5555-4555-8555-555555555555\",\"_rev\":\"1-0123456789abcdef0123456789abcdef\","
		"\"_revisions\":{\"start\":1,\"ids\":[\"0123456789abcdef0123456789abcdef\"]},\"type\":\"org\",\"name\":\"Lotus\","
		"\"kind\":\"sex-worker-led\",\"country\":\"TH\",\"visibility\":\"public\",\"created\":\"2025-01-01T00:00:00Z\"}}]}]}",
		"200 {\"results\":[],\"last_seq\":\"2-b\"}",
		"201 {\"ok\":true,\"id\":\"_local/x\",\"rev\":\"0-1\"}",
	};
	struct script s = { answers, sizeof answers / sizeof answers[0], 0, { { 0 } } };
	wu_remote r = { .name = "hub", .url = "http://127.0.0.1:5984/hub", .auth = "none" };
	assert_int_equal(wu_remote_add(db, &r, 0), WU_OK);
	wu_sync_opts o = { .transport = scripted, .payload = &s, .retry_base_ms = 1 };
	wu_sync_stats st;
	assert_int_equal(wu_sync(&st, db, "hub", &o), WU_OK);
	assert_int_equal(st.received, 1);
	assert_int_equal(st.ignored, 1);
	assert_int_equal(s.next, s.n); /* every answer used, no request more */
	assert_string_equal(s.log[4], "GET /hub/_changes?feed=normal&style=all_docs&since=0&limit=500");
	assert_non_null(strstr(s.log[7], "PUT /hub/_local/")); /* the pull checkpoint, at the end */
	json_t *org = NULL;
	assert_int_equal(wu_record_get(&org, db, "55555555-5555-4555-8555-555555555555"), WU_OK);
	assert_string_equal(json_string_value(json_object_get(org, "name")), "Lotus");
	json_decref(org);
	/* the answers run out: a network error, after the retries */
	s.next = 0;
	s.n = 2;
	assert_int_equal(wu_sync(&st, db, "hub", &o), WU_ENET);
}

/* A revision id is the MD5 of the canonical text: withus's own writer must
 * give jansson's text byte for byte, on every demo record and on values
 * made to be awkward. */
static int same_as_jansson(const json_t *rec, void *payload)
{
	int *n = payload;
	char *mine = wu__canonical(rec), *theirs = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(mine);
	assert_non_null(theirs);
	assert_string_equal(mine, theirs);
	free(mine);
	free(theirs);
	(*n)++;
	return 0;
}

static void canonical_text_is_janssons(void **state)
{
	wu_db *db = *state;
	uint64_t loaded;
	assert_int_equal(wu_demo_load(&loaded, db), WU_OK);
	int n = 0;
	for (size_t i = 0; i < wu_type_count(); i++)
		assert_int_equal(wu_record_list(db, wu_type_at(i)->name, NULL, same_as_jansson, &n), WU_OK);
	assert_int_equal((uint64_t)n, loaded);
	static const char *const awkward[] = {
		"{}", "[]", "{\"b\":1,\"a\":{},\"_z\":[],\"B\":null,\"ab\":true,\"a b\":false}",
		"{\"s\":\"quote \\\" backslash \\\\ slash / tab \\t nl \\n cr \\r bell \\u0007 del \\u007f\"}",
		"{\"u\":\"caf\u00e9 \u2014 \U0001F600\",\"esc\":\"\\u00e9\\u2028\"}",
		"{\"n\":[0,-1,9223372036854775807,-9223372036854775808]}",
		"{\"r\":1.5,\"big\":1e300}", "{\"nul\":\"a\\u0000b\"}",
		"{\"deep\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}",
	};
	for (size_t i = 0; i < sizeof awkward / sizeof awkward[0]; i++) {
		json_error_t err;
		json_t *v = json_loads(awkward[i], JSON_ALLOW_NUL, &err);
		if (!v)
			fail_msg("%s: %s", awkward[i], err.text);
		same_as_jansson(v, &n);
		json_decref(v);
	}
	json_t *wide = json_object(); /* more keys than the writer sorts itself */
	for (int i = 0; i < 100; i++) {
		char k[16];
		snprintf(k, sizeof k, "k%03d", (i * 37) % 100);
		json_object_set_new(wide, k, json_integer(i));
	}
	same_as_jansson(wide, &n);
	json_decref(wide);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(md5_matches_rfc_1321),
		cmocka_unit_test(md5_streams),
		cmocka_unit_test(revision_ids_parse),
		cmocka_unit_test_setup_teardown(share_body_withholds, db_setup, db_teardown),
		cmocka_unit_test(identical_records_make_identical_revisions),
		cmocka_unit_test_setup_teardown(pulled_revisions_pick_the_shared_winner, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(pulled_documents_are_checked, db_setup, db_teardown),
		cmocka_unit_test(server_rules_have_their_shape),
		cmocka_unit_test_setup_teardown(canonical_text_is_janssons, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(documents_are_numbered_by_their_first_history_row, db_setup, db_teardown),
		cmocka_unit_test(version_7_documents_migrate),
		cmocka_unit_test_setup_teardown(sync_refuses_a_bad_batch_size, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(sync_through_a_scripted_server, db_setup, db_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
