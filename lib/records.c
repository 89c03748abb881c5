/*
 * records.c - create, read, update and delete records of every type, and
 * their append-only history.
 *
 * One generic path serves all types: lib/model.c says which columns a type
 * has, and the statements below are built from those constant names once
 * per handle (identifiers quoted with %w; every value is a bound parameter).
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define FIRST_FIELD_COL 3 /* id, created, updated, then the fields */

/* ---- statements -------------------------------------------------------------- */

static char *column_list(const wu_type *t)
{
	char *s = sqlite3_mprintf("id, created, updated");
	for (size_t i = 0; s && i < t->nfields; i++) {
		char *n = sqlite3_mprintf("%s, \"%w\"", s, t->fields[i].name);
		sqlite3_free(s);
		s = n;
	}
	return s;
}

static int prepare_owned(wu_db *db, sqlite3_stmt **out, char *sql)
{
	if (!sql)
		return wu__err_nomem(db);
	int rc = wu__prepare(db, out, sql);
	sqlite3_free(sql);
	return rc;
}

static int prepare_type(wu_db *db, const wu_type *t, struct wu_type_stmts *ts)
{
	char *cols = column_list(t);
	char *marks = sqlite3_mprintf("?1, ?2, ?3");
	char *sets = sqlite3_mprintf("created = ?2, updated = ?3");
	for (size_t i = 0; cols && marks && sets && i < t->nfields; i++) {
		char *m = sqlite3_mprintf("%s, ?%d", marks, (int)i + 4);
		char *s = sqlite3_mprintf("%s, \"%w\" = ?%d", sets, t->fields[i].name, (int)i + 4);
		sqlite3_free(marks);
		sqlite3_free(sets);
		marks = m;
		sets = s;
	}
	int rc = WU_OK;
	if (!cols || !marks || !sets)
		rc = wu__err_nomem(db);
	if (!rc)
		rc = prepare_owned(db, &ts->insert,
				   sqlite3_mprintf("INSERT INTO \"%w\" (%s) VALUES (%s)", t->name, cols, marks));
	if (!rc)
		rc = prepare_owned(db, &ts->update,
				   sqlite3_mprintf("UPDATE \"%w\" SET %s WHERE id = ?1", t->name, sets));
	if (!rc)
		rc = prepare_owned(db, &ts->select_one,
				   sqlite3_mprintf("SELECT %s FROM \"%w\" WHERE id = ?1", cols, t->name));
	if (!rc)
		rc = prepare_owned(db, &ts->exists, sqlite3_mprintf("SELECT 1 FROM \"%w\" WHERE id = ?1", t->name));
	sqlite3_free(cols);
	sqlite3_free(marks);
	sqlite3_free(sets);
	return rc;
}

static int stmts(wu_db *db, const wu_type *t, struct wu_type_stmts **out)
{
	struct wu_type_stmts *ts = &db->stmts[wu__type_index(t)];
	*out = ts;
	if (ts->insert)
		return WU_OK;
	int rc = prepare_type(db, t, ts);
	if (rc) {
		sqlite3_finalize(ts->insert);
		sqlite3_finalize(ts->update);
		sqlite3_finalize(ts->select_one);
		sqlite3_finalize(ts->exists);
		sqlite3_finalize(ts->select_at);
		sqlite3_finalize(ts->insert_rows);
		memset(ts, 0, sizeof *ts);
	}
	return rc;
}

/* ---- rows <-> canonical JSON ---------------------------------------------------- */

void wu__record_columns(const wu_type *t, const json_t *rec, const json_t **cols)
{
	static const char *const meta[] = { "id", "created", "updated" };
	for (int i = 0; i < FIRST_FIELD_COL; i++)
		cols[i] = json_object_get(rec, meta[i]);
	for (size_t i = 0; i < t->nfields && FIRST_FIELD_COL + i < WU_MAX_COLUMNS; i++)
		cols[FIRST_FIELD_COL + i] = json_object_get(rec, t->fields[i].name);
}

/* Binds column `col` (0-based, as wu__record_columns) of a record to
 * parameter `param`. */
static int bind_field(wu_db *db, sqlite3_stmt *st, int param, int col, const wu_type *t, const wu_field *f,
		      const json_t *const *cols)
{
	const json_t *v = cols[col];
	if (!v)
		return sqlite3_bind_null(st, param);
	switch (f->kind) {
	case WU_K_BOOL:
		return sqlite3_bind_int(st, param, json_is_true(v));
	case WU_K_INT:
	case WU_K_PERCENT:
		return sqlite3_bind_int64(st, param, json_integer_value(v));
	case WU_K_MONEY: {
		int64_t minor;
		int cur = wu__currency_col(t, f);
		if (cur < 0 || wu_money_parse(&minor, db, json_string_value(v), json_string_value(cols[cur])))
			return SQLITE_MISUSE;
		return sqlite3_bind_int64(st, param, minor);
	}
	case WU_K_SET:
	case WU_K_REFSET: {
		char *s = json_dumps(v, JSON_COMPACT);
		if (!s)
			return SQLITE_NOMEM;
		return sqlite3_bind_text(st, param, s, -1, free);
	}
	default:
		return sqlite3_bind_text(st, param, json_string_value(v), (int)json_string_length(v), SQLITE_STATIC);
	}
}

/* Binds a record's columns to parameters first, first + 1, ... Text is
 * bound without a copy: every caller steps, resets and clears the statement
 * while the record is still alive. `cols` is the record's values in column
 * order (wu__record_columns). */
static int bind_columns(wu_db *db, const wu_type *t, sqlite3_stmt *st, int first, const json_t *const *cols)
{
	for (int i = 0; i < FIRST_FIELD_COL; i++)
		if (sqlite3_bind_text(st, first + i, json_string_value(cols[i]), (int)json_string_length(cols[i]),
				      SQLITE_STATIC))
			return wu__err_sql(db, "cannot bind");
	for (size_t i = 0; i < t->nfields; i++) {
		int col = FIRST_FIELD_COL + (int)i;
		int s = bind_field(db, st, first + col, col, t, &t->fields[i], cols);
		if (s == SQLITE_NOMEM)
			return wu__err_nomem(db);
		if (s != SQLITE_OK)
			return wu__err(db, WU_EDB, "%s.%s: cannot store the value", t->name, t->fields[i].name);
	}
	return WU_OK;
}

static int bind_record(wu_db *db, const wu_type *t, sqlite3_stmt *st, const json_t *rec)
{
	const json_t *cols[WU_MAX_COLUMNS];
	wu__record_columns(t, rec, cols);
	return bind_columns(db, t, st, 1, cols);
}

int wu__currency_col(const wu_type *t, const wu_field *f)
{
	for (size_t i = 0; i < t->nfields; i++)
		if (!strcmp(t->fields[i].name, f->currency))
			return FIRST_FIELD_COL + (int)i;
	return -1;
}

static json_t *column_value(wu_db *db, const wu_type *t, const wu_field *f, sqlite3_stmt *st, int col)
{
	switch (f->kind) {
	case WU_K_BOOL:
		return json_boolean(sqlite3_column_int(st, col));
	case WU_K_INT:
	case WU_K_PERCENT:
		return json_integer(sqlite3_column_int64(st, col));
	case WU_K_MONEY: {
		const char *cur = (const char *)sqlite3_column_text(st, wu__currency_col(t, f));
		char buf[40];
		if (wu_money_format(buf, sizeof buf, db, sqlite3_column_int64(st, col), cur))
			return NULL;
		return json_string(buf);
	}
	case WU_K_SET:
	case WU_K_REFSET:
		return json_loads((const char *)sqlite3_column_text(st, col), 0, NULL);
	default:
		return json_stringn((const char *)sqlite3_column_text(st, col), (size_t)sqlite3_column_bytes(st, col));
	}
}

/* Builds the canonical object for the current row of `st` (columns as column_list). */
int wu__row_to_json(wu_db *db, const wu_type *t, sqlite3_stmt *st, json_t **out)
{
	json_t *rec = json_object();
	*out = NULL;
	if (!rec)
		return wu__err_nomem(db);
	int bad = json_object_set_new(rec, "type", json_string(t->name));
	const char *meta[] = { "id", "created", "updated" };
	for (int i = 0; i < 3 && !bad; i++)
		bad = json_object_set_new(rec, meta[i], json_string((const char *)sqlite3_column_text(st, i)));
	for (size_t i = 0; i < t->nfields && !bad; i++) {
		int col = FIRST_FIELD_COL + (int)i;
		if (sqlite3_column_type(st, col) == SQLITE_NULL)
			continue;
		json_t *v = column_value(db, t, &t->fields[i], st, col);
		bad = !v || json_object_set_new(rec, t->fields[i].name, v);
	}
	if (bad) {
		json_decref(rec);
		return wu__err(db, WU_EDB, "%s %s: a stored value is damaged", t->name,
			       (const char *)sqlite3_column_text(st, 0));
	}
	*out = rec;
	return WU_OK;
}

/* ---- finding records ------------------------------------------------------------- */

static int step_exists(wu_db *db, sqlite3_stmt *st, const char *id, bool *found)
{
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		return wu__err_sql(db, "cannot look up record");
	*found = s == SQLITE_ROW;
	return WU_OK;
}

const wu_type *wu__type_of_id(wu_db *db, const char *id, int *rc)
{
	for (size_t i = 0; i < wu_type_count(); i++) {
		const wu_type *t = wu_type_at(i);
		struct wu_type_stmts *ts;
		bool found = false;
		if ((*rc = stmts(db, t, &ts)) || (*rc = step_exists(db, ts->exists, id, &found)))
			return NULL;
		if (found)
			return t;
	}
	*rc = wu__err(db, WU_ENOTFOUND, "no record with id '%s'", id);
	return NULL;
}

/* Steps `st` (bound, selecting a record's columns) and reads its row if it
 * holds record `id`: *found false if it holds none, or another. */
static int read_row(wu_db *db, const wu_type *t, sqlite3_stmt *st, const char *id, json_t **out, bool *found)
{
	int s = sqlite3_step(st);
	const char *row_id = s == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	int rc = WU_OK;
	*found = row_id && !strcmp(row_id, id);
	if (*found)
		rc = wu__row_to_json(db, t, st, out);
	else if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot read record");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static int load(wu_db *db, const wu_type *t, const char *id, json_t **out)
{
	struct wu_type_stmts *ts;
	bool found = false;
	int rc = stmts(db, t, &ts);
	if (rc)
		return rc;
	sqlite3_bind_text(ts->select_one, 1, id, -1, SQLITE_STATIC);
	rc = read_row(db, t, ts->select_one, id, out, &found);
	return rc || found ? rc : wu__err(db, WU_ENOTFOUND, "no %s with id '%s'", t->name, id);
}

int wu__record_get_typed(json_t **out, wu_db *db, const wu_type *t, const char *id)
{
	*out = NULL;
	return load(db, t, id, out);
}

/* Record `id` read from row `rowid` of its table, if that row still holds
 * it (history.rec is a hint: VACUUM may renumber rows); *found false if not. */
static int load_at(wu_db *db, const wu_type *t, const char *id, int64_t rowid, json_t **out, bool *found)
{
	struct wu_type_stmts *ts;
	int rc = stmts(db, t, &ts);
	if (!rc && !ts->select_at) {
		char *cols = column_list(t);
		rc = cols ? prepare_owned(db, &ts->select_at,
					  sqlite3_mprintf("SELECT %s FROM \"%w\" WHERE rowid = ?1", cols, t->name))
			  : wu__err_nomem(db);
		sqlite3_free(cols);
	}
	*found = false;
	if (rc)
		return rc;
	sqlite3_bind_int64(ts->select_at, 1, rowid);
	return read_row(db, t, ts->select_at, id, out, found);
}

int wu__record_get_at(json_t **out, wu_db *db, const wu_type *t, const char *id, int64_t rowid)
{
	bool found = false;
	*out = NULL;
	int rc = rowid > 0 ? load_at(db, t, id, rowid, out, &found) : WU_OK;
	return rc || found ? rc : load(db, t, id, out);
}

int wu_record_get(json_t **out, wu_db *db, const char *id)
{
	*out = NULL;
	wu__err_clear(db);
	int rc;
	const wu_type *t = wu__type_of_id(db, id, &rc);
	return t ? load(db, t, id, out) : rc;
}

/* The cache slot for `id`, or NULL when the cache cannot be allocated (then
 * every reference is looked up). */
static struct wu_ref_slot *ref_slot(wu_db *db, const char *id)
{
	if (!db->ref_cache && !(db->ref_cache = calloc(WU_REF_CACHE, sizeof *db->ref_cache)))
		return NULL;
	uint32_t h = 2166136261u; /* FNV-1a */
	for (const char *p = id; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return &db->ref_cache[h % WU_REF_CACHE];
}

/* Every reference must name an existing record of the right type. */
static int check_ref(wu_db *db, const wu_type *t, const wu_field *f, const char *id)
{
	const wu_type *target = wu_type_find(f->ref);
	unsigned char tag = (unsigned char)(wu__type_index(target) + 1);
	struct wu_ref_slot *slot = ref_slot(db, id);
	if (slot && slot->gen == db->ref_gen && slot->type == tag && !strcmp(slot->id, id))
		return WU_OK;
	struct wu_type_stmts *ts;
	bool found = false;
	int rc = stmts(db, target, &ts);
	if (!rc)
		rc = step_exists(db, ts->exists, id, &found);
	if (!rc && !found)
		rc = wu__err(db, WU_EINVAL, "%s.%s: '%s' is not the id of any %s", t->name, f->name, id, target->name);
	size_t len = strlen(id);
	if (!rc && slot && len < sizeof slot->id) {
		slot->gen = db->ref_gen;
		slot->type = tag;
		memcpy(slot->id, id, len + 1);
	}
	return rc;
}

static int check_refs(wu_db *db, const wu_type *t, const json_t *rec, const json_t *const *cols)
{
	for (size_t i = 0; i < t->nfields; i++) {
		const wu_field *f = &t->fields[i];
		if (f->kind != WU_K_REF && f->kind != WU_K_REFSET)
			continue;
		const json_t *v = cols[FIRST_FIELD_COL + i];
		int rc = WU_OK;
		if (!v)
			continue;
		if (f->kind == WU_K_REF) {
			rc = check_ref(db, t, f, json_string_value(v));
		} else if (f->kind == WU_K_REFSET) {
			size_t k;
			const json_t *e;
			json_array_foreach(v, k, e) {
				if ((rc = check_ref(db, t, f, json_string_value(e))))
					break;
			}
		}
		if (rc)
			return rc;
	}
	return !strcmp(t->name, "attestation") ? wu__attestation_check(db, rec) : WU_OK;
}

int wu__check_refs(wu_db *db, const wu_type *t, const json_t *rec, const json_t *const *cols)
{
	const json_t *own[WU_MAX_COLUMNS];
	if (!cols) {
		wu__record_columns(t, rec, own);
		cols = own;
	}
	return check_refs(db, t, rec, cols);
}

/* ---- history --------------------------------------------------------------------- */

/* rowid: where a create put the record (history.rec), or 0. */
static int history_add(wu_db *db, const char *op, const wu_type *t, const char *id, const char *at,
		       const json_t *changes, int64_t rowid)
{
	if (!db->history_insert) {
		int rc = wu__prepare(db, &db->history_insert,
				     "INSERT INTO history (at, user, op, type, id, changes, rec) "
				     "VALUES (:at, :user, :op, :type, :id, :changes, :rec)");
		if (rc)
			return rc;
	}
	sqlite3_stmt *st = db->history_insert;
	char *text = changes ? json_dumps(changes, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (changes && !text)
		return wu__err_nomem(db);
	sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, db->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, op, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, id, -1, SQLITE_STATIC);
	if (text)
		sqlite3_bind_text(st, 6, text, -1, free);
	else
		sqlite3_bind_null(st, 6);
	if (rowid > 0)
		sqlite3_bind_int64(st, 7, rowid);
	int rc = sqlite3_step(st) == SQLITE_DONE ? WU_OK : wu__err_sql(db, "cannot record history");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* ---- add ------------------------------------------------------------------------- */

bool wu__id_valid(const char *s)
{
	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		bool hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
		if (dash ? s[i] != '-' : !hex)
			return false;
	}
	return true;
}

/* Takes id/created/updated/type out of `rec` (they are not fields) and
 * checks them: kept from the input on import, made afresh otherwise. */
static int take_meta(wu_db *db, const wu_type *t, json_t *rec, unsigned flags)
{
	const char *type = json_string_value(json_object_get(rec, "type"));
	if (json_object_get(rec, "type") && (!type || strcmp(type, t->name)))
		return wu__err(db, WU_EINVAL, "%s.type: the record says it is of type '%s'", t->name,
			       type ? type : "(not a string)");
	json_object_del(rec, "type");
	char now[32] = "", id[37];
	if (!(flags & WU_KEEP_META) || !json_object_get(rec, "created") || !json_object_get(rec, "updated"))
		wu__now(now); /* only when a timestamp is made: import keeps millions */
	if (!(flags & WU_KEEP_META)) {
		if (wu__uuid_v4(id))
			return wu__err(db, WU_EIO, "cannot read random bytes for a new id");
		const char *made[] = { "id", "created", "updated" };
		for (int i = 0; i < 3; i++)
			if (json_object_get(rec, made[i]))
				return wu__err(db, WU_EINVAL, "%s: unknown field '%s' (ids and timestamps are made by withus)",
					       t->name, made[i]);
		if (json_object_set_new(rec, "id", json_string(id)) || json_object_set_new(rec, "created", json_string(now)) ||
		    json_object_set_new(rec, "updated", json_string(now)))
			return wu__err_nomem(db);
		return WU_OK;
	}
	if (!json_object_get(rec, "id")) {
		if (wu__uuid_v4(id))
			return wu__err(db, WU_EIO, "cannot read random bytes for a new id");
		if (json_object_set_new(rec, "id", json_string(id)))
			return wu__err_nomem(db);
	}
	const char *rid = json_string_value(json_object_get(rec, "id"));
	if (!wu__id_valid(rid))
		return wu__err(db, WU_EINVAL, "%s.id: '%s' is not a lowercase UUID", t->name, rid ? rid : "(missing)");
	const char *ts[] = { "created", "updated" };
	for (int i = 0; i < 2; i++) {
		const char *v = json_string_value(json_object_get(rec, ts[i]));
		if (!v) {
			if (json_object_get(rec, ts[i]))
				return wu__err(db, WU_EINVAL, "%s.%s: expected an RFC 3339 UTC timestamp", t->name, ts[i]);
			if (json_object_set_new(rec, ts[i], json_string(now)))
				return wu__err_nomem(db);
		} else if (!wu__timestamp_valid(v)) {
			return wu__err(db, WU_EINVAL, "%s.%s: '%s' is not an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)",
				       t->name, ts[i], v);
		}
	}
	return WU_OK;
}

/* Validates the type's fields of `rec` (meta keys set aside meanwhile). */
static int validate_fields(wu_db *db, const wu_type *t, json_t *rec, unsigned flags)
{
	return wu__validate_record(db, t, rec, flags | WU__WITH_META);
}

static int apply_defaults(wu_db *db, const wu_type *t, json_t *rec)
{
	for (size_t i = 0; i < t->nfields; i++) {
		const wu_field *f = &t->fields[i];
		if (f->defval && !json_object_get(rec, f->name) &&
		    json_object_set_new(rec, f->name, json_string(f->defval)))
			return wu__err_nomem(db);
	}
	return WU_OK;
}

static int insert_error(wu_db *db, const wu_type *t, const json_t *rec)
{
	int ext = sqlite3_extended_errcode(db->sql);
	const char *id = json_string_value(json_object_get(rec, "id"));
	if (ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return wu__err(db, WU_EEXIST, "%s.id: '%s' exists already", t->name, id);
	if (ext == SQLITE_CONSTRAINT_UNIQUE && !strcmp(t->name, "partnership"))
		return wu__err(db, WU_EEXIST, "partnership.org: '%s' is already a partner of project '%s' (edit that partnership)",
			       json_string_value(json_object_get(rec, "org")),
			       json_string_value(json_object_get(rec, "project")));
	if (ext == SQLITE_CONSTRAINT_UNIQUE)
		return wu__err(db, WU_EEXIST, "%s: the same %s is recorded already", t->name, t->title);
	return wu__err_sql(db, "cannot store record");
}

bool wu__record_prepare_needs_db(const wu_type *t)
{
	return !strcmp(t->name, "attestation"); /* it fills in what the claim it attests says */
}

/* The checks of add that need no database but for `db`'s error message and
 * its currency and country tables (so import's reader thread can run them):
 * ids and timestamps, defaults, every field. */
int wu__record_prepare(wu_db *db, const wu_type *t, json_t *rec, unsigned flags)
{
	int rc = take_meta(db, t, rec, flags);
	if (!rc && !(flags & WU_KEEP_META))
		rc = apply_defaults(db, t, rec);
	if (!rc && wu__record_prepare_needs_db(t))
		rc = wu__attestation_fill(db, rec);
	if (!rc)
		rc = validate_fields(db, t, rec, flags);
	return rc;
}

/* One row through the single-row INSERT: a constraint it breaks undoes only
 * this row, and insert_error names the record. */
static int insert_row(wu_db *db, const wu_type *t, struct wu_type_stmts *ts, const json_t *rec,
		      const json_t *const *cols)
{
	int rc = bind_columns(db, t, ts->insert, 1, cols);
	if (!rc && sqlite3_step(ts->insert) != SQLITE_DONE)
		rc = insert_error(db, t, rec);
	sqlite3_reset(ts->insert);
	sqlite3_clear_bindings(ts->insert);
	return rc;
}

/* The rest of add, inside the caller's transaction: references, the row,
 * its history. */
static int record_store(wu_db *db, const wu_type *t, const json_t *rec, unsigned flags)
{
	const json_t *cols[WU_MAX_COLUMNS];
	struct wu_type_stmts *ts = NULL;
	wu__record_columns(t, rec, cols);
	int rc = check_refs(db, t, rec, cols);
	if (!rc)
		rc = stmts(db, t, &ts);
	if (!rc)
		rc = insert_row(db, t, ts, rec, cols);
	if (!rc && !(flags & WU__NO_HISTORY)) {
		char now[32];
		wu__now(now);
		rc = history_add(db, "create", t, json_string_value(json_object_get(rec, "id")), now, NULL,
				 sqlite3_last_insert_rowid(db->sql));
	}
	return rc;
}

/* The body of add, inside the caller's transaction: `rec` (owned by the
 * caller, modified) is validated, checked and stored. */
int wu__record_insert(wu_db *db, const wu_type *t, json_t *rec, unsigned flags)
{
	int rc = wu__record_prepare(db, t, rec, flags);
	return rc ? rc : record_store(db, t, rec, flags);
}

/* The parameters one row of an INSERT takes: id, created, updated, fields. */
static int row_width(const wu_type *t)
{
	return FIRST_FIELD_COL + (int)t->nfields;
}

/* INSERT OR FAIL of WU_STORE_ROWS rows. OR FAIL, not the default ABORT: a
 * statement that may abort half-way keeps a journal of the pages it changes,
 * so that it can undo its own rows, and an import undoes all of its rows on
 * any error anyway. Measured on a million rows: 6.3 s one row a statement,
 * 5.9 s 32 rows with ABORT, 4.6 s 32 rows with OR FAIL. */
static int prepare_insert_rows(wu_db *db, const wu_type *t, struct wu_type_stmts *ts)
{
	if (ts->insert_rows)
		return WU_OK;
	char *cols = column_list(t);
	if (!cols)
		return wu__err_nomem(db);
	int ncols = row_width(t);
	sqlite3_str *q = sqlite3_str_new(db->sql);
	sqlite3_str_appendf(q, "INSERT OR FAIL INTO \"%w\" (%s) VALUES ", t->name, cols);
	for (int r = 0; r < WU_STORE_ROWS; r++) {
		sqlite3_str_appendall(q, r ? ", (" : "(");
		for (int c = 0; c < ncols; c++)
			sqlite3_str_appendf(q, "%s?%d", c ? ", " : "", r * ncols + c + 1);
		sqlite3_str_appendchar(q, 1, ')');
	}
	sqlite3_free(cols);
	return prepare_owned(db, &ts->insert_rows, sqlite3_str_finish(q));
}

/* An SQLite built with fewer parameters a statement than the rows need
 * (999 before 3.32) gets them one row at a time. */
static bool rows_fit(wu_db *db, const wu_type *t)
{
	return sqlite3_limit(db->sql, SQLITE_LIMIT_VARIABLE_NUMBER, -1) >= WU_STORE_ROWS * row_width(t);
}

/* Steps the WU_STORE_ROWS-row statement over `rows`; *done is how many of
 * them it stored (all, or those before the one that broke a constraint). */
static int insert_all_rows(wu_db *db, const wu_type *t, struct wu_type_stmts *ts, const struct wu_row *rows,
			   size_t *done, size_t *failed)
{
	sqlite3_stmt *st = ts->insert_rows;
	int ncols = row_width(t), rc = WU_OK;
	*done = 0;
	for (size_t r = 0; r < WU_STORE_ROWS && !rc; r++)
		if ((rc = bind_columns(db, t, st, 1 + (int)r * ncols, rows[r].cols)))
			*failed = r;
	int s = rc ? SQLITE_OK : sqlite3_step(st);
	if (s == SQLITE_DONE)
		*done = WU_STORE_ROWS;
	else if (s != SQLITE_OK && (s & 0xff) == SQLITE_CONSTRAINT && !sqlite3_get_autocommit(db->sql))
		*done = (size_t)sqlite3_changes(db->sql); /* OR FAIL keeps the rows before the bad one */
	else if (s != SQLITE_OK)
		rc = wu__err_sql(db, "cannot store records"); /* not a constraint: no row to blame */
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int wu__records_insert(wu_db *db, const wu_type *t, const struct wu_row *rows, size_t n, size_t *failed)
{
	struct wu_type_stmts *ts = NULL;
	size_t done = 0;
	*failed = 0;
	int rc = stmts(db, t, &ts);
	if (!rc && n == WU_STORE_ROWS && rows_fit(db, t)) {
		rc = prepare_insert_rows(db, t, ts);
		if (!rc)
			rc = insert_all_rows(db, t, ts, rows, &done, failed);
	}
	/* The rest one at a time: a short run, or the rows from the one that
	 * broke a constraint, which fails again on its own with its message. */
	for (size_t i = done; i < n && !rc; i++)
		if ((rc = insert_row(db, t, ts, rows[i].rec, rows[i].cols)))
			*failed = i;
	return rc;
}

/* Runs `select` (a format with one %w for the table of `t`) and reads the
 * single integer it returns. */
static int table_int(wu_db *db, const char *select, const wu_type *t, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare_owned(db, &st, sqlite3_mprintf(select, t->name));
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		rc = wu__err_sql(db, "cannot read the table size");
	sqlite3_finalize(st);
	return rc;
}

int wu__rowid_marks(wu_db *db, int64_t *marks)
{
	for (size_t i = 0; i < wu_type_count(); i++) {
		int rc = table_int(db, "SELECT coalesce(max(rowid), 0) FROM \"%w\"", wu_type_at(i), &marks[i]);
		if (rc)
			return rc;
	}
	return WU_OK;
}

/* A new row always gets a rowid above the largest one, so the rows above the
 * marks are exactly those this import added, in the order it added them.
 * OR FAIL for the reason wu__records_insert uses it: no statement journal,
 * and a failure rolls the whole import back. */
int wu__history_since(wu_db *db, const int64_t *marks)
{
	char now[32];
	wu__now(now);
	for (size_t i = 0; i < wu_type_count(); i++) {
		const wu_type *t = wu_type_at(i);
		sqlite3_stmt *st = NULL;
		int rc = prepare_owned(db, &st, sqlite3_mprintf(
			"INSERT OR FAIL INTO history (at, user, op, type, id, changes, rec) "
			"SELECT ?1, ?2, 'create', ?3, id, NULL, rowid FROM \"%w\" WHERE rowid > ?4 ORDER BY rowid", t->name));
		if (rc)
			return rc;
		sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, db->user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, t->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, marks[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = wu__err_sql(db, "cannot record history");
		sqlite3_finalize(st);
		if (rc)
			return rc;
	}
	return WU_OK;
}

int wu_record_add(char **out_id, wu_db *db, const char *type, const json_t *fields, unsigned flags)
{
	if (out_id)
		*out_id = NULL;
	wu__err_clear(db);
	const wu_type *t = wu_type_find(type);
	if (!t)
		return wu__err(db, WU_ENOTFOUND, "no record type '%s'", type ? type : "");
	if (!json_is_object(fields))
		return wu__err(db, WU_EINVAL, "%s: expected an object of fields", t->name);
	json_t *rec = json_deep_copy(fields);
	if (!rec)
		return wu__err_nomem(db);
	int rc = wu__write_begin(db);
	if (!rc) {
		rc = wu__record_insert(db, t, rec, flags);
		/* The caller's copy of the id is made before the commit: a failure
		 * to make it afterwards would report a stored record as not stored. */
		if (!rc && out_id && !(*out_id = strdup(json_string_value(json_object_get(rec, "id")))))
			rc = wu__err_nomem(db);
		rc = wu__write_end(db, rc);
	}
	if (rc && out_id) {
		free(*out_id);
		*out_id = NULL;
	}
	json_decref(rec);
	return rc;
}

/* ---- update ------------------------------------------------------------------------ */

/* {field: [old, new]} for every field that differs; new (or NULL). */
static json_t *diff(const json_t *before, const json_t *after)
{
	json_t *d = json_object();
	const char *key;
	json_t *v;
	if (!d)
		return NULL;
	json_object_foreach((json_t *)before, key, v) {
		json_t *w = json_object_get(after, key);
		if (!strcmp(key, "updated") || json_equal(v, w))
			continue;
		if (json_object_set_new(d, key, json_pack("[OO]", v, w ? w : json_null())))
			goto fail;
	}
	json_object_foreach((json_t *)after, key, v) {
		if (!json_object_get(before, key) &&
		    json_object_set_new(d, key, json_pack("[nO]", v)))
			goto fail;
	}
	return d;
fail:
	json_decref(d);
	return NULL;
}

static int apply_patch(wu_db *db, const wu_type *t, json_t *rec, const json_t *patch)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)patch, key, v) {
		if (!strcmp(key, "id") || !strcmp(key, "created") || !strcmp(key, "updated") || !strcmp(key, "type")) {
			if (json_equal(v, json_object_get(rec, key)))
				continue;
			return wu__err(db, WU_EINVAL, "%s.%s: cannot be changed", t->name, key);
		}
		if (!wu_field_find(t, key))
			return wu__err(db, WU_EINVAL, "%s: unknown field '%s'", t->name, key);
		if (json_is_null(v) && wu_field_find(t, key)->flags & WU_F_REQUIRED)
			return wu__err(db, WU_EINVAL, "%s.%s: required, cannot be removed", t->name, key);
		if (json_is_null(v))
			json_object_del(rec, key);
		else if (json_object_set(rec, key, v))
			return wu__err_nomem(db);
	}
	return WU_OK;
}

static int scan_changed_text(wu_db *db, const wu_type *t, const json_t *before, const json_t *after)
{
	for (size_t i = 0; i < t->nfields; i++) {
		const wu_field *f = &t->fields[i];
		const json_t *v = json_object_get(after, f->name);
		if ((f->kind != WU_K_TEXT && f->kind != WU_K_URL) || !v || json_equal(v, json_object_get(before, f->name)))
			continue;
		int rc = wu__personal_check(db, t, f, json_string_value(v));
		if (rc)
			return rc;
	}
	return WU_OK;
}

static int update_in_tx(wu_db *db, const wu_type *t, const char *id, const json_t *patch, unsigned flags)
{
	json_t *before = NULL, *after = NULL, *changes = NULL;
	struct wu_type_stmts *ts = NULL;
	int rc = load(db, t, id, &before);
	if (!rc && !(after = json_deep_copy(before)))
		rc = wu__err_nomem(db);
	json_object_del(after, "type");
	if (!rc)
		rc = apply_patch(db, t, after, patch);
	/* Text that was accepted before (perhaps forced) is not scanned again;
	 * what the patch brings is. */
	if (!rc)
		rc = validate_fields(db, t, after, flags | WU_FORCE);
	if (!rc && !(flags & WU_FORCE))
		rc = scan_changed_text(db, t, before, after);
	if (!rc && !strcmp(t->name, "attestation"))
		rc = wu__attestation_update_check(db, before, after);
	if (!rc)
		rc = wu__check_refs(db, t, after, NULL);
	if (!rc && json_object_set_new(after, "type", json_string(t->name)))
		rc = wu__err_nomem(db);
	if (!rc && !(changes = diff(before, after)))
		rc = wu__err_nomem(db);
	if (!rc && json_object_size(changes) > 0) {
		char now[32];
		wu__now(now);
		if (json_object_set_new(after, "updated", json_string(now)))
			rc = wu__err_nomem(db);
		if (!rc)
			rc = stmts(db, t, &ts);
		if (!rc)
			rc = bind_record(db, t, ts->update, after);
		if (!rc && sqlite3_step(ts->update) != SQLITE_DONE)
			rc = insert_error(db, t, after);
		if (ts) {
			sqlite3_reset(ts->update);
			sqlite3_clear_bindings(ts->update);
		}
		if (!rc)
			rc = history_add(db, "update", t, id, now, changes, 0);
	}
	json_decref(before);
	json_decref(after);
	json_decref(changes);
	return rc;
}

int wu_record_update(wu_db *db, const char *id, const json_t *patch, unsigned flags)
{
	wu__err_clear(db);
	if (!json_is_object(patch))
		return wu__err(db, WU_EINVAL, "update: expected an object of fields");
	int rc = wu__write_begin(db);
	if (rc)
		return rc;
	const wu_type *t = wu__type_of_id(db, id, &rc);
	if (t)
		rc = update_in_tx(db, t, id, patch, flags);
	return wu__write_end(db, rc);
}

/* ---- delete ----------------------------------------------------------------------- */

/* The first record that refers to `id` through a field of type `ref`. */
static int find_referrer(wu_db *db, const char *target_type, const char *id, char **out_desc)
{
	*out_desc = NULL;
	for (size_t i = 0; i < wu_type_count(); i++) {
		const wu_type *t = wu_type_at(i);
		for (size_t k = 0; k < t->nfields; k++) {
			const wu_field *f = &t->fields[k];
			/* a WU_K_RECORD field may name a record of any type */
			bool any = f->kind == WU_K_RECORD && wu__is_claim_type(wu_type_find(target_type));
			if (!any && ((f->kind != WU_K_REF && f->kind != WU_K_REFSET) || strcmp(f->ref, target_type)))
				continue;
			char *sql = f->kind != WU_K_REFSET
				? sqlite3_mprintf("SELECT id FROM \"%w\" WHERE \"%w\" = ?1 LIMIT 1", t->name, f->name)
				: sqlite3_mprintf("SELECT id FROM \"%w\" WHERE EXISTS (SELECT 1 FROM json_each(\"%w\") "
						  "WHERE value = ?1) LIMIT 1", t->name, f->name);
			sqlite3_stmt *st = NULL;
			int rc = prepare_owned(db, &st, sql);
			if (rc)
				return rc;
			sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
			int s = sqlite3_step(st);
			if (s == SQLITE_ROW)
				*out_desc = sqlite3_mprintf("%s %s (field %s)", t->name, sqlite3_column_text(st, 0), f->name);
			else if (s != SQLITE_DONE)
				rc = wu__err_sql(db, "cannot look for references");
			sqlite3_finalize(st);
			if (rc)
				return rc;
			if (s == SQLITE_ROW)
				return *out_desc ? WU_OK : wu__err_nomem(db);
		}
	}
	return WU_OK;
}

/* Deletes the row of record `id` and logs it with its last state `before`. */
static int delete_row_logged(wu_db *db, const wu_type *t, const char *id, const json_t *before)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare_owned(db, &st, sqlite3_mprintf("DELETE FROM \"%w\" WHERE id = ?1", t->name));
	if (!rc) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = wu__err_sql(db, "cannot delete record");
	}
	sqlite3_finalize(st);
	wu__ref_cache_clear(db);
	if (!rc) {
		char now[32];
		wu__now(now);
		rc = history_add(db, "delete", t, id, now, before, 0);
	}
	return rc;
}

static int delete_in_tx(wu_db *db, const wu_type *t, const char *id)
{
	json_t *before = NULL;
	char *referrer = NULL;
	int rc = load(db, t, id, &before);
	if (!rc)
		rc = find_referrer(db, t->name, id, &referrer);
	if (!rc && referrer)
		rc = wu__err(db, WU_EREFERENCED, "%s %s is referenced by %s; change or remove that first", t->name, id, referrer);
	sqlite3_free(referrer);
	if (!rc)
		rc = delete_row_logged(db, t, id, before);
	json_decref(before);
	return rc;
}

int wu_record_delete(wu_db *db, const char *id)
{
	wu__err_clear(db);
	wu__ref_cache_clear(db);
	int rc = wu__write_begin(db);
	if (rc)
		return rc;
	const wu_type *t = wu__type_of_id(db, id, &rc);
	if (t)
		rc = delete_in_tx(db, t, id);
	return wu__write_end(db, rc);
}


/* ---- writes that sync makes ------------------------------------------------------ */

/* Stores `rec` (borrowed; canonical shape with id, created, updated) as the
 * record `id`, inserting or updating. A pulled revision is another peer's
 * validated record: it is validated again, but references may name records
 * that have not arrived yet, and text it brings was accepted over there. */
int wu__record_replace(wu_db *db, const wu_type *t, const json_t *rec)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	json_t *before = NULL, *after = json_deep_copy(rec), *changes = NULL;
	struct wu_type_stmts *ts = NULL;
	if (!after)
		return wu__err_nomem(db);
	int rc = load(db, t, id, &before);
	bool exists = rc == WU_OK;
	if (rc == WU_ENOTFOUND)
		rc = WU_OK;
	json_object_del(after, "type");
	if (!rc)
		rc = validate_fields(db, t, after, WU_FORCE);
	if (!rc)
		rc = stmts(db, t, &ts);
	if (!rc)
		rc = bind_record(db, t, exists ? ts->update : ts->insert, after);
	if (!rc && sqlite3_step(exists ? ts->update : ts->insert) != SQLITE_DONE)
		rc = insert_error(db, t, after);
	if (ts) {
		sqlite3_reset(exists ? ts->update : ts->insert);
		sqlite3_clear_bindings(exists ? ts->update : ts->insert);
	}
	if (!rc && exists) {
		json_object_set_new(after, "type", json_string(t->name));
		if (!(changes = diff(before, after)))
			rc = wu__err_nomem(db);
	}
	if (!rc) {
		char now[32];
		wu__now(now);
		rc = history_add(db, exists ? "update" : "create", t, id, now, changes,
				 exists ? 0 : sqlite3_last_insert_rowid(db->sql));
	}
	json_decref(before);
	json_decref(after);
	json_decref(changes);
	return rc;
}

/* Validates `rec` as wu__record_replace would store it, writing nothing. */
int wu__record_check(wu_db *db, const wu_type *t, const json_t *rec)
{
	json_t *copy = json_deep_copy(rec);
	if (!copy)
		return wu__err_nomem(db);
	json_object_del(copy, "type");
	int rc = WU_OK;
	const char *ts[] = { "created", "updated" };
	for (int i = 0; i < 2 && !rc; i++) {
		const char *v = json_string_value(json_object_get(copy, ts[i]));
		if (!v || !wu__timestamp_valid(v))
			rc = wu__err(db, WU_EINVAL, "%s.%s: '%s' is not an RFC 3339 UTC timestamp", t->name, ts[i],
				     v ? v : "(missing)");
	}
	if (!rc)
		rc = validate_fields(db, t, copy, WU_FORCE);
	json_decref(copy);
	return rc;
}

/* Deletes record `id` because its document was deleted on another peer:
 * records that still refer to it keep the reference, as they may on a
 * peer that has not seen the deletion yet. Absent already is fine. */
int wu__record_remove(wu_db *db, const wu_type *t, const char *id)
{
	json_t *before = NULL;
	int rc = load(db, t, id, &before);
	if (rc == WU_ENOTFOUND) {
		wu__err_clear(db);
		return WU_OK;
	}
	if (!rc)
		rc = delete_row_logged(db, t, id, before);
	json_decref(before);
	return rc;
}

/* ---- list -------------------------------------------------------------------------- */

/* The field through which records of `t` belong to a project, and whether
 * that is indirect (contribution -> output -> project). */
static const wu_field *project_link(const wu_type *t, bool *indirect)
{
	*indirect = false;
	const wu_field *f = wu_field_find(t, "project");
	if (f)
		return f;
	for (size_t i = 0; i < t->nfields; i++) {
		const wu_field *r = &t->fields[i];
		if (r->kind == WU_K_REF && (r->flags & WU_F_REQUIRED) && wu_field_find(wu_type_find(r->ref), "project")) {
			*indirect = true;
			return r;
		}
	}
	return NULL;
}

static char *where_project(const wu_type *t)
{
	bool indirect;
	if (!strcmp(t->name, "project"))
		return sqlite3_mprintf("id = :project");
	const wu_field *f = project_link(t, &indirect);
	if (!f)
		return sqlite3_mprintf("0");
	if (indirect)
		return sqlite3_mprintf("\"%w\" IN (SELECT id FROM \"%w\" WHERE project = :project)", f->name, f->ref);
	return sqlite3_mprintf("\"%w\" = :project", f->name);
}

static char *where_org(const wu_type *t)
{
	if (!strcmp(t->name, "org"))
		return sqlite3_mprintf("id = :org");
	char *s = sqlite3_mprintf("0");
	for (size_t i = 0; s && i < t->nfields; i++) {
		const wu_field *f = &t->fields[i];
		if (!f->ref || strcmp(f->ref, "org"))
			continue;
		char *n = f->kind == WU_K_REF
			? sqlite3_mprintf("%s OR \"%w\" = :org", s, f->name)
			: sqlite3_mprintf("%s OR EXISTS (SELECT 1 FROM json_each(\"%w\") WHERE value = :org)", s, f->name);
		sqlite3_free(s);
		s = n;
	}
	return s;
}

/*
 * Steps through the rows of `t` that match `q`, oldest first, calling `fn`
 * with the statement positioned on each row (columns: id, created, updated,
 * then the fields in model order). `fn` returns non-zero to stop, and a
 * negative WU_E* code to fail.
 */
int wu__list_rows(wu_db *db, const wu_type *t, const wu_query *q, wu__row_fn fn, void *payload, bool *stopped)
{
	char *cols = column_list(t);
	char *wp = q && q->project ? where_project(t) : sqlite3_mprintf("1");
	char *wo = q && q->org ? where_org(t) : sqlite3_mprintf("1");
	char *sql = cols && wp && wo
		? sqlite3_mprintf("SELECT %s FROM \"%w\" WHERE (%s) AND (%s) ORDER BY rowid", cols, t->name, wp, wo)
		: NULL;
	sqlite3_free(cols);
	sqlite3_free(wp);
	sqlite3_free(wo);
	sqlite3_stmt *st = NULL;
	int rc = prepare_owned(db, &st, sql);
	if (rc)
		return rc;
	int i;
	if (q && q->project && (i = sqlite3_bind_parameter_index(st, ":project")))
		sqlite3_bind_text(st, i, q->project, -1, SQLITE_STATIC);
	if (q && q->org && (i = sqlite3_bind_parameter_index(st, ":org")))
		sqlite3_bind_text(st, i, q->org, -1, SQLITE_STATIC);
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		int r = fn(db, t, st, payload);
		if (r < 0)
			rc = r;
		if (r) {
			*stopped = true;
			break;
		}
	}
	if (!rc && !*stopped && s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot list records");
	sqlite3_finalize(st);
	return rc;
}

struct json_rows {
	wu_record_cb cb;
	void *payload;
};

static int row_as_json(wu_db *db, const wu_type *t, sqlite3_stmt *st, void *payload)
{
	struct json_rows *jr = payload;
	json_t *rec;
	int rc = wu__row_to_json(db, t, st, &rec);
	if (rc)
		return rc;
	int stop = jr->cb(rec, jr->payload);
	json_decref(rec);
	return stop ? 1 : 0;
}

static int list_type(wu_db *db, const wu_type *t, const wu_query *q, wu_record_cb cb, void *payload, bool *stopped)
{
	struct json_rows jr = { cb, payload };
	return wu__list_rows(db, t, q, row_as_json, &jr, stopped);
}

int wu_record_list(wu_db *db, const char *type, const wu_query *q, wu_record_cb cb, void *payload)
{
	wu__err_clear(db);
	const wu_type *only = NULL;
	if (type && !(only = wu_type_find(type)))
		return wu__err(db, WU_ENOTFOUND, "no record type '%s'", type);
	bool stopped = false;
	for (size_t i = 0; i < wu_type_count() && !stopped; i++) {
		const wu_type *t = wu_type_at(i);
		if (only && t != only)
			continue;
		int rc = list_type(db, t, q, cb, payload, &stopped);
		if (rc)
			return rc;
	}
	return WU_OK;
}

int wu_record_count(int64_t *out, wu_db *db, const char *type)
{
	*out = 0;
	for (size_t i = 0; i < wu_type_count(); i++) {
		const wu_type *t = wu_type_at(i);
		int64_t n = 0;
		if (type && strcmp(type, t->name))
			continue;
		int rc = table_int(db, "SELECT count(*) FROM \"%w\"", t, &n);
		if (rc)
			return rc;
		*out += n;
	}
	return WU_OK;
}

/* ---- resolve ------------------------------------------------------------------------ */

static bool prefix_like_id(const char *s)
{
	size_t n = strlen(s);
	if (n < 4 || n > 36)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef-", s[i]))
			return false;
	return true;
}

/* Adds to `found` the ids of `t` that `text` names; stops at two. */
static int collect_matches(wu_db *db, const wu_type *t, const char *text, char found[2][37], int *n)
{
	char *sql;
	bool by_id = prefix_like_id(text);
	if (t->label && !strcmp(t->name, "org"))
		sql = sqlite3_mprintf("SELECT id FROM \"%w\" WHERE (?2 AND id GLOB ?1 || '*') OR name = ?1 OR alias = ?1 LIMIT 3",
				      t->name);
	else if (t->label)
		sql = sqlite3_mprintf("SELECT id FROM \"%w\" WHERE (?2 AND id GLOB ?1 || '*') OR \"%w\" = ?1 LIMIT 3",
				      t->name, t->label);
	else if (by_id)
		sql = sqlite3_mprintf("SELECT id FROM \"%w\" WHERE ?2 AND id GLOB ?1 || '*' LIMIT 3", t->name);
	else
		return WU_OK;
	sqlite3_stmt *st = NULL;
	int rc = prepare_owned(db, &st, sql);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, by_id);
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		if (*n > 0 && !strcmp(found[0], id))
			continue;
		if (*n < 2)
			snprintf(found[*n], 37, "%s", id);
		(*n)++;
	}
	if (s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot resolve");
	sqlite3_finalize(st);
	return rc;
}

int wu_resolve(char **out_id, wu_db *db, const char *type, const char *text)
{
	*out_id = NULL;
	wu__err_clear(db);
	const wu_type *only = NULL;
	if (type && !(only = wu_type_find(type)))
		return wu__err(db, WU_ENOTFOUND, "no record type '%s'", type);
	char found[2][37];
	int n = 0;
	for (size_t i = 0; i < wu_type_count(); i++) {
		const wu_type *t = wu_type_at(i);
		if (only && t != only)
			continue;
		int rc = collect_matches(db, t, text, found, &n);
		if (rc)
			return rc;
	}
	if (n == 0)
		return wu__err(db, WU_ENOTFOUND, "no %s matches '%s'", only ? only->name : "record", text);
	if (n > 1)
		return wu__err(db, WU_EAMBIGUOUS, "'%s' matches several %ss (%s, %s ...); give more of the id",
			       text, only ? only->name : "record", found[0], found[1]);
	*out_id = strdup(found[0]);
	return *out_id ? WU_OK : wu__err_nomem(db);
}

/* ---- history ------------------------------------------------------------------------- */

int wu_history(wu_db *db, const char *id, wu_record_cb cb, void *payload)
{
	wu__err_clear(db);
	sqlite3_stmt *st = NULL;
	int rc = wu__prepare(db, &st,
			     "SELECT seq, at, user, op, type, id, changes FROM history "
			     "WHERE ?1 IS NULL OR id = ?1 ORDER BY seq");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *changes = (const char *)sqlite3_column_text(st, 6);
		json_t *e = json_pack("{sI ss ss ss ss ss so}", "seq", (json_int_t)sqlite3_column_int64(st, 0),
				      "at", sqlite3_column_text(st, 1), "user", sqlite3_column_text(st, 2),
				      "op", sqlite3_column_text(st, 3), "type", sqlite3_column_text(st, 4),
				      "id", sqlite3_column_text(st, 5),
				      "changes", changes ? json_loads(changes, 0, NULL) : json_null());
		if (!e) {
			rc = wu__err_nomem(db);
			break;
		}
		int stop = cb(e, payload);
		json_decref(e);
		if (stop)
			break;
	}
	if (!rc && s != SQLITE_ROW && s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot read history");
	sqlite3_finalize(st);
	return rc;
}
