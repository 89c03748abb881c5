/*
 * fuzz-sync: every server response the sync parses. The input is the
 * sequence of answers, separated by the two bytes "\n\x1e": each request
 * (GET /, GET /db, the checkpoints, _changes, _revs_diff, _bulk_get,
 * _bulk_docs, GET of one document ...) takes the next one. An answer that
 * starts with three digits and a space gives its status; else 200 (201 for
 * uploads). When the answers run out, the connection fails.
 */
#include "fuzz.h"

struct feed {
	const uint8_t *p, *end;
};

static int answer(const char *method, const char *url, const char *body, long *status, char **resp, size_t *len,
		  void *payload)
{
	(void)url;
	(void)body;
	struct feed *f = payload;
	if (f->p >= f->end)
		return 1;
	const uint8_t *next = f->p, *stop = f->end;
	for (; next + 1 < f->end; next++)
		if (next[0] == '\n' && next[1] == 0x1e) {
			stop = next;
			break;
		}
	const uint8_t *start = f->p;
	f->p = stop < f->end ? stop + 2 : f->end;
	*status = !strcmp(method, "POST") && strstr(url, "_bulk_docs") ? 201 : 200;
	if (stop - start >= 4 && start[0] >= '1' && start[0] <= '5' && start[1] >= '0' && start[1] <= '9' &&
	    start[2] >= '0' && start[2] <= '9' && start[3] == ' ') {
		*status = (start[0] - '0') * 100 + (start[1] - '0') * 10 + (start[2] - '0');
		start += 4;
	}
	*len = (size_t)(stop - start);
	*resp = malloc(*len ? *len : 1);
	if (!*resp)
		return 1;
	memcpy(*resp, start, *len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wu_db *db = fuzz_db();
	static int remote;
	if (!remote) {
		wu_remote r = { .name = "hub", .url = "http://127.0.0.1:5984/hub", .auth = "none" };
		if (wu_remote_add(db, &r, 0) != WU_OK)
			abort();
		remote = 1;
	}
	struct feed f = { data, data + size };
	wu_sync_opts o = { .transport = answer, .payload = &f, .max_retries = 1, .retry_base_ms = 1, .batch_size = 2 };
	wu_begin(db);
	wu_sync(NULL, db, "hub", &o);
	wu_rollback(db);
	return 0;
}
