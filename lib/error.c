/*
 * error.c - result codes and the per-handle message (as sqlite3_errmsg).
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

const char *wu_strerror(int code)
{
	switch (code) {
	case WU_OK: return "ok";
	case WU_EINVAL: return "invalid value";
	case WU_ENOTFOUND: return "not found";
	case WU_EEXIST: return "already exists";
	case WU_EREFERENCED: return "referenced by another record";
	case WU_ENOMEM: return "out of memory";
	case WU_EIO: return "input/output error";
	case WU_EDB: return "database error";
	case WU_EBUSY: return "database is busy";
	case WU_EVERSION: return "database made by a newer withus";
	case WU_EPERSONAL: return "text looks like personal contact details";
	case WU_EAMBIGUOUS: return "ambiguous";
	case WU_ENOTDB: return "not a withus database";
	case WU_EDEMO: return "demo and real records would be mixed";
	case WU_EMISUSE: return "library misuse";
	case WU_ENET: return "network error";
	case WU_EAUTH: return "not authorised";
	case WU_EREMOTE: return "unexpected answer from the server";
	default: return "unknown error";
	}
}

const char *wu_version(void)
{
	return WU_VERSION;
}

const char *wu_errmsg(const wu_db *db)
{
	if (!db)
		return "out of memory";
	return db->errmsg ? db->errmsg : "no error";
}

void wu__err_clear(wu_db *db)
{
	free(db->errmsg);
	db->errmsg = NULL;
}

char *wu__err_take(wu_db *db)
{
	char *msg = db->errmsg;
	db->errmsg = NULL;
	return msg;
}

int wu__err_put(wu_db *db, int code, char *msg)
{
	free(db->errmsg);
	db->errmsg = msg;
	return code;
}

/* Keeps the message when formatting it fails for lack of memory: the code
 * still says what happened. */
static void set_message(wu_db *db, char *msg)
{
	free(db->errmsg);
	db->errmsg = msg;
}

static char *vformat(const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (s)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

int wu__err(wu_db *db, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_message(db, vformat(fmt, ap));
	va_end(ap);
	return code;
}

int wu__err_nomem(wu_db *db)
{
	set_message(db, NULL);
	return WU_ENOMEM;
}

int wu__err_sql(wu_db *db, const char *what)
{
	int ext = sqlite3_extended_errcode(db->sql);
	int code = WU_EDB;
	if ((ext & 0xff) == SQLITE_BUSY || (ext & 0xff) == SQLITE_LOCKED)
		code = WU_EBUSY;
	else if ((ext & 0xff) == SQLITE_NOMEM)
		return wu__err_nomem(db);
	else if ((ext & 0xff) == SQLITE_NOTADB)
		code = WU_ENOTDB;
	else if ((ext & 0xff) == SQLITE_IOERR || (ext & 0xff) == SQLITE_FULL ||
		 (ext & 0xff) == SQLITE_CANTOPEN || (ext & 0xff) == SQLITE_READONLY)
		code = WU_EIO;
	return wu__err(db, code, "%s: %s", what, sqlite3_errmsg(db->sql));
}

void wu__err_prefix(wu_db *db, const char *fmt, ...)
{
	if (!db->errmsg)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *prefix = vformat(fmt, ap);
	va_end(ap);
	if (!prefix)
		return;
	size_t n = strlen(prefix) + strlen(db->errmsg) + 3;
	char *s = malloc(n);
	if (s) {
		snprintf(s, n, "%s: %s", prefix, db->errmsg);
		set_message(db, s);
	}
	free(prefix);
}

void wu_free(void *p)
{
	free(p);
}
