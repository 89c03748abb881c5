/*
 * revs.c - documents and their revision trees, as CouchDB keeps them.
 *
 * A record that may leave this machine is the document "TYPE:UUID". Its
 * revisions form a tree (rev.parent); the leaves are the current versions,
 * and every peer picks the same winner among them without talking: live
 * leaves beat deleted ones, then the highest generation, then the highest
 * signature. The record table holds the winner.
 *
 * Revision ids are "N-sig" with sig = MD5(parent rev, NUL, deleted flag,
 * NUL, canonical body): two peers that make the same edit make the same
 * revision, so identical edits never conflict.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "sync.h"

enum {
	S_DOC_UNLINKED, S_DOC_LINKED, S_HISTORY_FIRST, S_EVER_DELETED, S_DOC_INSERT, S_DOC_SET, S_REV_FIND, S_REV_INSERT, S_REV_UNLEAF, S_REV_GET,
	S_LEAVES, S_WINNER_BODY, S_HISTORY_SINCE, S_PROJECT_VIS, S_OUTPUT_VIS, S_META_GET, S_META_SET,
	S_REV_LINK, S_DOC_FIRST, S_HISTORY_TOP, S_COUNT
};
_Static_assert(S_COUNT <= sizeof ((wu_db *)0)->sync_stmts / sizeof(sqlite3_stmt *), "wu_db.sync_stmts is too small");

static const char *const stmt_sql[] = {
	[S_DOC_UNLINKED] = "SELECT pk, winner, deleted FROM doc WHERE doc_id = ?1 AND pk < 0",
	[S_DOC_LINKED] = "SELECT pk, winner, deleted FROM doc WHERE pk = ?1 AND type = ?2",
	[S_HISTORY_FIRST] = "SELECT seq FROM history WHERE id = ?1 AND type = ?2 ORDER BY seq LIMIT 1",
	[S_EVER_DELETED] = "SELECT 1 FROM history WHERE id = ?1 AND op = 'delete' LIMIT 1",
	[S_DOC_INSERT] = "INSERT INTO doc (pk, doc_id, type, local_seq) "
			 "VALUES (coalesce(?3, min((SELECT coalesce(min(pk), 0) FROM doc), 0) - 1), ?1, ?2, "
			 "(SELECT coalesce(max(local_seq), 0) + 1 FROM doc))",
	[S_DOC_SET] = "UPDATE doc SET winner = ?2, deleted = ?3, conflicted = ?4, "
		      "local_seq = (SELECT coalesce(max(local_seq), 0) + 1 FROM doc) WHERE pk = ?1",
	[S_REV_FIND] = "SELECT pk FROM rev WHERE doc = ?1 AND gen = ?2 AND sig = ?3",
	[S_REV_INSERT] = "INSERT INTO rev (doc, parent, gen, sig, deleted, leaf, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_REV_UNLEAF] = "UPDATE rev SET leaf = 0, body = NULL WHERE pk = ?1 AND leaf",
	[S_REV_GET] = "SELECT parent, gen, sig, deleted, body FROM rev WHERE pk = ?1",
	[S_LEAVES] = "SELECT pk, gen, sig, deleted FROM rev WHERE doc = ?1 AND leaf "
		     "ORDER BY deleted ASC, gen DESC, sig DESC",
	[S_WINNER_BODY] = "SELECT r.body, r.deleted FROM doc d JOIN rev r ON r.pk = d.winner WHERE d.pk = ?1",
	/* per record: its last row, whether its first row here is a create,
	 * and where its newest create put it */
	[S_HISTORY_SINCE] = "SELECT type, id, max(seq), min(seq), min(seq) = min(CASE WHEN op = 'create' THEN seq END), "
			    "max(CASE WHEN op = 'create' THEN rec END) "
			    "FROM history WHERE seq > ?1 AND seq <= ?2 GROUP BY type, id ORDER BY 3",
	[S_PROJECT_VIS] = "SELECT visibility FROM project WHERE id = ?1",
	[S_OUTPUT_VIS] = "SELECT p.visibility FROM output o JOIN project p ON p.id = o.project WHERE o.id = ?1",
	[S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[S_META_SET] = "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
	[S_REV_LINK] = "SELECT parent, sig FROM rev WHERE pk = ?1",
	[S_DOC_FIRST] = "UPDATE doc SET winner = ?2 WHERE pk = ?1",
	[S_HISTORY_TOP] = "SELECT coalesce(max(seq), 0) FROM history",
};

/* The cached statement `which`, reset and unbound, ready to bind. */
static int stmt(wu_db *db, int which, sqlite3_stmt **out)
{
	sqlite3_stmt **slot = &db->sync_stmts[which];
	if (!*slot) {
		int rc = wu__prepare(db, slot, stmt_sql[which]);
		if (rc)
			return rc;
	}
	sqlite3_reset(*slot);
	sqlite3_clear_bindings(*slot);
	*out = *slot;
	return WU_OK;
}

/* Steps a statement that returns no row. */
static int exec_done(wu_db *db, sqlite3_stmt *st, const char *what)
{
	int s = sqlite3_step(st);
	sqlite3_reset(st);
	return s == SQLITE_DONE ? WU_OK : wu__err_sql(db, what);
}

bool wu__rev_parse(const char *rev, int64_t *gen, char sig[33])
{
	char *end;
	if (!rev || *rev < '1' || *rev > '9')
		return false;
	long long g = strtoll(rev, &end, 10);
	if (*end != '-' || g < 1 || strlen(end + 1) == 0 || strlen(end + 1) > 32)
		return false;
	for (const char *p = end + 1; *p; p++)
		if (!strchr("0123456789abcdef", *p))
			return false;
	*gen = g;
	snprintf(sig, 33, "%s", end + 1);
	return true;
}

const wu_type *wu__doc_split(const char *doc_id, char id[37])
{
	const char *colon = doc_id ? strchr(doc_id, ':') : NULL;
	if (!colon || colon - doc_id > 31 || !wu__id_valid(colon + 1))
		return NULL;
	char type[32];
	memcpy(type, doc_id, (size_t)(colon - doc_id));
	type[colon - doc_id] = '\0';
	snprintf(id, 37, "%s", colon + 1);
	return wu_type_find(type);
}

/* ---- what may be shared ------------------------------------------------------- */

static int visibility_of_project(wu_db *db, int which, const char *key, bool *shared)
{
	sqlite3_stmt *st;
	int rc = stmt(db, which, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	*shared = s == SQLITE_ROW && sqlite3_column_text(st, 0) &&
		  !strcmp((const char *)sqlite3_column_text(st, 0), "shared");
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot read a project's visibility");
	sqlite3_reset(st);
	return rc;
}

static int shareable(wu_db *db, const wu_type *t, const json_t *rec, bool *out)
{
	const char *vis = json_string_value(json_object_get(rec, "visibility"));
	*out = false;
	if (!strcmp(t->name, "org")) {
		*out = vis && (!strcmp(vis, "public") || !strcmp(vis, "alias"));
		return WU_OK;
	}
	if (vis && strcmp(vis, "inherit")) {
		*out = !strcmp(vis, "shared");
		return WU_OK;
	}
	const char *project = json_string_value(json_object_get(rec, "project"));
	if (project)
		return visibility_of_project(db, S_PROJECT_VIS, project, out);
	const char *output = json_string_value(json_object_get(rec, "output"));
	if (output)
		return visibility_of_project(db, S_OUTPUT_VIS, output, out);
	return WU_OK;
}

/* What wu__share_body does, to `body`, which it takes (NULL when the record
 * may not leave). */
static int share_in_place(wu_db *db, const wu_type *t, json_t *body, json_t **out)
{
	bool ok;
	*out = NULL;
	int rc = shareable(db, t, body, &ok);
	if (rc || !ok) {
		json_decref(body);
		return rc;
	}
	/* The id is the document's; 'updated' differs between peers that make
	 * the same edit; notes are this machine's working notes; an org's name
	 * leaves only when the org is public. */
	json_object_del(body, "id");
	json_object_del(body, "updated");
	json_object_del(body, "note");
	const char *vis = json_string_value(json_object_get(body, "visibility"));
	if (!strcmp(t->name, "org") && strcmp(vis, "public"))
		json_object_del(body, "name");
	*out = body;
	return WU_OK;
}

int wu__share_body(wu_db *db, const wu_type *t, const json_t *rec, json_t **out)
{
	json_t *body = json_deep_copy(rec);
	*out = NULL;
	return body ? share_in_place(db, t, body, out) : wu__err_nomem(db);
}

/* Appends `v` exactly as json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS)
 * writes it (strings are escaped by jansson itself when they need it).
 * False for what it leaves to jansson (a real, a string with a NUL, very
 * wide or deep values) and when memory runs out. A revision id is the MD5
 * of this text, so it must never differ from jansson's by one byte. */
static bool canon_add(struct wu_buf *b, const json_t *v, int depth)
{
	enum { WIDE = 64 };
	if (depth > 16)
		return false;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *keys[WIDE];
		size_t n = 0;
		const char *k;
		json_t *x;
		if (json_object_size(v) > WIDE)
			return false;
		json_object_foreach((json_t *)v, k, x) {
			size_t i = n++;
			for (; i > 0 && strcmp(keys[i - 1], k) > 0; i--) /* insertion sort: a few keys */
				keys[i] = keys[i - 1];
			keys[i] = k;
		}
		bool ok = wu__buf_add(b, "{", 1);
		for (size_t i = 0; ok && i < n; i++)
			ok = (i == 0 || wu__buf_add(b, ",", 1)) && wu__buf_add_jstr(b, keys[i]) && wu__buf_add(b, ":", 1) &&
			     canon_add(b, json_object_get(v, keys[i]), depth + 1);
		return ok && wu__buf_add(b, "}", 1);
	}
	case JSON_ARRAY: {
		bool ok = wu__buf_add(b, "[", 1);
		for (size_t i = 0; ok && i < json_array_size(v); i++)
			ok = (i == 0 || wu__buf_add(b, ",", 1)) && canon_add(b, json_array_get(v, i), depth + 1);
		return ok && wu__buf_add(b, "]", 1);
	}
	case JSON_STRING:
		return strlen(json_string_value(v)) == json_string_length(v) && wu__buf_add_jstr(b, json_string_value(v));
	case JSON_INTEGER: {
		char n[32];
		snprintf(n, sizeof n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return wu__buf_adds(b, n);
	}
	case JSON_TRUE: return wu__buf_adds(b, "true");
	case JSON_FALSE: return wu__buf_adds(b, "false");
	case JSON_NULL: return wu__buf_adds(b, "null");
	default: return false;
	}
}

/* The canonical text of a body (malloc'd): what a revision id is made of. */
char *wu__canonical(const json_t *body)
{
	struct wu_buf b = { 0 };
	if (canon_add(&b, body, 0))
		return b.data; /* never NULL here: "{}" at least */
	wu__buf_free(&b);
	return json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
}

/* ---- the tree --------------------------------------------------------------- */

/* A document is found one of two ways (sql/008-doc-origin.sql): by its
 * pk, the seq of its record's first history row ("origin"), when the
 * record had history when the document was made (every local record);
 * else (pk < 0) by its _id. doc_find_from tries both. */
struct doc_row {
	int64_t pk;
	int64_t winner;  /* 0: none yet */
	bool deleted;
	int64_t origin;  /* doc_find's answer even when not found: 0 for none */
};

/* Steps a statement that answers (pk, winner, deleted) or nothing. */
static int doc_read(wu_db *db, sqlite3_stmt *st, struct doc_row *d, bool *found)
{
	int s = sqlite3_step(st);
	*found = s == SQLITE_ROW;
	if (*found) {
		d->pk = sqlite3_column_int64(st, 0);
		d->winner = sqlite3_column_int64(st, 1);
		d->deleted = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	return *found || s == SQLITE_DONE ? WU_OK : wu__err_sql(db, "cannot read a document");
}

/* Steps a history query bound to id (and type): its first column, or 0. */
static int history_int(wu_db *db, int which, const char *id, const char *type, int64_t *out)
{
	sqlite3_stmt *st;
	int rc = stmt(db, which, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (type)
		sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	*out = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return s == SQLITE_ROW || s == SQLITE_DONE ? WU_OK : wu__err_sql(db, "cannot read the history");
}

/* The document `doc_id`. `created`: the seq of a create in history that
 * is the first row of this record the caller has seen, or 0. If the id
 * was never deleted, nothing came before that create, so it is the origin
 * (sql/008-doc-origin.sql); else the history is searched for the first row. */
static int doc_find_from(wu_db *db, const char *doc_id, int64_t created, struct doc_row *d, bool *found)
{
	sqlite3_stmt *st;
	d->origin = 0;
	int rc = stmt(db, S_DOC_UNLINKED, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, doc_id, -1, SQLITE_STATIC);
	rc = doc_read(db, st, d, found);
	char id[37];
	const wu_type *t = rc || *found ? NULL : wu__doc_split(doc_id, id);
	if (!t)
		return rc;
	int64_t deleted = 1;
	if (created && (rc = history_int(db, S_EVER_DELETED, id, NULL, &deleted)))
		return rc;
	if (!deleted)
		d->origin = created;
	else if ((rc = history_int(db, S_HISTORY_FIRST, id, t->name, &d->origin)))
		return rc;
	if (!d->origin)
		return WU_OK;
	if ((rc = stmt(db, S_DOC_LINKED, &st)))
		return rc;
	sqlite3_bind_int64(st, 1, d->origin);
	sqlite3_bind_text(st, 2, t->name, -1, SQLITE_STATIC);
	return doc_read(db, st, d, found);
}

static int doc_find(wu_db *db, const char *doc_id, struct doc_row *d, bool *found)
{
	return doc_find_from(db, doc_id, 0, d, found);
}

/* A new document; d->origin is doc_find's, which has just missed it: the
 * pk, or 0 for the next negative one. */
static int doc_create(wu_db *db, const char *doc_id, const char *type, struct doc_row *d)
{
	sqlite3_stmt *st;
	int rc = stmt(db, S_DOC_INSERT, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, doc_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	if (d->origin)
		sqlite3_bind_int64(st, 3, d->origin);
	rc = exec_done(db, st, "cannot store a document");
	d->pk = sqlite3_last_insert_rowid(db->sql);
	d->winner = 0;
	d->deleted = false;
	return rc;
}

struct rev_row {
	int64_t parent;
	int64_t gen;
	char sig[33];
	bool deleted;
	char *body;  /* sqlite3_malloc'd, or NULL */
};

static int rev_get(wu_db *db, int64_t pk, struct rev_row *r)
{
	sqlite3_stmt *st;
	int rc = stmt(db, S_REV_GET, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, pk);
	memset(r, 0, sizeof *r);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		r->parent = sqlite3_column_int64(st, 0);
		r->gen = sqlite3_column_int64(st, 1);
		snprintf(r->sig, sizeof r->sig, "%s", (const char *)sqlite3_column_text(st, 2));
		r->deleted = sqlite3_column_int(st, 3);
		if (sqlite3_column_type(st, 4) != SQLITE_NULL &&
		    !(r->body = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(st, 4))))
			rc = wu__err_nomem(db);
	} else {
		rc = s == SQLITE_DONE ? wu__err(db, WU_EDB, "revision %lld is missing", (long long)pk)
				      : wu__err_sql(db, "cannot read a revision");
	}
	sqlite3_reset(st);
	return rc;
}

static int rev_find(wu_db *db, int64_t doc, int64_t gen, const char *sig, int64_t *pk)
{
	sqlite3_stmt *st;
	int rc = stmt(db, S_REV_FIND, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, doc);
	sqlite3_bind_int64(st, 2, gen);
	sqlite3_bind_text(st, 3, sig, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	*pk = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot look up a revision");
	sqlite3_reset(st);
	return rc;
}

/* Inserts one revision; a leaf keeps its body and unleafs its parent. */
static int rev_insert(wu_db *db, int64_t doc, int64_t parent, int64_t gen, const char *sig, bool deleted,
		      bool leaf, const char *body, int64_t *pk)
{
	sqlite3_stmt *st;
	int rc = stmt(db, S_REV_INSERT, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, doc);
	if (parent)
		sqlite3_bind_int64(st, 2, parent);
	sqlite3_bind_int64(st, 3, gen);
	sqlite3_bind_text(st, 4, sig, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, deleted);
	sqlite3_bind_int(st, 6, leaf);
	if (leaf && body)
		sqlite3_bind_text(st, 7, body, -1, SQLITE_STATIC);
	rc = exec_done(db, st, "cannot store a revision");
	*pk = sqlite3_last_insert_rowid(db->sql);
	if (!rc && parent) {
		rc = stmt(db, S_REV_UNLEAF, &st);
		if (!rc) {
			sqlite3_bind_int64(st, 1, parent);
			rc = exec_done(db, st, "cannot update a revision");
		}
	}
	return rc;
}

/* Picks the winner among the leaves and records it; bumps local_seq so
 * that the next push looks at this document. */
static int doc_settle(wu_db *db, int64_t doc, int64_t *winner, bool *deleted, bool *conflicted)
{
	sqlite3_stmt *st;
	int rc = stmt(db, S_LEAVES, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, doc);
	int live = 0, s;
	*winner = 0;
	*deleted = true;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (!*winner) {
			*winner = sqlite3_column_int64(st, 0);
			*deleted = sqlite3_column_int(st, 3);
		}
		live += !sqlite3_column_int(st, 3);
	}
	sqlite3_reset(st);
	if (s != SQLITE_DONE)
		return wu__err_sql(db, "cannot read the leaves of a document");
	*conflicted = live > 1;
	rc = stmt(db, S_DOC_SET, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, doc);
	sqlite3_bind_int64(st, 2, *winner);
	sqlite3_bind_int(st, 3, *deleted);
	sqlite3_bind_int(st, 4, *conflicted);
	return exec_done(db, st, "cannot update a document");
}

static void rev_sig(char out[33], const char *parent_rev, bool deleted, const char *body)
{
	struct wu_md5 c;
	wu__md5_init(&c);
	wu__md5_update(&c, parent_rev, strlen(parent_rev));
	wu__md5_update(&c, deleted ? "\0" "1\0" : "\0" "0\0", 3);
	wu__md5_update(&c, body, strlen(body));
	wu__md5_hex(&c, out);
}

/* A local edit: a new revision, child of the winner (or the first). */
static int add_local_rev(wu_db *db, struct doc_row *d, bool deleted, const char *body)
{
	char parent_rev[64] = "", sig[33];
	int64_t gen = 1, pk;
	if (d->winner) {
		struct rev_row w = { 0 };
		int rc = rev_get(db, d->winner, &w);
		sqlite3_free(w.body);
		if (rc)
			return rc;
		snprintf(parent_rev, sizeof parent_rev, "%lld-%s", (long long)w.gen, w.sig);
		gen = w.gen + 1;
	}
	rev_sig(sig, parent_rev, deleted, body);
	int rc = rev_insert(db, d->pk, d->winner, gen, sig, deleted, true, body, &pk);
	bool del = deleted, conflicted = false;
	if (!rc && !d->winner && !deleted) {
		/* a new document's first revision is its only leaf: it wins, and
		 * doc_create already gave the document its place in the feed */
		sqlite3_stmt *st;
		if (!(rc = stmt(db, S_DOC_FIRST, &st))) {
			sqlite3_bind_int64(st, 1, d->pk);
			sqlite3_bind_int64(st, 2, pk);
			rc = exec_done(db, st, "cannot update a document");
			d->winner = pk;
		}
	} else if (!rc) {
		rc = doc_settle(db, d->pk, &d->winner, &del, &conflicted);
	}
	if (!rc)
		d->deleted = del;
	return rc;
}

static int winner_body(wu_db *db, int64_t doc, char **body, bool *deleted)
{
	sqlite3_stmt *st;
	int rc = stmt(db, S_WINNER_BODY, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, doc);
	*body = NULL;
	*deleted = true;
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*deleted = sqlite3_column_int(st, 1);
		if (sqlite3_column_type(st, 0) != SQLITE_NULL &&
		    !(*body = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(st, 0))))
			rc = wu__err_nomem(db);
	} else if (s != SQLITE_DONE) {
		rc = wu__err_sql(db, "cannot read a winning revision");
	}
	sqlite3_reset(st);
	return rc;
}

static char *tombstone_body(const wu_type *t)
{
	json_t *b = json_pack("{ss}", "type", t->name);
	char *s = b ? wu__canonical(b) : NULL;
	json_decref(b);
	return s;
}

/* What the history says of a record in a catch-up's window: created, as
 * for doc_find_from, and rowid, where its newest create put it (or 0). */
struct window_row {
	int64_t created;
	int64_t rowid;
};

/* Brings document TYPE:id up to date with the record as it is now, once
 * per pass (`done`: the documents this pass already brought up to date).
 * *flipped: whether the record went from shared to not, or back. */
static int catch_up_record(wu_db *db, json_t *done, const wu_type *t, const char *id, struct window_row w,
			   bool *flipped)
{
	json_t *rec = NULL, *body = NULL;
	char doc_id[80];
	snprintf(doc_id, sizeof doc_id, "%s:%s", t->name, id);
	*flipped = false;
	if (json_object_get(done, doc_id))
		return WU_OK;
	if (json_object_set_new(done, doc_id, json_true()))
		return wu__err_nomem(db);
	int rc = wu__record_get_at(&rec, db, t, id, w.rowid);
	if (rc == WU_ENOTFOUND) {
		wu__err_clear(db);
		rc = WU_OK;
	} else if (!rc) {
		rc = share_in_place(db, t, rec, &body);
		rec = NULL;
	}
	json_decref(rec);
	struct doc_row d;
	bool found = false;
	if (!rc)
		rc = doc_find_from(db, doc_id, w.created, &d, &found);
	char *text = NULL, *current = NULL;
	bool current_deleted = true;
	if (!rc && body && !(text = wu__canonical(body)))
		rc = wu__err_nomem(db);
	json_decref(body);
	if (!rc && found)
		rc = winner_body(db, d.pk, &current, &current_deleted);
	if (!rc && !text && found && !current_deleted) {
		char *tomb = tombstone_body(t);
		rc = tomb ? add_local_rev(db, &d, true, tomb) : wu__err_nomem(db);
		free(tomb);
	} else if (!rc && text && (!found || current_deleted || !current || strcmp(current, text))) {
		if (!found)
			rc = doc_create(db, doc_id, t->name, &d);
		if (!rc)
			rc = add_local_rev(db, &d, false, text);
	}
	*flipped = (found && !current_deleted) != (text != NULL);
	free(text);
	sqlite3_free(current);
	return rc;
}

/* A project's or output's visibility decides its inherit records': when it
 * flips, so may theirs. Those with history in this pass or after it (seq
 * > `mark`) are brought up to date in their own turn; this reaches the
 * others, so a new project with many new records costs no extra pass. */
static int catch_up_dependants(wu_db *db, json_t *done, const wu_type *t, const char *id, int64_t mark)
{
	bool is_project = !strcmp(t->name, "project");
	if (!is_project && strcmp(t->name, "output"))
		return WU_OK;
	for (size_t i = 0; i < wu_type_count(); i++) {
		const wu_type *dt = wu_type_at(i);
		const char *link = is_project ? "project" : "output";
		if (!wu_field_find(dt, link) || dt == t)
			continue;
		char *sql = sqlite3_mprintf("SELECT id FROM \"%w\" x WHERE \"%w\" = ?1 AND NOT EXISTS "
					    "(SELECT 1 FROM history h WHERE h.id = x.id AND h.seq > ?2)",
					    dt->name, link);
		sqlite3_stmt *st = NULL;
		int rc = sql ? wu__prepare(db, &st, sql) : wu__err_nomem(db);
		sqlite3_free(sql);
		if (rc)
			return rc;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, mark);
		int s;
		while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
			char child[37];
			snprintf(child, sizeof child, "%s", (const char *)sqlite3_column_text(st, 0));
			bool flipped;
			rc = catch_up_record(db, done, dt, child, (struct window_row){ 0, 0 }, &flipped);
			if (!rc && flipped)
				rc = catch_up_dependants(db, done, dt, child, mark);
		}
		if (!rc && s != SQLITE_DONE)
			rc = wu__err_sql(db, "cannot list dependent records");
		sqlite3_finalize(st);
		if (rc)
			return rc;
	}
	return WU_OK;
}

static int meta_int(wu_db *db, const char *key, int64_t *out)
{
	sqlite3_stmt *st;
	int rc = stmt(db, S_META_GET, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	*out = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot read meta");
	sqlite3_reset(st);
	return rc;
}

static int meta_set_int(wu_db *db, const char *key, int64_t v)
{
	sqlite3_stmt *st;
	int rc = stmt(db, S_META_SET, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, v);
	return exec_done(db, st, "cannot write meta");
}

static int history_top(wu_db *db, int64_t *top)
{
	sqlite3_stmt *st;
	int rc = stmt(db, S_HISTORY_TOP, &st);
	if (rc)
		return rc;
	int s = sqlite3_step(st);
	*top = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return s == SQLITE_ROW ? WU_OK : wu__err_sql(db, "cannot read the history");
}

int wu__revs_catch_up_step(wu_db *db, int64_t rows, bool *more)
{
	int64_t mark, top;
	*more = false;
	int rc = meta_int(db, "rev_mark", &mark);
	if (!rc)
		rc = history_top(db, &top);
	if (rc || top <= mark)
		return rc;
	int64_t hi = rows > 0 && top - mark > rows ? mark + rows : top;
	/* Its own statement: catch_up_record uses the cached ones meanwhile. */
	sqlite3_stmt *st = NULL;
	rc = wu__prepare(db, &st, stmt_sql[S_HISTORY_SINCE]);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, mark);
	sqlite3_bind_int64(st, 2, hi);
	json_t *done = json_object();
	int s = SQLITE_DONE;
	if (!done)
		rc = wu__err_nomem(db);
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		const wu_type *t = wu_type_find((const char *)sqlite3_column_text(st, 0));
		char id[37];
		bool flipped = false;
		snprintf(id, sizeof id, "%s", (const char *)sqlite3_column_text(st, 1));
		struct window_row w = { sqlite3_column_int(st, 4) ? sqlite3_column_int64(st, 3) : 0,
					sqlite3_column_int64(st, 5) };
		if (t)
			rc = catch_up_record(db, done, t, id, w, &flipped);
		if (!rc && flipped)
			rc = catch_up_dependants(db, done, t, id, mark);
	}
	if (!rc && s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot read the history");
	sqlite3_finalize(st);
	json_decref(done);
	if (!rc)
		rc = meta_set_int(db, "rev_mark", hi);
	if (!rc)
		*more = hi < top;
	return rc;
}

int wu__revs_catch_up(wu_db *db)
{
	bool more;
	return wu__revs_catch_up_step(db, 0, &more);
}

/* ---- pulled revisions ------------------------------------------------------- */

/* The record a pulled live body stands for here: the body, its id, a fresh
 * 'updated', and what this machine keeps to itself (notes; an org's name
 * when only its alias is shared). */
static json_t *merged_record(wu_db *db, const wu_type *t, const char *id, const json_t *body)
{
	json_t *rec = json_deep_copy(body), *local = NULL;
	if (!rec)
		return NULL;
	const char *key;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(rec, tmp, key, v) {
		if (key[0] == '_')
			json_object_del(rec, key);
	}
	char now[32];
	wu__now(now);
	json_object_set_new(rec, "id", json_string(id));
	json_object_set_new(rec, "updated", json_string(now));
	json_object_set_new(rec, "type", json_string(t->name));
	if (wu_record_get(&local, db, id) == WU_OK) {
		const char *kept[] = { "note", "name" };
		for (int i = 0; i < 2; i++)
			if (!json_object_get(rec, kept[i]) && json_object_get(local, kept[i]))
				json_object_set(rec, kept[i], json_object_get(local, kept[i]));
	}
	wu__err_clear(db);
	json_decref(local);
	if (!strcmp(t->name, "org") && !json_object_get(rec, "name")) {
		/* A new org whose name stayed with its owner: its alias, or its id. */
		const char *alias = json_string_value(json_object_get(rec, "alias"));
		char fallback[48];
		snprintf(fallback, sizeof fallback, "organisation %.8s", id);
		json_object_set_new(rec, "name", json_string(alias ? alias : fallback));
	}
	return rec;
}

static int apply_winner(wu_db *db, const wu_type *t, const char *id, int64_t doc)
{
	char *body = NULL;
	bool deleted;
	int rc = winner_body(db, doc, &body, &deleted);
	if (rc)
		return rc;
	if (deleted || !body) {
		sqlite3_free(body);
		return wu__record_remove(db, t, id);
	}
	/* A record its owner made private here stays as it is: another peer's
	 * edit must not share it again. The next sync withdraws it once more. */
	json_t *local = NULL, *shared = NULL;
	if (wu_record_get(&local, db, id) == WU_OK) {
		rc = wu__share_body(db, t, local, &shared);
		json_decref(local);
		json_decref(shared);
		if (rc || !shared) {
			sqlite3_free(body);
			return rc;
		}
	}
	wu__err_clear(db);
	json_error_t err;
	json_t *b = json_loads(body, 0, &err);
	sqlite3_free(body);
	json_t *rec = b ? merged_record(db, t, id, b) : NULL;
	json_decref(b);
	rc = rec ? wu__record_replace(db, t, rec) : wu__err_nomem(db);
	json_decref(rec);
	return rc;
}

/* The parts of a pulled document: revision path (newest first) and body. */
struct pulled {
	const wu_type *t;
	char id[37];
	int64_t start;
	const json_t *ids;   /* borrowed, or NULL: only _rev */
	char sig[33];
	bool deleted;
	char *body;          /* canonical, without _ keys */
};

static int pulled_parse(wu_db *db, const json_t *doc, struct pulled *p)
{
	const char *doc_id = json_string_value(json_object_get(doc, "_id"));
	const char *rev = json_string_value(json_object_get(doc, "_rev"));
	memset(p, 0, sizeof *p);
	if (!(p->t = wu__doc_split(doc_id, p->id)))
		return wu__err(db, WU_EINVAL, "_id: '%s' is not a withus record (TYPE:UUID)", doc_id ? doc_id : "(none)");
	if (!wu__rev_parse(rev, &p->start, p->sig))
		return wu__err(db, WU_EINVAL, "%s: _rev '%s' is not a revision id", doc_id, rev ? rev : "(none)");
	const json_t *revs = json_object_get(doc, "_revisions");
	if (revs) {
		p->ids = json_object_get(revs, "ids");
		json_int_t start = json_integer_value(json_object_get(revs, "start"));
		if (!json_is_array(p->ids) || json_array_size(p->ids) == 0 || start != p->start ||
		    strcmp(json_string_value(json_array_get(p->ids, 0)) ? json_string_value(json_array_get(p->ids, 0)) : "",
			   p->sig) || (json_int_t)json_array_size(p->ids) > start)
			return wu__err(db, WU_EINVAL, "%s: _revisions does not match _rev %s", doc_id, rev);
	}
	p->deleted = json_is_true(json_object_get(doc, "_deleted"));
	json_t *body = json_object();
	if (!body)
		return wu__err_nomem(db);
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)doc, key, v) {
		if (key[0] != '_' && json_object_set(body, key, v)) {
			json_decref(body);
			return wu__err_nomem(db);
		}
	}
	const char *type = json_string_value(json_object_get(body, "type"));
	if (!type || strcmp(type, p->t->name)) {
		json_decref(body);
		return wu__err(db, WU_EINVAL, "%s: type '%s' does not match the id", doc_id, type ? type : "(none)");
	}
	if (!p->deleted) {
		json_t *rec = merged_record(db, p->t, p->id, body);
		int rc = rec ? wu__record_check(db, p->t, rec) : wu__err_nomem(db);
		json_decref(rec);
		if (rc) {
			json_decref(body);
			return rc;
		}
	}
	p->body = wu__canonical(body);
	json_decref(body);
	return p->body ? WU_OK : wu__err_nomem(db);
}

int wu__revs_store_pulled(wu_db *db, const json_t *doc, bool *stored, bool *conflicted)
{
	struct pulled p;
	*stored = false;
	*conflicted = false;
	int rc = pulled_parse(db, doc, &p);
	if (rc) {
		free(p.body);
		return rc;
	}
	char doc_id[80];
	snprintf(doc_id, sizeof doc_id, "%s:%s", p.t->name, p.id);
	struct doc_row d;
	bool found;
	rc = doc_find(db, doc_id, &d, &found);
	if (!rc && !found)
		rc = doc_create(db, doc_id, p.t->name, &d);
	size_t n = p.ids ? json_array_size(p.ids) : 1;
	int64_t parent = 0;
	/* Oldest first, so each revision's parent is known when it is stored. */
	for (size_t k = n; !rc && k-- > 0;) {
		const char *sig = p.ids ? json_string_value(json_array_get(p.ids, k)) : p.sig;
		int64_t gen = p.start - (int64_t)k, pk;
		char rev[64];
		snprintf(rev, sizeof rev, "%lld-%s", (long long)gen, sig ? sig : "");
		int64_t g;
		char s[33];
		if (!wu__rev_parse(rev, &g, s)) {
			rc = wu__err(db, WU_EINVAL, "%s: _revisions has a bad id '%s'", doc_id, sig ? sig : "(not a string)");
			break;
		}
		rc = rev_find(db, d.pk, gen, s, &pk);
		if (!rc && !pk) {
			bool newest = k == 0;
			rc = rev_insert(db, d.pk, parent, gen, s, newest && p.deleted, newest, newest ? p.body : NULL, &pk);
			*stored = *stored || newest;
		}
		parent = pk;
	}
	free(p.body);
	if (rc || !*stored)
		return rc;
	int64_t before = d.winner, winner;
	bool deleted;
	rc = doc_settle(db, d.pk, &winner, &deleted, conflicted);
	if (!rc && winner != before)
		rc = apply_winner(db, p.t, p.id, d.pk);
	return rc;
}

int wu__revs_have(wu_db *db, const char *doc_id, const char *rev, bool *have)
{
	struct doc_row d;
	bool found;
	int64_t gen, pk = 0;
	char sig[33];
	*have = false;
	if (!wu__rev_parse(rev, &gen, sig))
		return WU_OK;
	int rc = doc_find(db, doc_id, &d, &found);
	if (!rc && found)
		rc = rev_find(db, d.pk, gen, sig, &pk);
	*have = pk != 0;
	return rc;
}

int wu__revs_leaves(wu_db *db, int64_t doc, json_t **out, json_t **pks)
{
	sqlite3_stmt *st;
	int rc = stmt(db, S_LEAVES, &st);
	if (rc)
		return rc;
	json_t *a = json_array(), *p = pks ? json_array() : NULL;
	if (!a || (pks && !p)) {
		json_decref(a);
		json_decref(p);
		return wu__err_nomem(db);
	}
	sqlite3_bind_int64(st, 1, doc);
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		char rev[64];
		snprintf(rev, sizeof rev, "%lld-%s", (long long)sqlite3_column_int64(st, 1),
			 (const char *)sqlite3_column_text(st, 2));
		if (json_array_append_new(a, json_string(rev)) ||
		    (p && json_array_append_new(p, json_integer(sqlite3_column_int64(st, 0))))) {
			s = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(st);
	if (s != SQLITE_DONE) {
		json_decref(a);
		json_decref(p);
		return s == SQLITE_NOMEM ? wu__err_nomem(db) : wu__err_sql(db, "cannot read the leaves of a document");
	}
	*out = a;
	if (pks)
		*pks = p;
	return WU_OK;
}

/* Appends ,"sig" for each ancestor of revision pk `parent`, newest first. */
static int add_ancestors(wu_db *db, int64_t parent, struct wu_buf *out)
{
	for (int depth = 1; parent && depth < 1000; depth++) {
		sqlite3_stmt *st;
		int rc = stmt(db, S_REV_LINK, &st);
		if (rc)
			return rc;
		sqlite3_bind_int64(st, 1, parent);
		int s = sqlite3_step(st);
		bool ok = s == SQLITE_ROW && wu__buf_adds(out, ",") &&
			  wu__buf_add_jstr(out, (const char *)sqlite3_column_text(st, 1));
		parent = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		sqlite3_reset(st);
		if (s == SQLITE_DONE)
			return wu__err(db, WU_EDB, "a revision's parent is missing");
		if (s != SQLITE_ROW)
			return wu__err_sql(db, "cannot read a revision");
		if (!ok)
			return wu__err_nomem(db);
	}
	return WU_OK;
}

/* The upload document is written as text, straight from the stored body:
 * no parse and no dump per document. Its keys come out sorted, as the
 * canonical body's are ('_' sorts before every field name), so it is the
 * same text a sorted dump of it gives (the dry run prints that). */
int wu__revs_upload_text(wu_db *db, int64_t pk, const char *doc_id, const char *rev, struct wu_buf *out)
{
	int64_t gen;
	char sig[33];
	if (!wu__rev_parse(rev, &gen, sig))
		return wu__err(db, WU_EREMOTE, "%s: the server asked for '%s', which is not a revision id", doc_id, rev);
	sqlite3_stmt *st;
	int rc = pk ? stmt(db, S_REV_GET, &st) : WU_OK;
	if (rc)
		return rc;
	int s = SQLITE_DONE;
	if (pk) {
		sqlite3_bind_int64(st, 1, pk);
		s = sqlite3_step(st);
	}
	/* rev rows never change their gen and sig: this is a check, not a race */
	if (s != SQLITE_ROW || sqlite3_column_int64(st, 1) != gen || strcmp((const char *)sqlite3_column_text(st, 2), sig)) {
		if (pk)
			sqlite3_reset(st);
		return s == SQLITE_ROW || s == SQLITE_DONE
			       ? wu__err(db, WU_EREMOTE, "%s: the server asked for revision %s, which is not one offered", doc_id, rev)
			       : wu__err_sql(db, "cannot read a revision");
	}
	bool deleted = sqlite3_column_int(st, 3);
	char start[32];
	snprintf(start, sizeof start, "],\"start\":%lld}", (long long)gen);
	bool ok = wu__buf_adds(out, deleted ? "{\"_deleted\":true,\"_id\":" : "{\"_id\":") &&
		  wu__buf_add_jstr(out, doc_id) && wu__buf_adds(out, ",\"_rev\":") && wu__buf_add_jstr(out, rev) &&
		  wu__buf_adds(out, ",\"_revisions\":{\"ids\":[") && wu__buf_add_jstr(out, sig);
	rc = ok ? add_ancestors(db, sqlite3_column_int64(st, 0), out) : wu__err_nomem(db);
	if (!rc) {
		/* the body's own keys follow ours: "{}" adds none */
		const char *body = (const char *)sqlite3_column_text(st, 4);
		bool empty = !body || !strcmp(body, "{}");
		if (!wu__buf_adds(out, start) || !wu__buf_adds(out, empty ? "}" : ",") ||
		    (!empty && !wu__buf_adds(out, body + 1)))
			rc = wu__err_nomem(db);
	}
	sqlite3_reset(st);
	return rc;
}

/* ---- conflicts -------------------------------------------------------------- */

/* {"id", "type", "winner", "revs": [{"rev", "deleted", "body"}]} of doc pk
 * `doc` (new), leaves in winner order. */
static int conflict_json(wu_db *db, int64_t doc, const char *doc_id, json_t **out)
{
	char id[37];
	const wu_type *t = wu__doc_split(doc_id, id);
	json_t *revs = json_array();
	json_t *c = json_pack("{sssssO}", "id", id, "type", t ? t->name : "", "revs", revs);
	sqlite3_stmt *st = NULL;
	int rc = c && revs ? wu__prepare(db, &st, "SELECT gen, sig, deleted, body FROM rev WHERE doc = ?1 AND leaf "
					       "ORDER BY deleted ASC, gen DESC, sig DESC")
			   : wu__err_nomem(db);
	if (!rc)
		sqlite3_bind_int64(st, 1, doc);
	int s = SQLITE_DONE;
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		char rev[64];
		json_error_t err;
		snprintf(rev, sizeof rev, "%lld-%s", (long long)sqlite3_column_int64(st, 0),
			 (const char *)sqlite3_column_text(st, 1));
		const char *b = (const char *)sqlite3_column_text(st, 3);
		json_t *body = b ? json_loads(b, 0, &err) : NULL;
		json_t *item = json_pack("{sssbso}", "rev", rev, "deleted", sqlite3_column_int(st, 2), "body",
					 body ? body : json_null());
		if (!item || json_array_append_new(revs, item))
			rc = wu__err_nomem(db);
		if (!rc && json_array_size(revs) == 1 && json_object_set_new(c, "winner", json_string(rev)))
			rc = wu__err_nomem(db);
	}
	if (!rc && s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot read the leaves of a document");
	sqlite3_finalize(st);
	json_decref(revs);
	if (rc)
		json_decref(c);
	else
		*out = c;
	return rc;
}

int wu_conflicts(wu_db *db, const char *id, wu_record_cb cb, void *payload)
{
	wu__err_clear(db);
	bool began;
	int rc = wu__read_begin(db, &began);
	if (rc)
		return rc;
	sqlite3_stmt *st = NULL;
	rc = wu__prepare(db, &st, "SELECT pk, doc_id FROM doc WHERE conflicted "
				  "AND (?1 IS NULL OR substr(doc_id, instr(doc_id, ':') + 1) = ?1) ORDER BY doc_id");
	if (!rc && id)
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int s = SQLITE_DONE;
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *c = NULL;
		rc = conflict_json(db, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1), &c);
		if (!rc && cb(c, payload))
			s = SQLITE_DONE;
		json_decref(c);
		if (s == SQLITE_DONE)
			break;
	}
	if (!rc && s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot list conflicts");
	sqlite3_finalize(st);
	wu__read_end(db, began);
	return rc;
}

static int resolve_in_tx(wu_db *db, const char *id, const char *keep)
{
	int rc = wu__revs_catch_up(db);
	const wu_type *t = rc ? NULL : wu__type_of_id(db, id, &rc);
	if (!t)
		return rc;
	char doc_id[80];
	snprintf(doc_id, sizeof doc_id, "%s:%s", t->name, id);
	struct doc_row d;
	bool found;
	int64_t gen, keep_pk = 0;
	char sig[33];
	rc = doc_find(db, doc_id, &d, &found);
	if (!rc && !found)
		return wu__err(db, WU_ENOTFOUND, "%s %s has never been synced, so it has no conflict", t->name, id);
	if (!rc && !wu__rev_parse(keep, &gen, sig))
		return wu__err(db, WU_EINVAL, "--keep: '%s' is not a revision id (N-hex)", keep);
	if (!rc)
		rc = rev_find(db, d.pk, gen, sig, &keep_pk);
	if (rc)
		return rc;
	/* The live leaves other than `keep` each get a tombstone child. */
	sqlite3_stmt *st = NULL;
	rc = wu__prepare(db, &st, "SELECT pk, gen, sig FROM rev WHERE doc = ?1 AND leaf AND NOT deleted");
	if (!rc)
		sqlite3_bind_int64(st, 1, d.pk);
	bool keep_live = false;
	int64_t others[64];
	size_t nothers = 0;
	int s = SQLITE_DONE;
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t pk = sqlite3_column_int64(st, 0);
		if (pk == keep_pk)
			keep_live = true;
		else if (nothers < sizeof others / sizeof others[0])
			others[nothers++] = pk;
	}
	if (!rc && s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot read the leaves of a document");
	sqlite3_finalize(st);
	if (!rc && !keep_live)
		rc = wu__err(db, WU_EINVAL, "--keep: %s is not a live version of %s %s; see 'withus conflicts %s'", keep,
			     t->name, id, id);
	if (!rc && nothers == 0)
		rc = wu__err(db, WU_EINVAL, "%s %s has no conflict to resolve", t->name, id);
	char *tomb = rc ? NULL : tombstone_body(t);
	if (!rc && !tomb)
		rc = wu__err_nomem(db);
	int64_t before = d.winner;
	for (size_t i = 0; !rc && i < nothers; i++) {
		d.winner = others[i];
		rc = add_local_rev(db, &d, true, tomb);
	}
	free(tomb);
	if (!rc && d.winner != before)
		rc = apply_winner(db, t, id, d.pk);
	return rc;
}

int wu_conflict_resolve(wu_db *db, const char *id, const char *keep)
{
	wu__err_clear(db);
	int rc = wu__write_begin(db);
	if (rc)
		return rc;
	return wu__write_end(db, resolve_in_tx(db, id, keep));
}
