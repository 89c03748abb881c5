/*
 * demo.c - the built-in demo dataset: fictional organisations and projects
 * that show good and poor practice, so that every command has something to
 * show on a fresh machine. It is imported like any JSON Lines file.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#include "demo-embed.inc"

static int set_demo_flag(wu_db *db)
{
	sqlite3_stmt *st = NULL;
	int rc = wu__prepare(db, &st, "INSERT OR REPLACE INTO meta (key, value) VALUES ('demo', '1')");
	if (!rc && sqlite3_step(st) != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot mark the demo database");
	sqlite3_finalize(st);
	return rc;
}

int wu_demo_load(uint64_t *out, wu_db *db)
{
	*out = 0;
	wu__err_clear(db);
	char *flag = NULL;
	int64_t n = 0;
	int rc = wu_meta_get(&flag, db, "demo");
	bool is_demo = rc == WU_OK && !strcmp(flag, "1");
	free(flag);
	if (rc && rc != WU_ENOTFOUND)
		return rc;
	if ((rc = wu_record_count(&n, db, NULL)))
		return rc;
	if (is_demo && n > 0)
		return WU_OK; /* loaded already */
	if (n > 0)
		return wu__err(db, WU_EDEMO, "the database holds %lld records that are not demo records; "
			       "the demo goes into a database of its own", (long long)n);
	const char *text = wu_demo_data[0].text;
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	if (!in)
		return wu__err_nomem(db);
	wu_import_opts o = { .format = "jsonl", .source = "demo" };
	rc = wu__write_begin(db);
	if (!rc)
		rc = wu_import(out, db, in, &o);
	if (!rc)
		rc = set_demo_flag(db);
	rc = wu__write_end(db, rc);
	fclose(in);
	return rc;
}
