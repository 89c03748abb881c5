/*
 * store.c - opening the database, migrations, transactions, ids and time.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

/* The migrations, sql/NNN-*.sql, embedded at build time. */
#include "sql-embed.inc"

/* The version is the number of the last migration: "003-x.sql" is 3. */
static int migration_number(const char *name)
{
	return (int)strtol(name, NULL, 10);
}

int wu_schema_version(void)
{
	int v = 0;
	for (const struct wu_embedded *m = wu_migrations; m->name; m++)
		if (migration_number(m->name) > v)
			v = migration_number(m->name);
	return v;
}

int wu__prepare(wu_db *db, sqlite3_stmt **out, const char *sql)
{
	if (sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK)
		return wu__err_sql(db, "cannot prepare statement");
	return WU_OK;
}

static int exec(wu_db *db, const char *sql, const char *what)
{
	if (sqlite3_exec(db->sql, sql, NULL, NULL, NULL) != SQLITE_OK)
		return wu__err_sql(db, what);
	return WU_OK;
}

static int pragma_int(wu_db *db, const char *sql, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc = wu__prepare(db, &st, sql);
	if (rc)
		return rc;
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	else if (s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot read database header");
	sqlite3_finalize(st);
	return rc;
}

int wu_db_user_version(int *out, wu_db *db)
{
	*out = 0;
	return pragma_int(db, "PRAGMA user_version", out);
}

/* ---- transactions ---------------------------------------------------- */

/* Rolls back the open transaction, if any, with the statement prepared at
 * open. Returns whether none is left open. */
static bool roll_back(wu_db *db)
{
	if (sqlite3_get_autocommit(db->sql))
		return true;
	if (db->rollback) {
		sqlite3_step(db->rollback);
		sqlite3_reset(db->rollback);
	}
	if (!sqlite3_get_autocommit(db->sql))
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	return sqlite3_get_autocommit(db->sql) != 0;
}

/* Asks for a journal mode; true when it is the mode in force afterwards
 * (the PRAGMA answers with that mode, and answers the old one when it
 * cannot change). Sets no error: both callers carry on either way. */
static bool journal_mode_is(wu_db *db, const char *sql, const char *want)
{
	sqlite3_stmt *st = NULL;
	bool ok = false;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 0);
		ok = m && !strcmp(m, want);
	}
	sqlite3_finalize(st);
	return ok;
}

/* After the outermost commit or rollback of a bulk write: back to WAL. If
 * another process holds the file just then, the next end retries, and the
 * next open sets WAL anyway; what was written stays written. */
static int end_bulk(wu_db *db, int rc)
{
	if (db->tx_depth == 0 && db->bulk_journal && journal_mode_is(db, "PRAGMA journal_mode = WAL", "wal"))
		db->bulk_journal = false;
	return rc;
}

int wu_begin_bulk(wu_db *db)
{
	/* Leaving WAL needs the only connection: with another one open the
	 * PRAGMA answers "wal" (or busy), and the write goes ahead in WAL. */
	const char *file = sqlite3_db_filename(db->sql, "main");
	if (db->tx_depth == 0 && !db->bulk_journal && !(db->flags & WU_OPEN_READONLY) && file && *file &&
	    sqlite3_get_autocommit(db->sql))
		db->bulk_journal = journal_mode_is(db, "PRAGMA journal_mode = DELETE", "delete");
	int rc = wu_begin(db);
	return rc ? end_bulk(db, rc) : WU_OK;
}

int wu_begin(wu_db *db)
{
	/* A transaction left open by a failed rollback is never built on. */
	if (db->tx_depth == 0 && !roll_back(db))
		return wu__err(db, WU_EDB, "a failed write could not be rolled back; close and reopen the database");
	if (db->tx_depth == 0) {
		/* IMMEDIATE takes the write lock now, so a second writer waits in
		 * the busy handler instead of failing at its first write. */
		int rc = exec(db, "BEGIN IMMEDIATE", "cannot begin transaction");
		if (rc)
			return rc;
		db->tx_failed = false;
		wu__ref_cache_clear(db); /* another process may have changed things */
	}
	db->tx_depth++;
	return WU_OK;
}

int wu_commit(wu_db *db)
{
	if (db->tx_depth <= 0)
		return wu__err(db, WU_EMISUSE, "commit without a transaction");
	if (--db->tx_depth > 0)
		return WU_OK;
	if (db->tx_failed) {
		roll_back(db);
		db->tx_failed = false;
		wu__ref_cache_clear(db);
		return end_bulk(db, wu__err(db, WU_EMISUSE, "an earlier step failed: nothing was written"));
	}
	if (sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = wu__err_sql(db, "cannot commit");
		wu__ref_cache_clear(db);
		roll_back(db);
		return end_bulk(db, rc);
	}
	return end_bulk(db, WU_OK);
}

int wu_rollback(wu_db *db)
{
	if (db->tx_depth <= 0)
		return wu__err(db, WU_EMISUSE, "rollback without a transaction");
	if (--db->tx_depth > 0) {
		db->tx_failed = true;
		return WU_OK;
	}
	db->tx_failed = false;
	wu__ref_cache_clear(db); /* ids inserted in this transaction are gone */
	/* The message of the failure that led here must survive. */
	roll_back(db);
	return end_bulk(db, WU_OK);
}

/* A read snapshot: deferred, so readers never take the write lock. Inside a
 * caller's transaction it reads what that transaction sees. */
int wu__read_begin(wu_db *db, bool *began)
{
	*began = false;
	if (db->tx_depth > 0 || !sqlite3_get_autocommit(db->sql)) /* inside a write or an outer read */
		return WU_OK;
	int rc = exec(db, "BEGIN DEFERRED", "cannot begin reading");
	*began = rc == WU_OK;
	return rc;
}

void wu__read_end(wu_db *db, bool began)
{
	if (began)
		sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL);
}

int wu__write_begin(wu_db *db)
{
	if (db->flags & WU_OPEN_READONLY)
		return wu__err(db, WU_EMISUSE, "the database was opened read-only");
	return wu_begin(db);
}

int wu__write_end(wu_db *db, int rc)
{
	if (rc == WU_OK)
		return wu_commit(db);
	wu_rollback(db);
	return rc;
}

void wu__ref_cache_clear(wu_db *db)
{
	if (++db->ref_gen == 0) { /* wrapped: old slots could match again */
		if (db->ref_cache)
			memset(db->ref_cache, 0, WU_REF_CACHE * sizeof *db->ref_cache);
		db->ref_gen = 1;
	}
}

/* ---- migrations -------------------------------------------------------- */

/* Any row that names a missing parent, after a migration: one is an error. */
static int foreign_keys_hold(wu_db *db)
{
	sqlite3_stmt *st = NULL;
	int rc = wu__prepare(db, &st, "PRAGMA foreign_key_check");
	if (rc)
		return rc;
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		rc = wu__err(db, WU_EDB, "a row of %s names a missing row of %s", (const char *)sqlite3_column_text(st, 0),
			     (const char *)sqlite3_column_text(st, 2));
	else if (s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot check foreign keys");
	sqlite3_finalize(st);
	return rc;
}

/* One migration, one transaction. Foreign keys are off while it runs, as
 * SQLite's procedure for rebuilding a table asks (dropping a parent table
 * would otherwise fail or cascade), and checked before it commits. */
static int apply_migration(wu_db *db, const struct wu_embedded *m)
{
	int n = migration_number(m->name);
	int rc = exec(db, "PRAGMA foreign_keys = OFF", "cannot disable foreign keys");
	if (!rc)
		rc = wu__write_begin(db);
	if (rc)
		return rc;
	if (sqlite3_exec(db->sql, m->text, NULL, NULL, NULL) != SQLITE_OK) {
		rc = wu__err_sql(db, "migration failed");
		wu__err_prefix(db, "%s", m->name);
	}
	char *sql = rc ? NULL : sqlite3_mprintf("PRAGMA user_version = %d; PRAGMA application_id = %d",
						n, WU_APPLICATION_ID);
	if (!rc && !sql)
		rc = wu__err_nomem(db);
	if (!rc)
		rc = exec(db, sql, "cannot record schema version");
	sqlite3_free(sql);
	if (!rc && (rc = foreign_keys_hold(db)))
		wu__err_prefix(db, "%s", m->name);
	rc = wu__write_end(db, rc);
	if (rc) {
		sqlite3_exec(db->sql, "PRAGMA foreign_keys = ON", NULL, NULL, NULL); /* the first error is the one to report */
		return rc;
	}
	return exec(db, "PRAGMA foreign_keys = ON", "cannot enable foreign keys");
}

/* A file that SQLite can read but that some other program made is refused,
 * rather than filled with our tables. */
static int check_ownership(wu_db *db, int version)
{
	int app = 0, tables = 0;
	int rc = pragma_int(db, "PRAGMA application_id", &app);
	if (!rc)
		rc = pragma_int(db, "SELECT count(*) FROM sqlite_schema", &tables);
	if (rc)
		return rc;
	if (app != 0 && app != WU_APPLICATION_ID)
		return wu__err(db, WU_ENOTDB, "not a withus database (application id %d)", app);
	if (app == 0 && tables > 0)
		return wu__err(db, WU_ENOTDB, "not a withus database (it has tables of another program)");
	if (version > wu_schema_version())
		return wu__err(db, WU_EVERSION,
			       "the database has schema version %d, made by a newer withus; this one knows up to %d",
			       version, wu_schema_version());
	return WU_OK;
}

static int migrate(wu_db *db)
{
	int version = 0;
	int rc = wu_db_user_version(&version, db);
	if (!rc)
		rc = check_ownership(db, version);
	if (rc)
		return rc;
	for (const struct wu_embedded *m = wu_migrations; m->name; m++) {
		if (migration_number(m->name) <= version)
			continue;
		if (db->flags & WU_OPEN_READONLY)
			return wu__err(db, WU_EVERSION, "the database needs migrating to version %d; open it for writing once",
				       wu_schema_version());
		rc = apply_migration(db, m);
		if (rc)
			return rc;
	}
	return WU_OK;
}

/* ---- open / close ---------------------------------------------------------- */

/* SQLite would create the file with the process umask; a database that may
 * be seized must not be readable by others, so we make it 0600 first. SQLite
 * gives its -wal and -shm files the same mode. */
static int create_private_file(wu_db *db, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return WU_OK;
		return wu__err(db, WU_EIO, "cannot create '%s': %s", path, strerror(errno));
	}
	close(fd);
	return WU_OK;
}

static bool is_memory_path(const char *path)
{
	return strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0;
}

/* While another process writes in bulk (wu_begin_bulk) the file has a
 * rollback journal, and turning WAL back on needs its lock. SQLite does not
 * call the busy handler there (this connection already reads, so waiting
 * could deadlock), so the wait is here, as long as the busy timeout. */
static int enable_wal(wu_db *db, int busy_ms)
{
	for (int waited = 0;; waited += 20) {
		if (sqlite3_exec(db->sql, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) == SQLITE_OK)
			return WU_OK;
		if ((sqlite3_errcode(db->sql) & 0xff) != SQLITE_BUSY)
			return wu__err_sql(db, "cannot enable WAL");
		if (waited >= busy_ms)
			return wu__err(db, WU_EBUSY, "the database is busy: another process holds it for a bulk write "
						     "(an import); try again when that ends");
		sqlite3_sleep(20);
	}
}

static int set_pragmas(wu_db *db, int busy_ms)
{
	sqlite3_busy_timeout(db->sql, busy_ms > 0 ? busy_ms : 10000);
	sqlite3_extended_result_codes(db->sql, 1);
	int rc = exec(db, "PRAGMA foreign_keys = ON", "cannot enable foreign keys");
	if (rc)
		return rc;
	if (!(db->flags & WU_OPEN_READONLY)) {
		/* WAL lets readers run beside one writer; FULL sync because a
		 * lost disbursement record is a real harm. */
		rc = enable_wal(db, busy_ms > 0 ? busy_ms : 10000);
		if (!rc)
			rc = exec(db, "PRAGMA synchronous = FULL", "cannot set synchronous");
		/* A 64 MiB page cache keeps a large import's index pages in
		 * memory instead of spilling them mid-transaction; it is an upper
		 * bound, so memory stays flat however large the input. */
		if (!rc)
			rc = exec(db, "PRAGMA cache_size = -65536", "cannot set the cache size");
	}
	return rc;
}

static int open_sqlite(wu_db *db, const char *path, unsigned flags)
{
	int oflags = SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
	if (flags & WU_OPEN_READONLY) {
		oflags |= SQLITE_OPEN_READONLY;
	} else {
		oflags |= SQLITE_OPEN_READWRITE;
		if (!is_memory_path(path)) {
			struct stat sb;
			if (stat(path, &sb) != 0) {
				if (flags & WU_OPEN_NOCREATE)
					return wu__err(db, WU_ENOTFOUND, "no database at '%s'", path);
				int rc = create_private_file(db, path);
				if (rc)
					return rc;
			}
		} else {
			oflags |= SQLITE_OPEN_CREATE;
		}
	}
	/* One thread at a time uses a handle (withus.h): SQLite need not lock
	 * the connection on every call. */
	oflags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &db->sql, oflags, NULL) != SQLITE_OK) {
		if (!db->sql)
			return wu__err_nomem(db);
		return wu__err(db, WU_EIO, "cannot open '%s': %s", path, sqlite3_errmsg(db->sql));
	}
	return WU_OK;
}

int wu_db_open(wu_db **out, const char *path, const wu_open_opts *opts)
{
	*out = NULL;
	wu_db *db = calloc(1, sizeof *db);
	if (!db)
		return WU_ENOMEM;
	*out = db;
	if (!path)
		return wu__err(db, WU_EMISUSE, "no database path");
	db->flags = opts ? opts->flags : 0;
	db->user = strdup(opts && opts->user ? opts->user : "unknown");
	db->stmts = calloc(wu_type_count(), sizeof *db->stmts);
	if (!db->user || !db->stmts)
		return wu__err_nomem(db);
	int rc = open_sqlite(db, path, db->flags);
	if (!rc)
		rc = set_pragmas(db, opts ? opts->busy_timeout_ms : 0);
	/* Prepared now, while there is memory: when a write fails for lack of
	 * it, ROLLBACK through sqlite3_exec could fail too and leave the
	 * transaction open, and a later commit would then keep half a write. */
	if (!rc && sqlite3_prepare_v2(db->sql, "ROLLBACK", -1, &db->rollback, NULL) != SQLITE_OK)
		rc = wu__err_sql(db, "cannot prepare");
	if (!rc)
		rc = migrate(db);
	if (!rc)
		rc = wu__load_reference(db);
	if (rc == WU_ENOTDB && db->sql && sqlite3_errcode(db->sql) == SQLITE_NOTADB)
		rc = wu__err(db, WU_ENOTDB, "not a withus database (not an SQLite file at all)");
	return rc;
}

void wu_db_close(wu_db *db)
{
	if (!db)
		return;
	if (db->stmts) {
		for (size_t i = 0; i < wu_type_count(); i++) {
			sqlite3_finalize(db->stmts[i].insert);
			sqlite3_finalize(db->stmts[i].update);
			sqlite3_finalize(db->stmts[i].select_one);
			sqlite3_finalize(db->stmts[i].exists);
			sqlite3_finalize(db->stmts[i].select_at);
			sqlite3_finalize(db->stmts[i].insert_rows);
		}
	}
	sqlite3_finalize(db->history_insert);
	sqlite3_finalize(db->history_seq);
	for (size_t i = 0; i < sizeof db->sync_stmts / sizeof db->sync_stmts[0]; i++)
		sqlite3_finalize(db->sync_stmts[i]);
	if (db->sql)
		roll_back(db);
	sqlite3_finalize(db->rollback);
	sqlite3_close(db->sql);
	free(db->stmts);
	free(db->ref_cache);
	free(db->currencies);
	free(db->countries);
	free(db->user);
	free(db->errmsg);
	free(db);
}

int wu_meta_get(char **out, wu_db *db, const char *key)
{
	*out = NULL;
	sqlite3_stmt *st = NULL;
	int rc = wu__prepare(db, &st, "SELECT value FROM meta WHERE key = :key");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*out = strdup((const char *)sqlite3_column_text(st, 0));
		if (!*out)
			rc = wu__err_nomem(db);
	} else if (s == SQLITE_DONE) {
		rc = wu__err(db, WU_ENOTFOUND, "no meta value '%s'", key);
	} else {
		rc = wu__err_sql(db, "cannot read meta");
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- ids and time ------------------------------------------------------ */

void wu__now(char buf[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* UUID version 4: all random, so an id says nothing about the record it
 * names (not even when it was made), and a short prefix is enough to tell
 * records apart, as with git's abbreviated hashes. */
int wu__uuid_v4(char out[37])
{
	unsigned char b[16];
	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
		return WU_EIO;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	static const char hex[] = "0123456789abcdef";
	char *p = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[b[i] >> 4];
		*p++ = hex[b[i] & 15];
	}
	*p = '\0';
	return WU_OK;
}
