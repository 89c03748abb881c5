/*
 * http.c - one reused libcurl connection to one CouchDB-compatible server.
 *
 * Credentials go through CURLOPT_USERNAME/PASSWORD or a bearer header, never
 * into a URL; redirects are not followed (so credentials never go to another
 * host); TLS is verified unless the caller passed the loud flag; a stalled
 * transfer is cut off by a low-speed limit rather than one total timeout.
 * Network errors, 408, 429 and 5xx are retried with exponential backoff and
 * jitter (429 waits as long as Retry-After says); other statuses are not.
 *
 * One request at a time may run on a second thread (wu__http_start, then
 * wu__http_finish), so that sync prepares the next batch while the server
 * stores this one. That thread touches only the handle: its errors go to
 * h->msg, and reach the database's error message when the caller finishes.
 */
#include "config.h"
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include "sync.h"

struct wu_http {
	wu_db *db;
	CURL *curl;
	struct wu_http_config cfg;
	char *root;          /* scheme://host[:port] */
	char *base;          /* the database URL */
	char *secret;        /* a private copy, wiped on close */
	char *cookie;        /* AuthSession=..., for cookie auth */
	atomic_long requests; /* read by the caller while a request is under way */
	long retry_after_s;
	char errbuf[CURL_ERROR_SIZE];
	char msg[600];       /* the last error, until it is handed to the database */
	atomic_bool cancel;  /* the caller no longer wants the request under way */
	struct job {         /* the request wu__http_start began */
		bool pending, threaded;
		pthread_t thread;
		char method[8];
		char *path, *url, *body;
		size_t len;
		long status;
		struct wu_buf resp;
		int rc;
	} job;
};

static size_t on_body(char *p, size_t size, size_t n, void *userdata)
{
	/* 0 makes curl fail the transfer with CURLE_WRITE_ERROR */
	return wu__buf_add(userdata, p, size * n) ? size * n : 0;
}

/* Aborts a transfer the caller gave up on (CURLE_ABORTED_BY_CALLBACK). */
static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct wu_http *h = userdata;
	return atomic_load(&h->cancel) ? 1 : 0;
}

/* Records an error in the handle (see the top of the file for why not in the database). */
__attribute__((format(printf, 3, 4))) static int fail(wu_http *h, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->msg, sizeof h->msg, fmt, ap);
	va_end(ap);
	return rc;
}

/* Hands the handle's error to the database's error message. */
static int report(wu_http *h, int rc)
{
	return rc == WU_ENOMEM ? wu__err_nomem(h->db) : rc ? wu__err(h->db, rc, "%s", h->msg) : WU_OK;
}

static size_t on_header(char *p, size_t size, size_t n, void *userdata)
{
	struct wu_http *h = userdata;
	size_t len = size * n;
	if (len > 12 && !strncasecmp(p, "Retry-After:", 12))
		h->retry_after_s = strtol(p + 12, NULL, 10);
	if (len > 11 && !strncasecmp(p, "Set-Cookie:", 11)) {
		const char *v = p + 11;
		while (*v == ' ')
			v++;
		if (!strncmp(v, "AuthSession=", 12)) {
			size_t k = strcspn(v, ";\r\n");
			char *c = malloc(k + 1);
			if (c) {
				memcpy(c, v, k);
				c[k] = '\0';
				free(h->cookie);
				h->cookie = c;
			}
		}
	}
	return len;
}

/* scheme://host[:port] of `url` (new). */
static char *root_of(const char *url)
{
	const char *p = strstr(url, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	size_t n = p ? (size_t)(p - url) : strlen(url);
	char *r = malloc(n + 1);
	if (r) {
		memcpy(r, url, n);
		r[n] = '\0';
	}
	return r;
}

int wu__http_open(wu_http **out, wu_db *db, const struct wu_http_config *cfg)
{
	*out = NULL;
	wu_http *h = calloc(1, sizeof *h);
	if (!h)
		return wu__err_nomem(db);
	h->db = db;
	h->cfg = *cfg;
	h->base = strdup(cfg->base);
	h->root = root_of(cfg->base);
	h->secret = cfg->secret ? strdup(cfg->secret) : NULL;
	h->curl = curl_easy_init();
	if (!h->base || !h->root || (cfg->secret && !h->secret) || !h->curl) {
		wu__http_close(h);
		return wu__err_nomem(db);
	}
	h->cfg.secret = NULL;
	CURL *c = h->curl;
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	/* a stalled answer (less than 1 byte/s) is dropped, then retried like a network error */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, cfg->stall_seconds > 0 ? (long)cfg->stall_seconds : 30L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "withus/" WU_VERSION);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, cfg->insecure_tls ? 0L : 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, cfg->insecure_tls ? 0L : 2L);
	if (cfg->cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, cfg->cacert);
	if (!strcmp(cfg->auth, "basic") && cfg->username) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, h->secret ? h->secret : "");
	}
	*out = h;
	return WU_OK;
}

void wu__http_close(wu_http *h)
{
	if (!h)
		return;
	if (h->job.pending) {
		long status;
		json_t *resp = NULL;
		wu__http_finish(h, &status, &resp);
		json_decref(resp);
	}
	if (h->curl)
		curl_easy_cleanup(h->curl);
	if (h->secret) {
		/* volatile: the compiler may not drop the wipe of a buffer about to be freed */
		for (volatile char *p = h->secret; *p; p++)
			*p = 0;
		free(h->secret);
	}
	free(h->cookie);
	free(h->root);
	free(h->base);
	free(h);
}

long wu__http_requests(const wu_http *h)
{
	return h ? atomic_load(&h->requests) : 0;
}

long wu__http_connects(const wu_http *h)
{
	long n = 0;
	if (h)
		curl_easy_getinfo(h->curl, CURLINFO_NUM_CONNECTS, &n);
	return n;
}

char *wu__http_escape(wu_http *h, const char *s)
{
	char *e = curl_easy_escape(h->curl, s, 0);
	char *r = e ? strdup(e) : NULL;
	curl_free(e);
	return r;
}

static bool retryable(CURLcode cc, long status)
{
	if (cc != CURLE_OK)
		return cc == CURLE_COULDNT_CONNECT || cc == CURLE_OPERATION_TIMEDOUT || cc == CURLE_RECV_ERROR ||
		       cc == CURLE_SEND_ERROR || cc == CURLE_GOT_NOTHING || cc == CURLE_PARTIAL_FILE ||
		       cc == CURLE_COULDNT_RESOLVE_HOST;
	return status == 408 || status == 429 || status >= 500;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* The wait before retry `attempt` (from 1): base * 2^(attempt-1), half of it
 * random, so that many clients that failed together do not return together. */
static long backoff_ms(const struct wu_http *h, int attempt)
{
	long base = h->cfg.retry_base_ms > 0 ? h->cfg.retry_base_ms : 250;
	long full = base << (attempt - 1 < 10 ? attempt - 1 : 10);
	unsigned r = 0;
	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = (unsigned)attempt * 2654435761u;
	return full / 2 + (long)(r % (unsigned long)(full / 2 + 1));
}

static int cookie_login(wu_http *h);

/* A request answered by the caller's transport (tests, fuzzing). */
static int perform_fake(wu_http *h, const char *method, const char *url, const char *body, long *status, struct wu_buf *resp)
{
	char *data = NULL;
	size_t len = 0;
	resp->len = 0;
	h->retry_after_s = -1;
	h->errbuf[0] = '\0';
	atomic_fetch_add(&h->requests, 1);
	*status = 0;
	if (h->cfg.transport(method, url, body, status, &data, &len, h->cfg.fault_payload)) {
		free(data);
		return CURLE_RECV_ERROR;
	}
	bool short_write = data && len && on_body(data, 1, len, resp) != len;
	free(data);
	return short_write ? CURLE_WRITE_ERROR : CURLE_OK;
}

static int perform(wu_http *h, const char *method, const char *url, const char *body, size_t len, long *status,
		   struct wu_buf *resp)
{
	if (h->cfg.transport)
		return perform_fake(h, method, url, body, status, resp);
	CURL *c = h->curl;
	struct curl_slist *hdr = NULL, *tmp;
	const char *headers[] = { "Accept: application/json", body ? "Content-Type: application/json" : NULL };
	for (size_t i = 0; i < 2; i++) {
		if (!headers[i])
			continue;
		if (!(tmp = curl_slist_append(hdr, headers[i]))) {
			curl_slist_free_all(hdr);
			return CURLE_OUT_OF_MEMORY;
		}
		hdr = tmp;
	}
	char *auth = NULL;
	if (!strcmp(h->cfg.auth, "jwt") && h->secret)
		auth = sqlite3_mprintf("Authorization: Bearer %s", h->secret);
	else if (!strcmp(h->cfg.auth, "cookie") && h->cookie)
		auth = sqlite3_mprintf("Cookie: %s", h->cookie);
	if (!auth && ((!strcmp(h->cfg.auth, "jwt") && h->secret) || (!strcmp(h->cfg.auth, "cookie") && h->cookie))) {
		curl_slist_free_all(hdr);
		return CURLE_OUT_OF_MEMORY;
	}
	if (auth) {
		tmp = curl_slist_append(hdr, auth);
		for (volatile char *p = auth; *p; p++)
			*p = 0;
		sqlite3_free(auth);
		if (!tmp) {
			curl_slist_free_all(hdr);
			return CURLE_OUT_OF_MEMORY;
		}
		hdr = tmp;
	}
	resp->len = 0;
	if (resp->data)
		resp->data[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c, CURLOPT_NOBODY, !strcmp(method, "HEAD") ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, !strcmp(method, "HEAD") || !strcmp(method, "GET") ? NULL : method);
	curl_easy_setopt(c, CURLOPT_HTTPGET, !strcmp(method, "GET") ? 1L : 0L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	h->retry_after_s = -1;
	h->errbuf[0] = '\0';
	atomic_fetch_add(&h->requests, 1);
	CURLcode cc = curl_easy_perform(c);
	curl_slist_free_all(hdr);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
	*status = 0;
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	return (int)cc;
}

/* The URL without any query, for messages. */
static void describe(char *out, size_t n, const char *url)
{
	snprintf(out, n, "%.*s", (int)strcspn(url, "?"), url);
}

/* Sends a request to `url`, retried as the top of the file says; the
 * answer's status in *status and its body in `b`. Touches only the handle. */
static int exchange(wu_http *h, const char *method, const char *path, const char *url, const char *body, size_t len,
		    long *status, struct wu_buf *b)
{
	*status = 0;
	if (!strcmp(h->cfg.auth, "cookie") && !h->cookie && h->secret) {
		int rc = cookie_login(h);
		if (rc)
			return rc;
	}
	int max = h->cfg.max_retries > 0 ? h->cfg.max_retries : 5;
	bool relogged = false;
	for (int attempt = 0;; attempt++) {
		if (atomic_load(&h->cancel))
			return fail(h, WU_ENET, "%s %s: given up", method, path);
		if (h->cfg.fault && h->cfg.fault("request", atomic_load(&h->requests) + 1, h->cfg.fault_payload))
			return fail(h, WU_ENET, "%s %s: connection dropped (injected fault)", method, path);
		int cc = perform(h, method, url, body, len, status, b);
		if (cc == CURLE_OUT_OF_MEMORY || cc == CURLE_WRITE_ERROR)
			return WU_ENOMEM; /* the only write error is a buffer that could not grow */
		if (*status == 401 && !strcmp(h->cfg.auth, "cookie") && !relogged && h->secret) {
			/* The session expired: log in again, once. */
			relogged = true;
			free(h->cookie);
			h->cookie = NULL;
			int rc = cookie_login(h);
			if (rc)
				return rc;
			attempt--;
			continue;
		}
		if (!retryable((CURLcode)cc, *status) || attempt >= max) {
			if (cc == CURLE_OK)
				return WU_OK;
			char where[512];
			describe(where, sizeof where, url);
			return fail(h, WU_ENET, "%s %s: %s", method, where,
				    h->errbuf[0] ? h->errbuf : curl_easy_strerror((CURLcode)cc));
		}
		long wait = backoff_ms(h, attempt + 1);
		if (*status == 429 && h->retry_after_s >= 0)
			wait = h->retry_after_s * 1000 > wait ? h->retry_after_s * 1000 : wait;
		for (; wait > 0 && !atomic_load(&h->cancel); wait -= 20) /* a give-up cuts the wait short */
			sleep_ms(wait < 20 ? wait : 20);
	}
}

/* The answer's JSON (new), or NULL when it is empty or not JSON: the caller
 * judges by the status, and names what it lacks. */
static json_t *answer_json(const struct wu_buf *b)
{
	json_error_t err;
	return b->len > 0 ? json_loadb(b->data, b->len, 0, &err) : NULL;
}

int wu__http_request_raw(wu_http *h, const char *method, const char *path, bool root, const char *body, size_t len,
			 long *status, json_t **resp)
{
	*status = 0;
	*resp = NULL;
	char *url = sqlite3_mprintf("%s%s", root ? h->root : h->base, path);
	if (!url)
		return wu__err_nomem(h->db);
	struct wu_buf b = { 0 };
	int rc = exchange(h, method, path, url, body, len, status, &b);
	if (!rc)
		*resp = answer_json(&b);
	wu__buf_free(&b);
	sqlite3_free(url);
	return report(h, rc);
}

int wu__http_request(wu_http *h, const char *method, const char *path, bool root, const json_t *body, long *status,
		     json_t **resp)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	if (body && !text) {
		*status = 0;
		*resp = NULL;
		return wu__err_nomem(h->db);
	}
	int rc = wu__http_request_raw(h, method, path, root, text, text ? strlen(text) : 0, status, resp);
	free(text);
	return rc;
}

/* ---- one request in the background -------------------------------------------- */

static void job_clear(struct job *j)
{
	sqlite3_free(j->path);
	sqlite3_free(j->url);
	free(j->body);
	wu__buf_free(&j->resp);
	memset(j, 0, sizeof *j);
}

static void *job_run(void *arg)
{
	wu_http *h = arg;
	struct job *j = &h->job;
	j->rc = exchange(h, j->method, j->path, j->url, j->body, j->len, &j->status, &j->resp);
	return NULL;
}

int wu__http_start(wu_http *h, const char *method, const char *path, char *body, size_t len)
{
	struct job *j = &h->job;
	if (j->pending) {
		free(body);
		return wu__err(h->db, WU_EINVAL, "a request is already under way");
	}
	memset(j, 0, sizeof *j);
	atomic_store(&h->cancel, false);
	snprintf(j->method, sizeof j->method, "%s", method);
	j->path = sqlite3_mprintf("%s", path);
	j->url = sqlite3_mprintf("%s%s", h->base, path);
	j->body = body;
	j->len = len;
	if (!j->path || !j->url) {
		job_clear(j);
		return wu__err_nomem(h->db);
	}
	j->pending = true;
	/* A test's transport answers at once, and in order: no thread for it.
	 * Without a thread (none to be had), the request runs here. */
	j->threaded = !h->cfg.transport && pthread_create(&j->thread, NULL, job_run, h) == 0;
	if (!j->threaded)
		job_run(h);
	return WU_OK;
}

int wu__http_finish_text(wu_http *h, long *status, struct wu_buf *out)
{
	struct job *j = &h->job;
	*status = 0;
	if (!j->pending)
		return wu__err(h->db, WU_EINVAL, "no request is under way");
	if (j->threaded)
		pthread_join(j->thread, NULL);
	int rc = j->rc;
	*status = j->status;
	if (!rc) {
		*out = j->resp;
		memset(&j->resp, 0, sizeof j->resp);
	}
	job_clear(j);
	return report(h, rc);
}

int wu__http_finish(wu_http *h, long *status, json_t **resp)
{
	struct wu_buf b = { 0 };
	int rc = wu__http_finish_text(h, status, &b);
	*resp = rc ? NULL : answer_json(&b);
	wu__buf_free(&b);
	return rc;
}

void wu__http_cancel(wu_http *h)
{
	if (h && h->job.pending)
		atomic_store(&h->cancel, true);
}

/* POST /_session with the name and password as JSON; the AuthSession
 * cookie comes back in Set-Cookie (on_header keeps it). */
static int cookie_login(wu_http *h)
{
	json_t *body = json_pack("{ssss}", "name", h->cfg.username ? h->cfg.username : "", "password", h->secret);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	char *url = sqlite3_mprintf("%s/_session", h->root);
	if (!text || !url) {
		free(text);
		sqlite3_free(url);
		return WU_ENOMEM;
	}
	struct wu_buf b = { 0 };
	long status = 0;
	int cc = perform(h, "POST", url, text, strlen(text), &status, &b);
	for (volatile char *p = text; *p; p++)
		*p = 0;
	free(text);
	sqlite3_free(url);
	wu__buf_free(&b);
	if (cc == CURLE_OUT_OF_MEMORY)
		return WU_ENOMEM;
	if (cc != CURLE_OK)
		return fail(h, WU_ENET, "POST /_session: %s", h->errbuf[0] ? h->errbuf : curl_easy_strerror((CURLcode)cc));
	if (status == 401 || status == 403 || !h->cookie)
		return fail(h, WU_EAUTH, "the server refused the login of '%s' (HTTP %ld)",
			    h->cfg.username ? h->cfg.username : "", status);
	return WU_OK;
}
