/*
 * sync.h - what the sync files of libwithus share: MD5, the revision
 * store (revs.c), the HTTP client (http.c) and the replicator (sync.c).
 */
#ifndef WU_SYNC_H
#define WU_SYNC_H

#include <stdbool.h>
#include <stdint.h>
#include "internal.h"

/* md5.c */
struct wu_md5 {
	uint32_t h[4];
	uint64_t len;
	unsigned char buf[64];
};
void wu__md5_init(struct wu_md5 *c);
void wu__md5_update(struct wu_md5 *c, const void *data, size_t n);
void wu__md5_hex(struct wu_md5 *c, char out[33]);
void wu__md5_string(char out[33], const void *data, size_t n);

/* revs.c: documents and their revision trees */

/* `body` as compact JSON with sorted keys, byte for byte what jansson
 * writes with JSON_COMPACT | JSON_SORT_KEYS (malloc'd; NULL: no memory). */
char *wu__canonical(const json_t *body);

/* A revision id "N-sig" split into its parts; false if it is not one. */
bool wu__rev_parse(const char *rev, int64_t *gen, char sig[33]);

/* Makes the revisions that local writes since the last sync imply, from
 * the history rows after meta 'rev_mark', inside the caller's transaction. */
int wu__revs_catch_up(wu_db *db);
/* The same in steps: the history rows of the next `rows` seqs; *more when
 * some remain. Each step leaves revisions and rev_mark consistent. */
int wu__revs_catch_up_step(wu_db *db, int64_t rows, bool *more);

/* The shareable document body of a record (new), or NULL in *out when the
 * record may not leave this machine. */
int wu__share_body(wu_db *db, const wu_type *t, const json_t *rec, json_t **out);

/* Stores a pulled document `doc` (with _id, _rev, _revisions, maybe
 * _deleted) in the revision tree and, when the winner changes, in the
 * record table; inside the caller's transaction. *stored is false when
 * every revision was already here. */
int wu__revs_store_pulled(wu_db *db, const json_t *doc, bool *stored, bool *conflicted);

/* Whether revision `rev` of document `doc_id` is here. */
int wu__revs_have(wu_db *db, const char *doc_id, const char *rev, bool *have);

/* The leaf revision ids of document pk `doc` (new array of strings), and
 * if pks is not NULL their rev pks (new array of integers, in step). */
int wu__revs_leaves(wu_db *db, int64_t doc, json_t **out, json_t **pks);

/* Appends the document to upload for revision `rev` of document `doc_id`,
 * rev pk `pk` (0: not one of its leaves), as compact JSON text with sorted
 * keys: body, _id, _rev, _revisions and _deleted. */
int wu__revs_upload_text(wu_db *db, int64_t pk, const char *doc_id, const char *rev, struct wu_buf *out);

/* "TYPE:UUID" -> type and record id; NULL when it is not a withus record id. */
const wu_type *wu__doc_split(const char *doc_id, char id[37]);

/* sync.c: a remote as stored (sqlite3_malloc'd strings) */
struct remote_row {
	char *name, *url, *username, *auth, *cacert;
};
/* Remote `name`, or the only one when NULL. */
int wu__remote_load(wu_db *db, const char *name, struct remote_row *out);
void wu__remote_row_free(struct remote_row *r);

/* http.c: one reused connection to one server */
typedef struct wu_http wu_http;
struct wu_http_config {
	const char *base;          /* the database URL, no trailing slash */
	const char *username;
	const char *secret;        /* password or token; borrowed */
	const char *auth;          /* "none", "basic", "cookie", "jwt" */
	const char *cacert;
	bool insecure_tls;
	int max_retries;
	int retry_base_ms;
	int stall_seconds;         /* CURLOPT_LOW_SPEED_TIME; 0: 30 */
	/* a fault point for tests: called before each request with its number */
	wu_sync_fault_fn fault;
	wu_sync_transport_fn transport; /* answers in place of the network (tests, fuzzing) */
	void *fault_payload;
};
int wu__http_open(wu_http **out, wu_db *db, const struct wu_http_config *cfg);
/* sync.c: the connection to a stored remote, with the caller's secret and settings. */
int wu__remote_http_open(wu_http **out, wu_db *db, const struct remote_row *remote, const wu_sync_opts *opts);
void wu__http_close(wu_http *h);
/* Sends one request. `path` is appended to the database URL ("" for the
 * database itself, "/_changes?..."); with `root` it replaces the database
 * path ("/" for the server). `body` (borrowed) may be NULL. On return
 * *status is the HTTP status and *resp the parsed JSON (new, may be NULL).
 * Retries network errors, 408, 429 and 5xx; an error return means no usable
 * answer came. */
int wu__http_request(wu_http *h, const char *method, const char *path, bool root, const json_t *body,
		     long *status, json_t **resp);
/* The same with a body that is JSON text already (borrowed, `len` bytes). */
int wu__http_request_raw(wu_http *h, const char *method, const char *path, bool root, const char *body, size_t len,
			 long *status, json_t **resp);
/* Begins a request to the database URL + `path` that runs while the caller
 * goes on; takes `body` (malloc'd JSON text, freed by the handle). One at a
 * time: wu__http_finish waits for it and gives what wu__http_request
 * would have, and no other request may be made meanwhile. */
int wu__http_start(wu_http *h, const char *method, const char *path, char *body, size_t len);
int wu__http_finish(wu_http *h, long *status, json_t **resp);
/* The same with the answer's text in *out (the caller frees it). */
int wu__http_finish_text(wu_http *h, long *status, struct wu_buf *out);
/* Gives up the request under way: its transfer and retries stop soon, and
 * wu__http_finish reports it failed. */
void wu__http_cancel(wu_http *h);
long wu__http_requests(const wu_http *h);
long wu__http_connects(const wu_http *h);
/* A path segment (or query value) escaped for a URL (new). */
char *wu__http_escape(wu_http *h, const char *s);

#endif
