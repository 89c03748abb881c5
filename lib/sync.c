/*
 * sync.c - remotes, and replication with a CouchDB-compatible server.
 *
 * One direction at a time, as ../shared/SYNC.md describes: verify the
 * peer, find where the last replication stopped (checkpoints on both
 * sides), read the source's changes in pages, ask the target which
 * revisions it lacks, copy those, and record the checkpoint only once
 * what it covers is durable on the target. Push reads the local change
 * feed (doc.local_seq); pull reads the server's _changes.
 *
 * Push keeps the server busy: it makes revisions of local edits a few pages
 * ahead, and uploads on two connections at once while it builds the next
 * page (see struct pipeline).
 */
#include "config.h"
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sync.h"

#define BATCH_DEFAULT 500        /* changes per page, documents per _bulk_docs */
#define BATCH_MAX 10000
#define BATCH_BYTES (4u << 20)   /* ... or this many bytes */
#define HISTORY_MAX 50
/* Checkpoints are written this often during a long run, and always at its
 * end or when it stops on an error the server answered: not after every
 * page, which would cost a request per batch (CouchDB's replicator also
 * checkpoints by time, every 30 s by default). A crash loses at most this
 * much progress; the next run's _revs_diff skips what already arrived. */
#define CHECKPOINT_INTERVAL_MS 30000
#define CATCH_UP_LEAD 8          /* pages of revisions made ahead of the upload, and committed together */

/* ---- remotes ------------------------------------------------------------- */

static bool loopback(const char *host)
{
	return !strcmp(host, "localhost") || !strncmp(host, "127.", 4) || !strcmp(host, "[::1]") ||
	       !strcmp(host, "::1");
}

/* Checks `url` and writes its normal form (no trailing slash) to *out (new). */
static int remote_url(wu_db *db, const char *url, unsigned flags, char **out)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL, *query = NULL, *frag = NULL, *path = NULL;
	int rc = WU_OK;
	*out = NULL;
	if (!u)
		return wu__err_nomem(db);
	if (!url || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		rc = wu__err(db, WU_EINVAL, "url: '%s' is not a URL (http://host:port/database)", url ? url : "");
		goto done;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	if (user || pass)
		rc = wu__err(db, WU_EINVAL, "url: credentials in a URL are refused (they would be stored and shown); "
					    "use --user and give the password when syncing");
	else if (!scheme || (strcmp(scheme, "http") && strcmp(scheme, "https")))
		rc = wu__err(db, WU_EINVAL, "url: '%s' is not http or https", url);
	else if (query || frag)
		rc = wu__err(db, WU_EINVAL, "url: '%s' has a query or fragment; give the database URL only", url);
	else if (!path || strlen(path) < 2 || !strcmp(path, "/"))
		rc = wu__err(db, WU_EINVAL, "url: '%s' names no database (http://host:port/database)", url);
	else if (!strcmp(scheme, "http") && !loopback(host) && !(flags & WU_REMOTE_ALLOW_HTTP))
		rc = wu__err(db, WU_EINVAL, "url: '%s' is plain http to another machine: records and passwords would "
					    "cross the network readable; use https, or --allow-http if you must", url);
	if (!rc) {
		size_t n = strlen(url);
		while (n > 0 && url[n - 1] == '/')
			n--;
		if (!(*out = sqlite3_mprintf("%.*s", (int)n, url)))
			rc = wu__err_nomem(db);
	}
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pass);
	curl_free(query);
	curl_free(frag);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

static bool name_valid(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *s))
			return false;
	return true;
}

int wu_remote_add(wu_db *db, const wu_remote *r, unsigned flags)
{
	wu__err_clear(db);
	const char *auth = r->auth ? r->auth : (r->username ? "basic" : "none");
	if (!name_valid(r->name))
		return wu__err(db, WU_EINVAL, "name: '%s' is not a remote name (letters, digits, - _ .)", r->name ? r->name : "");
	if (strcmp(auth, "none") && strcmp(auth, "basic") && strcmp(auth, "cookie") && strcmp(auth, "jwt"))
		return wu__err(db, WU_EINVAL, "auth: '%s' is not one of none, basic, cookie, jwt", auth);
	if ((!strcmp(auth, "basic") || !strcmp(auth, "cookie")) && !r->username)
		return wu__err(db, WU_EINVAL, "auth: %s needs --user", auth);
	char *url = NULL;
	int rc = remote_url(db, r->url, flags, &url);
	if (rc)
		return rc;
	char now[32];
	wu__now(now);
	sqlite3_stmt *st = NULL;
	rc = wu__write_begin(db);
	if (rc) {
		sqlite3_free(url);
		return rc;
	}
	rc = wu__prepare(db, &st, "INSERT INTO remote (name, url, username, auth, cacert, added) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	if (!rc) {
		sqlite3_bind_text(st, 1, r->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->username, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, auth, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r->cacert, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sqlite3_extended_errcode(db->sql) == SQLITE_CONSTRAINT_PRIMARYKEY
				     ? wu__err(db, WU_EEXIST, "remote '%s' exists already", r->name)
				     : wu__err_sql(db, "cannot add the remote");
	}
	sqlite3_finalize(st);
	sqlite3_free(url);
	return wu__write_end(db, rc);
}

int wu_remote_rm(wu_db *db, const char *name)
{
	wu__err_clear(db);
	int rc = wu__write_begin(db);
	if (rc)
		return rc;
	const char *sql[] = { "DELETE FROM checkpoint WHERE remote = ?1", "DELETE FROM sync_rejection WHERE remote = ?1",
			      "DELETE FROM remote WHERE name = ?1" };
	for (int i = 0; i < 3 && !rc; i++) {
		sqlite3_stmt *st = NULL;
		rc = wu__prepare(db, &st, sql[i]);
		if (!rc) {
			sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				rc = wu__err_sql(db, "cannot remove the remote");
			else if (i == 2 && sqlite3_changes(db->sql) == 0)
				rc = wu__err(db, WU_ENOTFOUND, "no remote '%s'", name ? name : "");
		}
		sqlite3_finalize(st);
	}
	return wu__write_end(db, rc);
}

/* Row -> wu_remote, strings borrowed from the statement. */
static void remote_from_row(sqlite3_stmt *st, wu_remote *r)
{
	r->name = (const char *)sqlite3_column_text(st, 0);
	r->url = (const char *)sqlite3_column_text(st, 1);
	r->username = (const char *)sqlite3_column_text(st, 2);
	r->auth = (const char *)sqlite3_column_text(st, 3);
	r->cacert = (const char *)sqlite3_column_text(st, 4);
}

int wu_remote_list(wu_db *db, wu_remote_cb cb, void *payload)
{
	wu__err_clear(db);
	sqlite3_stmt *st = NULL;
	int rc = wu__prepare(db, &st, "SELECT name, url, username, auth, cacert FROM remote ORDER BY name");
	int s = SQLITE_DONE;
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		wu_remote r;
		remote_from_row(st, &r);
		if (cb(&r, payload)) {
			s = SQLITE_DONE;
			break;
		}
	}
	if (!rc && s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot list remotes");
	sqlite3_finalize(st);
	return rc;
}

/* ---- one replication ----------------------------------------------------------- */

void wu__remote_row_free(struct remote_row *r)
{
	sqlite3_free(r->name);
	sqlite3_free(r->url);
	sqlite3_free(r->username);
	sqlite3_free(r->auth);
	sqlite3_free(r->cacert);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? sqlite3_mprintf("%s", s) : NULL;
}

int wu__remote_load(wu_db *db, const char *name, struct remote_row *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = NULL;
	int rc = wu__prepare(db, &st, "SELECT name, url, username, auth, cacert, count(*) OVER () FROM remote "
				      "WHERE ?1 IS NULL OR name = ?1 ORDER BY name");
	if (rc)
		return rc;
	if (name)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW && !name && sqlite3_column_int(st, 5) > 1)
		rc = wu__err(db, WU_EINVAL, "remote: there are %d remotes; name the one to sync with", sqlite3_column_int(st, 5));
	else if (s == SQLITE_ROW) {
		out->name = col_dup(st, 0);
		out->url = col_dup(st, 1);
		out->username = col_dup(st, 2);
		out->auth = col_dup(st, 3);
		out->cacert = col_dup(st, 4);
		if (!out->name || !out->url || !out->auth)
			rc = wu__err_nomem(db);
	} else if (s == SQLITE_DONE) {
		rc = name ? wu__err(db, WU_ENOTFOUND, "no remote '%s'; see 'withus remote list'", name)
			  : wu__err(db, WU_ENOTFOUND, "no remote to sync with; add one: withus remote add NAME URL");
	} else {
		rc = wu__err_sql(db, "cannot read the remote");
	}
	sqlite3_finalize(st);
	return rc;
}

struct run {
	wu_db *db;
	wu_http *http;
	wu_http *upload_http; /* a second connection, for a second batch under way */
	const wu_sync_opts *opts;
	struct remote_row remote;
	wu_sync_stats stats;
	char session[37];
	char start_time[32];
	bool no_db;        /* dry run against a database not made yet: it has nothing */
	bool remote_empty; /* the server's database held no document when we began */
	int64_t checkpointed_ms; /* monotonic time of the last checkpoint written */
	int batch;         /* changes per page, documents per upload */
	/* Push makes the revisions of local edits in steps as it goes, a few
	 * pages ahead of what it sends, and commits them before it sends them. */
	bool catching_up;      /* local edits remain to become revisions */
	bool catch_up_open;    /* its transaction is open */
	int catch_up_steps;    /* steps in that transaction */
	int64_t committed_seq; /* the feed is read up to here: nothing uncommitted leaves */
};

static void count_requests(struct run *r)
{
	r->stats.requests = wu__http_requests(r->http) + wu__http_requests(r->upload_http);
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool checkpoint_due(const struct run *r)
{
	return monotonic_ms() - r->checkpointed_ms >= CHECKPOINT_INTERVAL_MS;
}

static int fault(struct run *r, const char *point)
{
	if (r->opts->fault && r->opts->fault(point, 0, r->opts->payload))
		return wu__err(r->db, WU_ENET, "sync stopped at '%s' (injected fault)", point);
	return WU_OK;
}

/* An HTTP status that ends the sync: a message naming what was asked. */
static int status_error(struct run *r, const char *what, long status, const json_t *resp)
{
	const char *reason = json_string_value(json_object_get(resp, "reason"));
	const char *err = json_string_value(json_object_get(resp, "error"));
	if (status == 401 && !strcmp(r->remote.auth, "jwt"))
		return wu__err(r->db, WU_EAUTH, "%s: the server refused the token: it has expired or is not valid (HTTP 401%s%s)",
			       what, reason ? ": " : "", reason ? reason : "");
	if (status == 401)
		return wu__err(r->db, WU_EAUTH, "%s: the server refused the credentials%s%s (HTTP 401%s%s)", what,
			       r->remote.username ? " of " : "", r->remote.username ? r->remote.username : "",
			       reason ? ": " : "", reason ? reason : "");
	if (status == 403)
		return wu__err(r->db, WU_EAUTH, "%s: access refused (HTTP 403%s%s)", what, reason ? ": " : "",
			       reason ? reason : "");
	return wu__err(r->db, WU_EREMOTE, "%s: HTTP %ld%s%s%s%s", what, status, err ? " " : "", err ? err : "",
		       reason ? ": " : "", reason ? reason : "");
}

static int request(struct run *r, const char *method, const char *path, const json_t *body, long *status, json_t **resp)
{
	int rc = wu__http_request(r->http, method, path, false, body, status, resp);
	count_requests(r);
	return rc;
}

/* GET / and HEAD /db: is this a CouchDB-compatible server, and may we in? */
static int verify_peer(struct run *r)
{
	long status;
	json_t *resp = NULL;
	int rc = wu__http_request(r->http, "GET", "/", true, NULL, &status, &resp);
	if (!rc && status != 200)
		rc = status_error(r, "GET /", status, resp);
	if (!rc && !json_object_get(resp, "couchdb") && !json_object_get(resp, "express-pouchdb") &&
	    !json_object_get(resp, "version"))
		rc = wu__err(r->db, WU_EREMOTE, "%s does not answer like a CouchDB-compatible server", r->remote.url);
	json_decref(resp);
	resp = NULL;
	/* GET rather than HEAD: the same one request also says whether the
	 * database is empty, and a first push to an empty one needs no
	 * _revs_diff (the server lacks everything). Skipping it is always safe:
	 * new_edits:false merges what a concurrent writer sent meanwhile. */
	if (!rc)
		rc = request(r, "GET", "", NULL, &status, &resp);
	if (!rc && status == 200) {
		json_t *docs = json_object_get(resp, "doc_count"), *deleted = json_object_get(resp, "doc_del_count");
		r->remote_empty = json_is_integer(docs) && json_integer_value(docs) == 0 &&
				  (!deleted || (json_is_integer(deleted) && json_integer_value(deleted) == 0));
	}
	json_decref(resp);
	resp = NULL;
	if (!rc && status == 404 && r->opts->create && !r->opts->dry_run) {
		rc = request(r, "PUT", "", NULL, &status, &resp);
		if (!rc && status != 201 && status != 202 && status != 412)
			rc = status_error(r, "creating the database", status, resp);
		r->remote_empty = !rc && status != 412; /* 412: someone made it first */
		json_decref(resp);
		return rc;
	}
	if (!rc && status == 404 && r->opts->dry_run && r->opts->create) {
		r->no_db = true;
		return WU_OK;
	}
	if (!rc && status == 404)
		rc = wu__err(r->db, WU_ENOTFOUND, "%s: no such database on the server (sync --create makes it)", r->remote.url);
	else if (!rc && status != 200)
		rc = status_error(r, r->remote.url, status, NULL);
	return rc;
}

/* md5(local uuid, direction, url, user, filter): stable across runs and
 * password changes, different per direction, and holding no secret. */
static int replication_id(struct run *r, const char *direction, char out[33])
{
	char *uuid = NULL;
	int rc = wu_meta_get(&uuid, r->db, "uuid");
	if (rc)
		return rc;
	char *s = sqlite3_mprintf("%s\n%s\n%s\n%s\n", uuid, direction, r->remote.url,
				  r->remote.username ? r->remote.username : "");
	wu_free(uuid);
	if (!s)
		return wu__err_nomem(r->db);
	wu__md5_string(out, s, strlen(s));
	sqlite3_free(s);
	return WU_OK;
}

/* ---- checkpoints ------------------------------------------------------------------ */

struct checkpoint {
	char rep_id[33];
	const char *direction;
	json_t *local;     /* {session_id, last_seq, history, remote_rev} or NULL */
	json_t *remote;    /* the _local document or NULL */
	json_t *base;      /* the history this run carries on from */
	char *remote_rev;  /* its _rev */
};

static void checkpoint_free(struct checkpoint *c)
{
	json_decref(c->local);
	json_decref(c->remote);
	json_decref(c->base);
	free(c->remote_rev);
}

static int checkpoint_read_local(struct run *r, struct checkpoint *c)
{
	sqlite3_stmt *st = NULL;
	int rc = wu__prepare(r->db, &st, "SELECT session_id, last_seq, history FROM checkpoint WHERE rep_id = ?1");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, c->rep_id, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		json_error_t err;
		json_t *seq = json_loads((const char *)sqlite3_column_text(st, 1), JSON_DECODE_ANY, &err);
		json_t *hist = json_loads((const char *)sqlite3_column_text(st, 2), 0, &err);
		c->local = json_pack("{sssoso}", "session_id", (const char *)sqlite3_column_text(st, 0), "last_seq",
				     seq ? seq : json_integer(0), "history", hist ? hist : json_array());
		if (!c->local)
			rc = wu__err_nomem(r->db);
	} else if (s != SQLITE_DONE) {
		rc = wu__err_sql(r->db, "cannot read the checkpoint");
	}
	sqlite3_finalize(st);
	return rc;
}

static int checkpoint_read_remote(struct run *r, struct checkpoint *c)
{
	if (r->no_db)
		return WU_OK;
	char path[80];
	long status;
	json_t *resp = NULL;
	snprintf(path, sizeof path, "/_local/%s", c->rep_id);
	int rc = request(r, "GET", path, NULL, &status, &resp);
	if (!rc && status == 200 && json_is_object(resp)) {
		c->remote = resp;
		const char *rev = json_string_value(json_object_get(resp, "_rev"));
		if (rev && !(c->remote_rev = strdup(rev)))
			rc = wu__err_nomem(r->db);
		return rc;
	}
	if (!rc && status != 404)
		rc = status_error(r, "reading the checkpoint", status, resp);
	json_decref(resp);
	return rc;
}

/* Where to start, and the history to carry on from (c->base). The same
 * session on both sides resumes at its seq with its history; else the newest
 * session both histories share, with the entries from it back; else the
 * beginning with no history at all. Starting over must drop the old history:
 * a database recreated on the server, or restored here from a backup, has
 * new seqs, and an old entry carried along would later be taken for common
 * ground and skip what the new side never had. */
static int checkpoint_start(struct checkpoint *c, json_t **since)
{
	json_t *lh = c->local ? json_object_get(c->local, "history") : NULL;
	const char *ls = c->local ? json_string_value(json_object_get(c->local, "session_id")) : NULL;
	const char *rs = c->remote ? json_string_value(json_object_get(c->remote, "session_id")) : NULL;
	if (ls && rs && !strcmp(ls, rs)) {
		*since = json_incref(json_object_get(c->local, "last_seq"));
		c->base = json_incref(lh);
		return *since ? 0 : -1;
	}
	size_t i, k;
	json_t *le, *re;
	json_array_foreach(c->remote ? lh : NULL, i, le) {
		const char *s = json_string_value(json_object_get(le, "session_id"));
		json_array_foreach(json_object_get(c->remote, "history"), k, re) {
			const char *t = json_string_value(json_object_get(re, "session_id"));
			if (s && t && !strcmp(s, t) && json_object_get(le, "recorded_seq")) {
				*since = json_incref(json_object_get(le, "recorded_seq"));
				c->base = json_array();
				for (size_t j = i; c->base && j < json_array_size(lh); j++)
					if (json_array_append(c->base, json_array_get(lh, j)))
						return -1;
				return c->base ? 0 : -1;
			}
		}
	}
	*since = json_integer(0);
	c->base = json_array();
	return *since && c->base ? 0 : -1;
}

/* The history with this session's entry (new) at the front, <= 50 entries. */
static json_t *history_with(struct run *r, const json_t *old, const json_t *seq, int64_t written)
{
	char now[32];
	wu__now(now);
	json_t *h = json_array();
	json_t *entry = json_pack("{sssOsssssI}", "session_id", r->session, "recorded_seq", seq, "start_time",
				  r->start_time, "end_time", now, "docs_written", (json_int_t)written);
	if (!h || !entry) {
		json_decref(h);
		json_decref(entry);
		return NULL;
	}
	if (json_array_append_new(h, entry)) { /* append_new frees entry either way */
		json_decref(h);
		return NULL;
	}
	size_t i;
	json_t *e;
	json_array_foreach(old, i, e) {
		const char *s = json_string_value(json_object_get(e, "session_id"));
		if (json_array_size(h) >= HISTORY_MAX)
			break;
		if (s && strcmp(s, r->session) && json_array_append(h, e)) {
			json_decref(h);
			return NULL;
		}
	}
	return h;
}

static int checkpoint_write_local(struct run *r, struct checkpoint *c, const json_t *seq, const json_t *history)
{
	char *seq_text = json_dumps(seq, JSON_ENCODE_ANY | JSON_COMPACT);
	char *hist_text = json_dumps(history, JSON_COMPACT);
	sqlite3_stmt *st = NULL;
	int rc = seq_text && hist_text ? WU_OK : wu__err_nomem(r->db);
	if (!rc)
		rc = wu__prepare(r->db, &st,
				 "INSERT INTO checkpoint (rep_id, remote, direction, session_id, last_seq, history) "
				 "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (rep_id) DO UPDATE SET "
				 "session_id = ?4, last_seq = ?5, history = ?6");
	if (!rc) {
		sqlite3_bind_text(st, 1, c->rep_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->remote.name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, c->direction, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->session, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, seq_text, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, hist_text, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = wu__err_sql(r->db, "cannot record the checkpoint");
	}
	sqlite3_finalize(st);
	free(seq_text);
	free(hist_text);
	if (!rc) {
		json_decref(c->local);
		c->local = json_pack("{sssOsO}", "session_id", r->session, "last_seq", seq, "history", history);
		if (!c->local)
			rc = wu__err_nomem(r->db);
	}
	return rc;
}

/* PUT /_local/{rep_id}; on 409 read it again and retry with its _rev. */
static int checkpoint_write_remote(struct run *r, struct checkpoint *c, const json_t *seq, const json_t *history)
{
	char path[80];
	snprintf(path, sizeof path, "/_local/%s", c->rep_id);
	for (int attempt = 0; attempt < 3; attempt++) {
		json_t *doc = json_pack("{sssssOsOsi}", "_id", path + 1, "session_id", r->session, "source_last_seq", seq,
					"history", history, "replication_id_version", 3);
		if (!doc || (c->remote_rev && json_object_set_new(doc, "_rev", json_string(c->remote_rev)))) {
			json_decref(doc);
			return wu__err_nomem(r->db);
		}
		long status;
		json_t *resp = NULL;
		int rc = request(r, "PUT", path, doc, &status, &resp);
		json_decref(doc);
		if (!rc && (status == 201 || status == 200)) {
			const char *rev = json_string_value(json_object_get(resp, "rev"));
			free(c->remote_rev);
			c->remote_rev = rev ? strdup(rev) : NULL;
			json_decref(resp);
			return rev && !c->remote_rev ? wu__err_nomem(r->db) : WU_OK;
		}
		if (!rc && status != 409)
			rc = status_error(r, "recording the checkpoint", status, resp);
		json_decref(resp);
		if (rc)
			return rc;
		/* 409: someone else wrote it (or our earlier PUT landed and its answer was lost). */
		json_decref(c->remote);
		c->remote = NULL;
		free(c->remote_rev);
		c->remote_rev = NULL;
		if ((rc = checkpoint_read_remote(r, c)))
			return rc;
		if (c->remote && json_equal(json_object_get(c->remote, "source_last_seq"), seq) &&
		    json_is_string(json_object_get(c->remote, "session_id")) &&
		    !strcmp(json_string_value(json_object_get(c->remote, "session_id")), r->session))
			return WU_OK;
	}
	return wu__err(r->db, WU_EREMOTE, "the checkpoint on the server keeps changing under us (HTTP 409)");
}

static int checkpoint_begin(struct run *r, struct checkpoint *c, const char *direction, json_t **since)
{
	memset(c, 0, sizeof *c);
	c->direction = direction;
	int rc = replication_id(r, direction, c->rep_id);
	if (!rc)
		rc = checkpoint_read_local(r, c);
	if (!rc)
		rc = checkpoint_read_remote(r, c);
	if (!rc && checkpoint_start(c, since))
		rc = wu__err_nomem(r->db);
	return rc;
}

/* ---- rejections -------------------------------------------------------------------- */

static int reject(struct run *r, const char *direction, const char *doc_id, const char *rev, long status,
		  const char *error, const char *reason)
{
	char now[32];
	wu__now(now);
	sqlite3_stmt *st = NULL;
	int rc = wu__prepare(r->db, &st,
			     "INSERT INTO sync_rejection (doc_id, rev, remote, direction, status, error, reason, first_seen, last_seen) "
			     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) ON CONFLICT DO UPDATE SET "
			     "status = ?5, error = ?6, reason = ?7, last_seen = ?8, attempts = attempts + 1");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, doc_id ? doc_id : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rev ? rev : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->remote.name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, direction, -1, SQLITE_STATIC);
	if (status)
		sqlite3_bind_int64(st, 5, status);
	sqlite3_bind_text(st, 6, error ? error : "error", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = wu__err_sql(r->db, "cannot record a rejection");
	sqlite3_finalize(st);
	r->stats.rejected++;
	return rc;
}

/* ---- push ------------------------------------------------------------------------- */

struct page {
	json_t *diff;      /* {doc_id: [leaf revs]} for _revs_diff */
	json_t *pks;       /* {doc_id: [rev pk of each leaf in diff]} */
	int64_t last_seq;
	size_t n;
};

static int push_page(struct run *r, int64_t since, struct page *p)
{
	memset(p, 0, sizeof *p);
	p->diff = json_object();
	p->pks = json_object();
	if (!p->diff || !p->pks)
		return wu__err_nomem(r->db);
	bool began;
	int rc = wu__read_begin(r->db, &began);
	sqlite3_stmt *st = NULL;
	if (!rc)
		rc = wu__prepare(r->db, &st, "SELECT pk, doc_id, local_seq FROM doc WHERE local_seq > ?1 AND local_seq <= ?3 "
					     "ORDER BY local_seq LIMIT ?2");
	if (!rc) {
		sqlite3_bind_int64(st, 1, since);
		sqlite3_bind_int(st, 2, r->batch);
		sqlite3_bind_int64(st, 3, r->committed_seq);
	}
	int s = SQLITE_DONE;
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t pk = sqlite3_column_int64(st, 0);
		const char *doc_id = (const char *)sqlite3_column_text(st, 1);
		json_t *leaves = NULL;
		p->last_seq = sqlite3_column_int64(st, 2);
		p->n++;
		if (doc_id[0] == '_')
			continue; /* reserved ids never leave */
		json_t *leaf_pks = NULL;
		rc = wu__revs_leaves(r->db, pk, &leaves, &leaf_pks);
		if (!rc && (json_object_set_new(p->diff, doc_id, leaves) ||
			    json_object_set_new(p->pks, doc_id, leaf_pks)))
			rc = wu__err_nomem(r->db);
	}
	if (!rc && s != SQLITE_DONE)
		rc = wu__err_sql(r->db, "cannot read the local changes");
	sqlite3_finalize(st);
	wu__read_end(r->db, began);
	return rc;
}

static void page_free(struct page *p)
{
	json_decref(p->diff);
	json_decref(p->pks);
}

/* Documents to upload, as JSON text: one buffer and where each one is. */
struct upload_set {
	struct wu_buf text;
	struct span {
		size_t off, len;
	} *at;
	size_t n, cap;
};

static void upload_set_free(struct upload_set *u)
{
	wu__buf_free(&u->text);
	free(u->at);
	memset(u, 0, sizeof *u);
}

static bool upload_set_mark(struct upload_set *u, size_t off)
{
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 64;
		struct span *at = realloc(u->at, cap * sizeof *at);
		if (!at)
			return false;
		u->at = at;
		u->cap = cap;
	}
	u->at[u->n].off = off;
	u->at[u->n].len = u->text.len - off;
	u->n++;
	return true;
}

/* The _bulk_docs body for documents [from, to) of `u` (malloc'd). */
static char *bulk_body(const struct upload_set *u, size_t from, size_t to, size_t *len)
{
	struct wu_buf b = { 0 };
	bool ok = wu__buf_adds(&b, "{\"new_edits\":false,\"docs\":[");
	for (size_t i = from; ok && i < to; i++)
		ok = (i == from || wu__buf_add(&b, ",", 1)) && wu__buf_add(&b, u->text.data + u->at[i].off, u->at[i].len);
	if (!ok || !wu__buf_adds(&b, "]}")) {
		wu__buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return b.data;
}

static int upload(struct run *r, const struct upload_set *u, size_t from, size_t to);

/* What the server said to a _bulk_docs of documents [from, to) of `u`: a
 * 413 splits the batch in half and sends each (a single document still
 * too large is a rejection); per-document errors are rejections. */
static int bulk_answer(struct run *r, const struct upload_set *u, size_t from, size_t to, long status, json_t *resp)
{
	int rc = WU_OK;
	if (status == 413) {
		if (to - from == 1) {
			json_error_t err;
			json_t *d = json_loadb(u->text.data + u->at[from].off, u->at[from].len, 0, &err);
			rc = d ? reject(r, "push", json_string_value(json_object_get(d, "_id")),
					json_string_value(json_object_get(d, "_rev")), 413, "too_large",
					"the server refuses a document this large")
			       : wu__err_nomem(r->db);
			json_decref(d);
			return rc;
		}
		size_t mid = from + (to - from) / 2;
		rc = upload(r, u, from, mid);
		return rc ? rc : upload(r, u, mid, to);
	}
	if (status != 201 && status != 202)
		return status_error(r, "uploading documents", status, resp);
	size_t failed = 0;
	size_t i;
	json_t *e;
	json_array_foreach(json_is_array(resp) ? resp : NULL, i, e) {
		const char *error = json_string_value(json_object_get(e, "error"));
		if (!error)
			continue;
		failed++;
		rc = reject(r, "push", json_string_value(json_object_get(e, "id")),
			    json_string_value(json_object_get(e, "rev")), status, error,
			    json_string_value(json_object_get(e, "reason")));
		if (rc)
			return rc;
	}
	r->stats.sent += (int64_t)(to - from - failed);
	return WU_OK;
}

/* Uploads documents [from, to) of `u` and waits for the answer. */
static int upload(struct run *r, const struct upload_set *u, size_t from, size_t to)
{
	if (from >= to)
		return WU_OK;
	size_t len;
	char *body = bulk_body(u, from, to, &len);
	if (!body)
		return wu__err_nomem(r->db);
	long status;
	json_t *resp = NULL;
	int rc = wu__http_request_raw(r->http, "POST", "/_bulk_docs", false, body, len, &status, &resp);
	free(body);
	if (!rc)
		rc = bulk_answer(r, u, from, to, status, resp);
	json_decref(resp);
	return rc;
}

/* The end of batch that starts at `from`: at most r->batch documents or
 * BATCH_BYTES (but at least one document). */
static size_t batch_end(const struct run *r, const struct upload_set *u, size_t from)
{
	size_t i = from, bytes = 0;
	while (i < u->n && (i == from || (i - from < (size_t)r->batch && bytes + u->at[i].len <= BATCH_BYTES)))
		bytes += u->at[i++].len;
	return i;
}

/* The pk of the leaf `rev` that push_page offered, or 0 (not offered). */
static int64_t offered_pk(const json_t *offered, const json_t *pks, const json_t *rev)
{
	size_t k;
	json_t *o;
	json_array_foreach(offered, k, o) {
		if (json_equal(o, rev))
			return json_integer_value(json_array_get(pks, k));
	}
	return 0;
}

/* The documents of `p` the server lacks, from its _revs_diff, as text in `u`. */
static int missing_docs(struct run *r, struct page *p, struct upload_set *u)
{
	long status;
	json_t *resp = NULL;
	if (r->no_db || r->remote_empty) {
		/* An empty server lacks every leaf. */
		json_t *missing = json_object();
		const char *k;
		json_t *leaves;
		json_object_foreach(p->diff, k, leaves) {
			if (json_object_set_new(missing, k, json_pack("{sO}", "missing", leaves))) {
				json_decref(missing);
				return wu__err_nomem(r->db);
			}
		}
		resp = missing;
		status = 200;
	}
	int rc = r->no_db || r->remote_empty ? WU_OK : request(r, "POST", "/_revs_diff", p->diff, &status, &resp);
	if (!rc && status != 200)
		rc = status_error(r, "comparing revisions", status, resp);
	if (!rc && !json_is_object(resp))
		rc = wu__err(r->db, WU_EREMOTE, "_revs_diff: the answer is not a JSON object");
	const char *doc_id;
	json_t *v;
	bool began = false;
	if (!rc)
		rc = wu__read_begin(r->db, &began);
	json_object_foreach(rc ? NULL : resp, doc_id, v) {
		json_t *pks = json_object_get(p->pks, doc_id), *offered = json_object_get(p->diff, doc_id);
		size_t i;
		json_t *rev;
		if (!pks)
			continue; /* not one we asked about */
		json_array_foreach(json_object_get(v, "missing"), i, rev) {
			size_t off = u->text.len;
			rc = wu__revs_upload_text(r->db, offered_pk(offered, pks, rev), doc_id, json_string_value(rev),
						  &u->text);
			if (!rc && !upload_set_mark(u, off))
				rc = wu__err_nomem(r->db);
			if (rc)
				break;
		}
		if (rc)
			break;
	}
	wu__read_end(r->db, began);
	json_decref(resp);
	return rc;
}

/* Records how far a push got: on the server first, then here, so that a
 * crash between the two leaves sessions that differ and the next run
 * resumes from the last one both sides share. */
static int push_checkpoint(struct run *r, struct checkpoint *c, int64_t seq_value, int64_t written)
{
	json_t *seq = json_integer(seq_value);
	json_t *hist = seq ? history_with(r, c->base, seq, written) : NULL;
	int rc = seq && hist ? checkpoint_write_remote(r, c, seq, hist) : wu__err_nomem(r->db);
	if (!rc)
		rc = fault(r, "between-checkpoints");
	if (!rc)
		rc = checkpoint_write_local(r, c, seq, hist);
	if (!rc)
		r->checkpointed_ms = monotonic_ms();
	json_decref(seq);
	json_decref(hist);
	return rc;
}

/* The last batch of each page goes to the server while the next pages are
 * read and built, over a second connection too: with two batches under
 * way, the server always has the next one when it finishes one. Batches
 * are settled (answer read, rejections recorded) oldest first, so the
 * checkpoint only ever covers pages the server has whole; all are settled
 * before any other request. */
#define UPLOADS_UNDER_WAY 2

struct inflight {
	struct upload_set set; /* the page's documents */
	size_t from, to;       /* the batch under way */
	int64_t seq;           /* the local_seq its page reaches */
};

struct pipeline {
	struct inflight slot[UPLOADS_UNDER_WAY];
	unsigned next, count;  /* the slot the next batch takes; how many are under way */
	int64_t acked;         /* the server has every page up to this local_seq */
	int64_t written;       /* documents it stored in this run */
};

/* The slot of the k-th batch under way, oldest first. */
static unsigned under_way(const struct pipeline *pl, unsigned k)
{
	return (pl->next + UPLOADS_UNDER_WAY - pl->count + k) % UPLOADS_UNDER_WAY;
}

/* Slot i's connection: the run's own, or one more opened when first needed. */
static int slot_http(struct run *r, unsigned i, wu_http **out)
{
	int rc = WU_OK;
	if (i > 0 && !r->upload_http)
		rc = wu__remote_http_open(&r->upload_http, r->db, &r->remote, r->opts);
	*out = i > 0 ? r->upload_http : r->http;
	return rc;
}

/* Waits for the oldest batch under way and takes in its answer; on success
 * its page is done and acked. */
static int settle_one(struct run *r, struct pipeline *pl)
{
	unsigned i = under_way(pl, 0);
	struct inflight *f = &pl->slot[i];
	wu_http *h;
	slot_http(r, i, &h);
	long status;
	json_t *resp = NULL;
	struct wu_buf text = { 0 };
	int64_t before = r->stats.sent;
	int rc = wu__http_finish_text(h, &status, &text);
	pl->count--;
	count_requests(r);
	/* An answer that names no error is all success: 500 results need not
	 * be parsed to learn that. */
	bool clean = (status == 201 || status == 202) && (!text.data || !strstr(text.data, "\"error\""));
	json_error_t err;
	if (!rc && !clean && text.len)
		resp = json_loadb(text.data, text.len, 0, &err);
	wu__buf_free(&text);
	if (!rc)
		rc = bulk_answer(r, &f->set, f->from, f->to, status, resp);
	json_decref(resp);
	pl->written += r->stats.sent - before;
	if (!rc)
		rc = fault(r, "after-upload");
	if (!rc)
		pl->acked = f->seq;
	if (!rc && r->opts->progress)
		r->opts->progress("push", r->stats.sent, r->opts->payload);
	upload_set_free(&f->set);
	return rc;
}

static int settle_all(struct run *r, struct pipeline *pl)
{
	int rc = WU_OK;
	while (!rc && pl->count > 0)
		rc = settle_one(r, pl);
	return rc;
}

/* After an error: the batches still under way are given up (no more
 * retries) and their answers dropped; what they stored anyway the next run
 * finds with _revs_diff. */
static void abandon(struct run *r, struct pipeline *pl)
{
	char *msg = wu__err_take(r->db); /* the error that stopped the run stays the one reported */
	wu_http *h;
	for (unsigned k = 0; k < pl->count; k++) /* all told to stop before any is waited for */
		if (!slot_http(r, under_way(pl, k), &h))
			wu__http_cancel(h);
	while (pl->count > 0) {
		unsigned i = under_way(pl, 0);
		slot_http(r, i, &h);
		long status;
		json_t *resp = NULL;
		wu__http_finish(h, &status, &resp);
		json_decref(resp);
		upload_set_free(&pl->slot[i].set);
		pl->count--;
	}
	count_requests(r);
	wu__err_put(r->db, WU_OK, msg);
}

/* Starts documents [from, to) of `u` (taken) in the next slot. */
static int start_batch(struct run *r, struct pipeline *pl, struct upload_set *u, size_t from, size_t to, int64_t seq)
{
	int rc = pl->count == UPLOADS_UNDER_WAY ? settle_one(r, pl) : WU_OK;
	wu_http *h = NULL;
	if (!rc)
		rc = slot_http(r, pl->next, &h);
	size_t len;
	char *body = rc ? NULL : bulk_body(u, from, to, &len);
	if (!rc && !body)
		rc = wu__err_nomem(r->db);
	if (!rc)
		rc = wu__http_start(h, "POST", "/_bulk_docs", body, len);
	if (rc) {
		upload_set_free(u);
		return rc;
	}
	pl->slot[pl->next] = (struct inflight){ .set = *u, .from = from, .to = to, .seq = seq };
	pl->next = (pl->next + 1) % UPLOADS_UNDER_WAY;
	pl->count++;
	return WU_OK;
}

/* A dry run reports each document instead of sending it. */
static int report_docs(struct run *r, const struct upload_set *u)
{
	for (size_t i = 0; i < u->n; i++) {
		json_error_t err;
		json_t *d = json_loadb(u->text.data + u->at[i].off, u->at[i].len, 0, &err);
		if (!d)
			return wu__err_nomem(r->db);
		r->stats.sent++;
		int stop = r->opts->on_doc && r->opts->on_doc(d, r->opts->payload);
		json_decref(d);
		if (stop)
			break;
	}
	return WU_OK;
}

/* Sends one page of local changes the server lacks: in the background
 * when it is one batch (the usual case), otherwise batch by batch, waiting
 * for each (or, in a dry run, reports them). A page with nothing to send
 * is done once the pages before it are. */
static int push_one_page(struct run *r, struct page *p, struct pipeline *pl)
{
	struct upload_set u = { 0 };
	/* _revs_diff needs the connection: the batches under way finish first */
	bool asks = !(r->no_db || r->remote_empty);
	int rc = asks ? settle_all(r, pl) : WU_OK;
	if (!rc && json_object_size(p->diff) > 0)
		rc = missing_docs(r, p, &u);
	if (!rc && r->opts->dry_run) {
		rc = report_docs(r, &u);
		upload_set_free(&u);
		return rc;
	}
	size_t end = batch_end(r, &u, 0);
	if (!rc && u.n > 0 && end == u.n)
		return start_batch(r, pl, &u, 0, u.n, p->last_seq);
	if (!rc)
		rc = settle_all(r, pl);
	for (size_t from = 0; !rc && from < u.n; from = end, end = batch_end(r, &u, end)) {
		int64_t before = r->stats.sent;
		rc = upload(r, &u, from, end);
		pl->written += r->stats.sent - before;
	}
	if (!rc && u.n > 0)
		rc = fault(r, "after-upload"); /* the crash point settle_one has for a batch under way */
	upload_set_free(&u);
	if (!rc)
		pl->acked = p->last_seq;
	return rc;
}

/* A run that stops on an error still records the pages it finished, when
 * the server is answering: the next run need not ask about them again.
 * The error reported stays the one that stopped the run. */
static int push_stop(struct run *r, struct checkpoint *c, int rc, int64_t done, int64_t saved, int64_t written)
{
	if (!rc && done > saved)
		return push_checkpoint(r, c, done, written);
	if (rc && rc != WU_ENET && done > saved) {
		char *msg = wu__err_take(r->db);
		push_checkpoint(r, c, done, written);
		rc = wu__err_put(r->db, rc, msg);
	}
	return rc;
}

/* How far the local feed is committed. */
static int committed_feed(struct run *r)
{
	sqlite3_stmt *st = NULL;
	int rc = wu__prepare(r->db, &st, "SELECT coalesce(max(local_seq), 0) FROM doc");
	if (!rc && sqlite3_step(st) == SQLITE_ROW)
		r->committed_seq = sqlite3_column_int64(st, 0);
	else if (!rc)
		rc = wu__err_sql(r->db, "cannot read the local changes");
	sqlite3_finalize(st);
	return rc;
}

static int catch_up_commit(struct run *r)
{
	if (!r->catch_up_open)
		return WU_OK;
	r->catch_up_open = false;
	r->catch_up_steps = 0;
	int rc = wu__write_end(r->db, WU_OK);
	return rc ? rc : committed_feed(r);
}

/* One step of the catch-up (a page's worth of history) in the open
 * transaction. Committing each step would cost a commit per page (the
 * document index is keyed by random ids, so each commit rewrites much of
 * it); committing every CATCH_UP_LEAD steps costs far less, and keeps the
 * pages ready to send that far ahead. */
static int catch_up_one(struct run *r)
{
	int rc = r->catch_up_open ? WU_OK : wu__write_begin(r->db);
	if (rc)
		return rc;
	r->catch_up_open = true;
	bool more = false;
	rc = wu__revs_catch_up_step(r->db, r->batch, &more);
	if (rc) {
		r->catch_up_open = false;
		r->catching_up = false;
		return wu__write_end(r->db, rc);
	}
	r->catching_up = more;
	if (!more || ++r->catch_up_steps >= CATCH_UP_LEAD)
		rc = catch_up_commit(r);
	return rc;
}

/* Keeps revisions ready ahead of the pages sent: one step a page, and as
 * many as it takes when nothing committed is left to send (at the start).
 * A dry run's steps are inside its own transaction, rolled back at the end. */
static int catch_up_ahead(struct run *r, int64_t since)
{
	if (!r->catching_up)
		return WU_OK;
	int rc = catch_up_one(r);
	while (!rc && r->catching_up && r->committed_seq <= since)
		rc = catch_up_one(r);
	return rc;
}

static int push(struct run *r)
{
	struct checkpoint c;
	json_t *since_json = NULL;
	int rc = checkpoint_begin(r, &c, "push", &since_json);
	int64_t since = json_is_integer(since_json) ? json_integer_value(since_json) : 0;
	json_decref(since_json);
	/* since: how far the feed is read; pl.acked: how far the server has it */
	int64_t saved = since;
	struct pipeline pl = { .acked = since };
	r->checkpointed_ms = monotonic_ms();
	if (!rc)
		rc = committed_feed(r);
	while (!rc) {
		struct page p;
		rc = catch_up_ahead(r, since);
		if (!rc)
			rc = push_page(r, since, &p);
		else
			memset(&p, 0, sizeof p);
		if (!rc && p.n > 0)
			rc = push_one_page(r, &p, &pl);
		bool last = p.n == 0 && !r->catching_up;
		if (!rc && !last)
			since = p.last_seq;
		page_free(&p);
		if (rc || last)
			break;
		if (!r->opts->dry_run && checkpoint_due(r)) {
			/* the checkpoint needs the connection, and covers only what has arrived */
			rc = settle_all(r, &pl);
			if (!rc)
				rc = catch_up_commit(r);
			if (!rc && pl.acked > saved && !(rc = push_checkpoint(r, &c, pl.acked, pl.written)))
				saved = pl.acked;
		}
		/* a batch under way reports when it is settled */
		if (!rc && r->opts->progress && pl.count == 0)
			r->opts->progress("push", r->stats.sent, r->opts->payload);
	}
	if (!rc)
		rc = settle_all(r, &pl);
	if (pl.count > 0)
		abandon(r, &pl);
	if (r->catch_up_open) { /* stopped early: what was made is sound, and kept */
		char *msg = wu__err_take(r->db);
		int crc = catch_up_commit(r);
		rc = rc ? wu__err_put(r->db, rc, msg) : (free(msg), crc);
	}
	if (!r->opts->dry_run)
		rc = push_stop(r, &c, rc, pl.acked, saved, pl.written);
	checkpoint_free(&c);
	return rc;
}

/* ---- pull ------------------------------------------------------------------------- */

/* `since` as a query value: an integer as digits, a string as itself. */
static char *since_param(struct run *r, const json_t *since)
{
	char *raw = json_is_string(since) ? strdup(json_string_value(since))
					  : json_dumps(since, JSON_ENCODE_ANY | JSON_COMPACT);
	char *esc = raw ? wu__http_escape(r->http, raw) : NULL;
	free(raw);
	return esc;
}

static bool reserved_id(const char *id)
{
	return !id || id[0] == '_';
}

/* {"docs": [{"id", "rev"}...]} of the changes in `results` not here yet. */
static int pull_wanted(struct run *r, const json_t *results, json_t *wanted, size_t *skipped)
{
	size_t i;
	json_t *row;
	bool began;
	int rc = wu__read_begin(r->db, &began);
	json_array_foreach(rc ? NULL : results, i, row) {
		const char *id = json_string_value(json_object_get(row, "id"));
		char rid[37];
		if (reserved_id(id))
			continue;
		if (!wu__doc_split(id, rid)) {
			(*skipped)++;
			continue;
		}
		size_t k;
		json_t *ch;
		json_array_foreach(json_object_get(row, "changes"), k, ch) {
			const char *rev = json_string_value(json_object_get(ch, "rev"));
			bool have = false;
			if ((rc = wu__revs_have(r->db, id, rev, &have)))
				break;
			if (!have && rev && json_array_append_new(wanted, json_pack("{ssss}", "id", id, "rev", rev))) {
				rc = wu__err_nomem(r->db);
				break;
			}
		}
		if (rc)
			break;
	}
	wu__read_end(r->db, began);
	return rc;
}

/* The per-document fallback: GET /db/{id}?revs=true&latest=true&open_revs=[rev]. */
static int fetch_one(struct run *r, const char *id, const char *rev, json_t *docs)
{
	char *eid = wu__http_escape(r->http, id);
	char *revs = sqlite3_mprintf("[\"%s\"]", rev);
	char *erevs = revs ? wu__http_escape(r->http, revs) : NULL;
	char *path = eid && erevs ? sqlite3_mprintf("/%s?revs=true&latest=true&open_revs=%s", eid, erevs) : NULL;
	free(eid);
	sqlite3_free(revs);
	free(erevs);
	if (!path)
		return wu__err_nomem(r->db);
	long status;
	json_t *resp = NULL;
	int rc = request(r, "GET", path, NULL, &status, &resp);
	sqlite3_free(path);
	if (!rc && status != 200)
		rc = status_error(r, "fetching a document", status, resp);
	size_t i;
	json_t *e;
	json_array_foreach(rc ? NULL : resp, i, e) {
		json_t *ok = json_object_get(e, "ok");
		if (ok && json_array_append(docs, ok)) {
			rc = wu__err_nomem(r->db);
			break;
		}
	}
	json_decref(resp);
	return rc;
}

/* The wanted revisions with their bodies and _revisions (new array). */
static int fetch(struct run *r, json_t *wanted, json_t **out)
{
	json_t *docs = json_array();
	json_t *body = json_pack("{sO}", "docs", wanted);
	long status;
	json_t *resp = NULL;
	*out = NULL;
	int rc = docs && body ? request(r, "POST", "/_bulk_get?revs=true&latest=true", body, &status, &resp)
			      : wu__err_nomem(r->db);
	json_decref(body);
	if (!rc && status == 200 && json_is_array(json_object_get(resp, "results"))) {
		size_t i, k;
		json_t *res, *d;
		json_array_foreach(json_object_get(resp, "results"), i, res) {
			json_array_foreach(json_object_get(res, "docs"), k, d) {
				json_t *ok = json_object_get(d, "ok");
				if (ok && json_array_append(docs, ok))
					rc = wu__err_nomem(r->db);
			}
		}
	} else if (!rc && (status == 401 || status == 403)) {
		rc = status_error(r, "fetching documents", status, resp);
	} else if (!rc) {
		/* No usable _bulk_get (old servers): one document at a time. */
		size_t i;
		json_t *w;
		json_array_foreach(wanted, i, w) {
			rc = fetch_one(r, json_string_value(json_object_get(w, "id")), json_string_value(json_object_get(w, "rev")),
				       docs);
			if (rc)
				break;
		}
	}
	json_decref(resp);
	if (rc)
		json_decref(docs);
	else
		*out = docs;
	return rc;
}

/* Stores the fetched documents and the local checkpoint in one
 * transaction: the checkpoint here never runs ahead of what is stored. The
 * server's copy is written by time and at the end (pull_remote_checkpoint). */
static int pull_store(struct run *r, struct checkpoint *c, json_t *docs, const json_t *seq, int64_t *written)
{
	int rc = wu__write_begin(r->db);
	if (rc)
		return rc;
	size_t i;
	json_t *d;
	json_array_foreach(docs, i, d) {
		bool stored = false, conflicted = false;
		rc = wu__revs_store_pulled(r->db, d, &stored, &conflicted);
		if (rc == WU_EINVAL) {
			/* Not a record this version can take: kept out, and said so. */
			char *msg = strdup(wu_errmsg(r->db));
			rc = msg ? reject(r, "pull", json_string_value(json_object_get(d, "_id")),
					  json_string_value(json_object_get(d, "_rev")), 0, "invalid", msg)
				 : wu__err_nomem(r->db);
			free(msg);
		}
		if (rc)
			break;
		*written += stored;
		r->stats.received += stored;
	}
	json_t *hist = rc ? NULL : history_with(r, c->base, seq, *written);
	if (!rc && !hist)
		rc = wu__err_nomem(r->db);
	if (!rc)
		rc = checkpoint_write_local(r, c, seq, hist);
	if (!rc)
		rc = fault(r, "pull-applied");
	json_decref(hist);
	return wu__write_end(r->db, rc);
}

/* The server's copy of the pull checkpoint, at the seq last stored here. */
static int pull_remote_checkpoint(struct run *r, struct checkpoint *c, const json_t *seq, int64_t written)
{
	json_t *hist = history_with(r, c->base, seq, written);
	int rc = hist ? checkpoint_write_remote(r, c, seq, hist) : wu__err_nomem(r->db);
	json_decref(hist);
	if (!rc)
		r->checkpointed_ms = monotonic_ms();
	return rc;
}

/* As push_stop: at the end, or after an error the server answered, the
 * server learns how far this run got; the error reported stays the one
 * that stopped it. */
static int pull_stop(struct run *r, struct checkpoint *c, int rc, const json_t *stored, int64_t written)
{
	if (!stored)
		return rc;
	if (!rc)
		return pull_remote_checkpoint(r, c, stored, written);
	if (rc != WU_ENET) {
		char *msg = wu__err_take(r->db);
		pull_remote_checkpoint(r, c, stored, written);
		rc = wu__err_put(r->db, rc, msg);
	}
	return rc;
}

static int pull(struct run *r)
{
	struct checkpoint c;
	json_t *since = NULL;
	int rc = checkpoint_begin(r, &c, "pull", &since);
	int64_t written = 0;
	size_t skipped = 0;
	json_t *unsaved = NULL; /* the seq stored here but not yet on the server */
	r->checkpointed_ms = monotonic_ms();
	while (!rc) {
		char *s = since_param(r, since);
		char *path = s ? sqlite3_mprintf("/_changes?feed=normal&style=all_docs&since=%s&limit=%d", s, r->batch) : NULL;
		free(s);
		long status;
		json_t *resp = NULL, *wanted = NULL, *docs = NULL;
		rc = path ? request(r, "GET", path, NULL, &status, &resp) : wu__err_nomem(r->db);
		sqlite3_free(path);
		if (!rc && status != 200)
			rc = status_error(r, "reading changes", status, resp);
		json_t *results = json_object_get(resp, "results");
		json_t *last_seq = json_object_get(resp, "last_seq");
		if (!rc && (!json_is_array(results) || !last_seq))
			rc = wu__err(r->db, WU_EREMOTE, "_changes: the answer has no results or last_seq");
		if (!rc && json_array_size(results) == 0) {
			json_decref(resp);
			break;
		}
		if (!rc && !(wanted = json_array()))
			rc = wu__err_nomem(r->db);
		if (!rc)
			rc = pull_wanted(r, results, wanted, &skipped);
		r->stats.ignored = (int64_t)skipped;
		if (!rc && json_array_size(wanted) > 0)
			rc = fetch(r, wanted, &docs);
		if (!rc && r->opts->dry_run)
			r->stats.received += (int64_t)json_array_size(wanted);
		else if (!rc && !(rc = pull_store(r, &c, docs ? docs : wanted, last_seq, &written))) {
			json_decref(unsaved);
			unsaved = json_incref(last_seq);
		}
		if (!rc) {
			json_decref(since);
			since = json_incref(last_seq);
		}
		if (!rc && unsaved && checkpoint_due(r) && !(rc = pull_remote_checkpoint(r, &c, unsaved, written))) {
			json_decref(unsaved);
			unsaved = NULL;
		}
		if (!rc && r->opts->progress)
			r->opts->progress("pull", r->stats.received, r->opts->payload);
		json_decref(docs);
		json_decref(wanted);
		json_decref(resp);
	}
	rc = pull_stop(r, &c, rc, unsaved, written);
	json_decref(unsaved);
	json_decref(since);
	checkpoint_free(&c);
	return rc;
}

/* ---- the whole sync ----------------------------------------------------------------- */

static int count_conflicts(wu_db *db, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = wu__prepare(db, &st, "SELECT count(*) FROM doc WHERE conflicted");
	if (!rc && sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (!rc)
		rc = wu__err_sql(db, "cannot count conflicts");
	sqlite3_finalize(st);
	return rc;
}

int wu__remote_http_open(wu_http **out, wu_db *db, const struct remote_row *remote, const wu_sync_opts *opts)
{
	struct wu_http_config cfg = {
		.base = remote->url,
		.username = remote->username,
		.secret = opts->secret,
		.auth = remote->auth,
		.cacert = remote->cacert,
		.insecure_tls = opts->insecure_tls,
		.max_retries = opts->max_retries,
		.retry_base_ms = opts->retry_base_ms,
		.stall_seconds = opts->stall_seconds,
		.fault = opts->fault,
		.transport = opts->transport,
		.fault_payload = opts->payload,
	};
	return wu__http_open(out, db, &cfg);
}

static int run_sync(struct run *r)
{
	unsigned dir = r->opts->direction ? r->opts->direction : WU_SYNC_PUSH | WU_SYNC_PULL;
	int rc = wu__remote_http_open(&r->http, r->db, &r->remote, r->opts);
	if (!rc)
		rc = verify_peer(r);
	/* Local edits since the last sync become revisions, once the server
	 * has let us in: a refused sync changes nothing here. A push makes
	 * them in steps as it goes; a pull alone, all at once first. A dry run
	 * makes them in a transaction it rolls back at the end: it writes
	 * nothing. */
	bool dry_tx = false;
	if (!rc && r->opts->dry_run && !(rc = wu__write_begin(r->db)))
		dry_tx = true;
	if (!rc && (dir & WU_SYNC_PUSH))
		r->catching_up = true;
	else if (!rc && !(rc = wu__write_begin(r->db)))
		rc = wu__write_end(r->db, wu__revs_catch_up(r->db));
	if (!rc && (dir & WU_SYNC_PUSH))
		rc = push(r);
	if (!rc && (dir & WU_SYNC_PULL) && !r->no_db)
		rc = pull(r);
	if (dry_tx)
		wu_rollback(r->db);
	count_requests(r);
	r->stats.connects = wu__http_connects(r->http) + wu__http_connects(r->upload_http);
	wu__http_close(r->http);
	wu__http_close(r->upload_http);
	r->http = r->upload_http = NULL;
	return rc;
}

int wu_sync(wu_sync_stats *out, wu_db *db, const char *name, const wu_sync_opts *opts)
{
	static const wu_sync_opts defaults = { 0 };
	struct run r = { .db = db, .opts = opts ? opts : &defaults };
	wu__err_clear(db);
	if (out)
		memset(out, 0, sizeof *out);
	r.batch = r.opts->batch_size ? r.opts->batch_size : BATCH_DEFAULT;
	if (r.batch < 1 || r.batch > BATCH_MAX)
		return wu__err(db, WU_EINVAL, "batch size: %d is not between 1 and %d", r.opts->batch_size, BATCH_MAX);
	int rc = wu__remote_load(db, name, &r.remote);
	if (!rc && wu__uuid_v4(r.session))
		rc = wu__err(db, WU_EIO, "cannot read random bytes for a session id");
	wu__now(r.start_time);
	if (!rc)
		rc = run_sync(&r);
	if (!rc && !r.opts->dry_run)
		rc = count_conflicts(db, &r.stats.conflicts);
	if (out)
		*out = r.stats;
	wu__remote_row_free(&r.remote);
	return rc;
}
