/*
 * internal.h - what the files of libwithus share and nobody else sees.
 */
#ifndef WU_INTERNAL_H
#define WU_INTERNAL_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include "withus.h"

#define WU_APPLICATION_ID 0x57557331 /* "WUs1" */

struct wu_embedded {
	const char *name;
	const char *text;
};

struct wu_currency {
	char code[4];
	int exponent;
};

/* Prepared statements kept for the life of the handle, per record type. */
struct wu_type_stmts {
	sqlite3_stmt *insert;
	sqlite3_stmt *update;
	sqlite3_stmt *select_one;
	sqlite3_stmt *exists;
	sqlite3_stmt *select_at;  /* by rowid; prepared on first use */
	sqlite3_stmt *insert_rows; /* WU_STORE_ROWS rows at once (import); on first use */
};

/* Ids known to exist, so that an import of a million rows naming the same
 * projects does not look each one up every time. Room for a portfolio of
 * ~10k projects and their organisations; allocated on first use (~720 KiB).
 * Valid only inside one transaction: cleared when one begins, rolls back, or
 * deletes, by moving to the next generation rather than zeroing it. */
#define WU_REF_CACHE 16384
struct wu_ref_slot {
	uint32_t gen;        /* the db's ref_gen when filled */
	unsigned char type;  /* wu__type_index + 1; 0 = empty */
	char id[37];
};

struct wu_db {
	sqlite3 *sql;
	char *errmsg;
	char *user;
	unsigned flags;
	int tx_depth;       /* wu_begin nesting */
	bool tx_failed;     /* an inner step failed: the outermost commit must roll back */
	bool bulk_journal;  /* wu_begin_bulk left WAL: the outermost end returns to it */
	struct wu_currency *currencies;
	size_t ncurrencies;
	char (*countries)[3];
	size_t ncountries;
	struct wu_type_stmts *stmts; /* one per type, index as wu_type_at() */
	struct wu_ref_slot *ref_cache; /* WU_REF_CACHE slots, or NULL */
	uint32_t ref_gen;
	sqlite3_stmt *history_insert;
	sqlite3_stmt *history_seq;
	sqlite3_stmt *sync_stmts[24]; /* revs.c's, prepared on first use */
	sqlite3_stmt *rollback;       /* prepared at open: a rollback must not need memory */
};

/* error.c */
int wu__err(wu_db *db, int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
int wu__err_sql(wu_db *db, const char *what);
int wu__err_nomem(wu_db *db);
void wu__err_clear(wu_db *db);
/* Takes the current message (the caller owns it), and puts one back: for
 * best-effort clean-up that must not replace the error being reported. */
char *wu__err_take(wu_db *db);
int wu__err_put(wu_db *db, int code, char *msg);
/* Prefixes the current message with "prefix: " (e.g. an import line). */
void wu__err_prefix(wu_db *db, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* store.c */
int wu__prepare(wu_db *db, sqlite3_stmt **out, const char *sql);
int wu__read_begin(wu_db *db, bool *began);
void wu__read_end(wu_db *db, bool began);
int wu__write_begin(wu_db *db);
int wu__write_end(wu_db *db, int rc);
size_t wu__type_index(const wu_type *t);
void wu__now(char buf[32]);
int wu__uuid_v4(char out[37]);
void wu__ref_cache_clear(wu_db *db);

/* money.c */
int wu__load_reference(wu_db *db);
bool wu__country_known(const wu_db *db, const char *code);

/* validate.c */
int wu__validate_value(wu_db *db, const wu_type *t, const wu_field *f, json_t *obj, unsigned flags);
int wu__validate_record(wu_db *db, const wu_type *t, json_t *rec, unsigned flags);
bool wu__date_valid(const char *s);
bool wu__timestamp_valid(const char *s);
bool wu__utf8_valid(const char *s, size_t len);
/* Returns a description of what looks personal in `s` ("an e-mail address"), or NULL. */
const char *wu__personal_scan(const char *s, char *found, size_t found_size);
/* WU_EPERSONAL with a message naming type, field and what was found. */
int wu__personal_check(wu_db *db, const wu_type *t, const wu_field *f, const char *s);
int wu__ror_normalise(char out[40], const char *s);
bool wu__orcid_valid(const char *s);
bool wu__orgid_valid(const char *s);

/* records.c */
#define WU__NO_HISTORY 0x100u /* insert without its history row: import writes them in bulk */
#define WU__WITH_META 0x200u  /* validate: the record also holds id, created and updated */
const wu_type *wu__type_of_id(wu_db *db, const char *id, int *rc);
/* wu_record_get when the type is known: no search through the tables. */
int wu__record_get_typed(json_t **out, wu_db *db, const wu_type *t, const char *id);
/* The same, read first from row `rowid` of its table (a hint: 0 for none). */
int wu__record_get_at(json_t **out, wu_db *db, const wu_type *t, const char *id, int64_t rowid);
int wu__row_to_json(wu_db *db, const wu_type *t, sqlite3_stmt *st, json_t **out);
int wu__record_insert(wu_db *db, const wu_type *t, json_t *rec, unsigned flags);
/* wu__record_insert in steps, for import: prepare checks and completes `rec`
 * and touches no database unless wu__record_prepare_needs_db(t);
 * wu__check_refs checks its references; wu__records_insert writes checked
 * records without their history, WU_STORE_ROWS in one statement (SQLite
 * opens a table and each of its indexes once a statement: at one statement
 * a row, that was a third of the instructions of a row). */
int wu__record_prepare(wu_db *db, const wu_type *t, json_t *rec, unsigned flags);
bool wu__record_prepare_needs_db(const wu_type *t);
#define WU_STORE_ROWS 32
struct wu_row {
	const json_t *rec;
	const json_t *const *cols; /* wu__record_columns of rec */
};
/* Inserts `n` records of type `t` in order; on error, *failed is the index
 * of the record the message is about. */
int wu__records_insert(wu_db *db, const wu_type *t, const struct wu_row *rows, size_t n, size_t *failed);
/* A record's values in column order: id, created, updated, then the type's
 * fields (NULL where unset); `cols` holds WU_MAX_COLUMNS. Looked up once, so
 * that store (cols given) need not search the record again. */
#define WU_MAX_COLUMNS 64
void wu__record_columns(const wu_type *t, const json_t *rec, const json_t **cols);
/* The highest rowid of every type's table, before a bulk insert. */
int wu__rowid_marks(wu_db *db, int64_t *marks);
/* One "create" history row for every record inserted after `marks`. */
int wu__history_since(wu_db *db, const int64_t *marks);
/* `cols` as wu__record_columns, or NULL to look them up. */
int wu__check_refs(wu_db *db, const wu_type *t, const json_t *rec, const json_t *const *cols);
typedef int (*wu__row_fn)(wu_db *db, const wu_type *t, sqlite3_stmt *st, void *payload);
int wu__list_rows(wu_db *db, const wu_type *t, const wu_query *q, wu__row_fn fn, void *payload, bool *stopped);
/* The column index of the currency that a MONEY field `f` of `t` is in. */
int wu__currency_col(const wu_type *t, const wu_field *f);

bool wu__id_valid(const char *s);
/* sync's writes: store a pulled winner (insert or update, no reference
 * check), validate one without storing, and delete one. */
int wu__record_replace(wu_db *db, const wu_type *t, const json_t *rec);
int wu__record_check(wu_db *db, const wu_type *t, const json_t *rec);
int wu__record_remove(wu_db *db, const wu_type *t, const char *id);

/* audit.c: attestations. fill derives project and claim_version from the
 * claim; check makes sure the claim names the organisation and belongs to
 * the project; update_check keeps claim and organisation fixed. */
bool wu__is_claim_type(const wu_type *t);
int wu__attestation_fill(wu_db *db, json_t *att);
int wu__attestation_check(wu_db *db, const json_t *att);
int wu__attestation_update_check(wu_db *db, const json_t *before, const json_t *after);
/* The claim's version as attestations record it (MD5 hex), and whether the
 * claim `claim_id` (of type `t`, when known: no search) is still at `version`. */
int wu__claim_version(wu_db *db, const json_t *claim, char out[33]);
int wu__claim_current(wu_db *db, const wu_type *t, const char *claim_id, const char *version, bool *out);

/* rates.c: `minor` units of `from` in `to` at the rate in force on `as_of`
 * (or the inverse of the other direction's); *found is false when there is
 * no such rate. Rounds half up once. */
int wu__rate_convert(wu_db *db, int64_t minor, const char *from, const char *to, const char *as_of, int64_t *out,
		     bool *found);

/* report.c: every organisation as profile `profile` may show it:
 * {id: {label, kind, country, region?, swlo? (only with consent outside
 * private), ident (org-id, XI-ROR-… or withus-UUID), iati_type,
 * community (led by or based in a community, whatever the kind shown)}}. */
int wu__profile_orgs(wu_db *db, wu_profile profile, json_t **out);

/* writer.c: output that keeps its first failure (report and standards writers). */
struct wu_out {
	FILE *f;
	bool failed;
};
void wu__put(struct wu_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The string at `key`, or "" when there is none. */
const char *wu__jstr(const json_t *obj, const char *key);
/* Text escaped for HTML or XML. */
void wu__put_markup(struct wu_out *o, const char *s);
/* A CSV cell, RFC 4180 quoted, with a formula defused by a leading '. */
void wu__csv_safe_cell(struct wu_out *o, const char *s, bool last);

/* writer.c: a growable byte buffer, always NUL-terminated once used. The
 * add functions return false when memory runs out; the buffer stays valid. */
struct wu_buf {
	char *data;
	size_t len, cap;
};
bool wu__buf_add(struct wu_buf *b, const void *p, size_t n);
bool wu__buf_adds(struct wu_buf *b, const char *s);
/* `s` as a JSON string, quoted and escaped as jansson escapes it. */
bool wu__buf_add_jstr(struct wu_buf *b, const char *s);
void wu__buf_free(struct wu_buf *b);

/* csv.c */
typedef struct wu_csv wu_csv;
int wu__csv_open(wu_csv **out, FILE *in);
/* Reads one row: *nfields cells in *cells (borrowed until the next call).
 * Returns 1 for a row, 0 at end of input, <0 on error (message in *err). */
int wu__csv_next(wu_csv *c, char ***cells, size_t *nfields, const char **err);
size_t wu__csv_cell_len(const wu_csv *c, size_t i); /* of cell i of the row just read */
uint64_t wu__csv_line(const wu_csv *c);
uint64_t wu__csv_bytes(const wu_csv *c);
void wu__csv_close(wu_csv *c);
int wu__csv_write_cell(FILE *out, const char *s);

#endif
