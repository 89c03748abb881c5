/*
 * unit.h - shared by the cmocka unit tests of libwithus.
 */
#ifndef WU_UNIT_H
#define WU_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "internal.h"

/* A fresh in-memory database for each test. */
static inline int db_setup(void **state)
{
	wu_db *db = NULL;
	wu_open_opts o = { .user = "tester" };
	if (wu_db_open(&db, ":memory:", &o) != WU_OK) {
		wu_db_close(db);
		return -1;
	}
	*state = db;
	return 0;
}

static inline int db_teardown(void **state)
{
	wu_db_close(*state);
	return 0;
}

/* Adds a record from a JSON text; returns the id (static buffer per call site is
 * the caller's: copy it). Fails the test when the add fails. */
static inline void add_ok(wu_db *db, const char *type, const char *json, char out[37])
{
	json_error_t e;
	json_t *f = json_loads(json, 0, &e);
	assert_non_null(f);
	char *id = NULL;
	int rc = wu_record_add(&id, db, type, f, 0);
	if (rc)
		fail_msg("add %s %s: %s", type, json, wu_errmsg(db));
	snprintf(out, 37, "%s", id);
	wu_free(id);
	json_decref(f);
}

/* Adds and expects failure `want`; returns the message. */
static inline const char *add_fails(wu_db *db, const char *type, const char *json, int want)
{
	json_error_t e;
	json_t *f = json_loads(json, 0, &e);
	if (!f)
		fail_msg("bad test JSON: %s", json);
	int rc = wu_record_add(NULL, db, type, f, 0);
	json_decref(f);
	if (rc != want)
		fail_msg("add %s %s: expected %d, got %d (%s)", type, json, want, rc, wu_errmsg(db));
	return wu_errmsg(db);
}

#define assert_contains(hay, needle)                                                          \
	do {                                                                                  \
		if (!strstr((hay), (needle)))                                                 \
			fail_msg("'%s' does not contain '%s'", (hay), (needle));              \
	} while (0)

#endif
