/*
 * io.c - import and export: JSON Lines (the canonical shape, one record a
 * line) and CSV (one file per record type, a header row of field names).
 *
 * Import streams: one line or row is held at a time, and the whole input is
 * one transaction, so a bad line anywhere leaves the database as it was.
 */
#include "config.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "sync.h"

#define JSONL_MAX_LINE (16u << 20)
#define PROGRESS_EVERY 4096

static void progress(const wu_import_opts *o, uint64_t bytes, uint64_t n, bool force)
{
	if (o->progress && (force || n % PROGRESS_EVERY == 0))
		o->progress(bytes, n, o->payload);
}

/* ---- the import pipeline ------------------------------------------------------
 *
 * A reader thread turns the input into checked records: it parses CSV rows or
 * JSON lines and runs every check that needs no database. The calling thread
 * checks references and stores the records, in input order, in the caller's
 * transaction. The two cores work at once; records pass in batches, at most
 * QUEUE_BATCHES of them waiting, so memory stays flat and the threads meet
 * once a batch, not once a record. Stored batches go back to the reader, which
 * frees their records itself: memory is freed by the thread that allocated it,
 * so the two never contend for one malloc arena. SQLite is only ever used by
 * the calling thread. The reader reports errors through a view of the handle
 * that holds its own message and the read-only currency and country tables.
 */

enum { BATCH_RECORDS = 128, QUEUE_BATCHES = 4 };

struct parsed {
	json_t *rec;      /* NULL for an error */
	const wu_type *t;
	bool prepared;    /* wu__record_prepare done by the reader, and cols found */
	const json_t *cols[WU_MAX_COLUMNS];
	int rc;           /* the reader's error ... */
	char *msg;        /* ... and its message (NULL: out of memory) */
	uint64_t line;    /* where the record (or the error) is */
	uint64_t bytes;   /* how far the input has been read */
};

struct batch {
	struct batch *next; /* on the done list */
	size_t n;
	struct parsed item[BATCH_RECORDS];
};

struct queue {
	pthread_mutex_t mu;
	pthread_cond_t filled;  /* a batch is waiting, or the reader finished */
	pthread_cond_t emptied; /* room for a batch, or the writer stopped */
	struct batch *slot[QUEUE_BATCHES];
	size_t head, count;
	struct batch *done;     /* stored batches, for the reader to free and reuse */
	bool finished;          /* the reader has put its last batch */
	int lost;               /* an error the reader had no batch to report in */
	bool cancelled;         /* the writer stopped early: the reader stops too */
};

struct reader {
	struct queue *q;
	struct batch *fill; /* being filled */
	int lost;           /* an error with no batch left to carry it */
	wu_db view;         /* no SQLite: errors and the reference tables only */
	FILE *in;
	const wu_type *csv_type; /* NULL: JSON Lines */
	unsigned flags;
};

static void batch_clear(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		json_decref(b->item[i].rec);
		free(b->item[i].msg);
	}
	b->n = 0;
}

static void batches_free(struct batch *b)
{
	while (b) {
		struct batch *next = b->next;
		batch_clear(b);
		free(b);
		b = next;
	}
}

/* Hands the filled batch over; false when the writer has stopped. */
static bool queue_put(struct reader *r)
{
	struct queue *q = r->q;
	pthread_mutex_lock(&q->mu);
	while (q->count == QUEUE_BATCHES && !q->cancelled)
		pthread_cond_wait(&q->emptied, &q->mu);
	bool ok = !q->cancelled;
	if (ok) {
		q->slot[(q->head + q->count) % QUEUE_BATCHES] = r->fill;
		q->count++;
		pthread_cond_signal(&q->filled);
		r->fill = q->done; /* reuse a stored batch, if there is one */
		if (r->fill)
			q->done = r->fill->next;
	}
	pthread_mutex_unlock(&q->mu);
	if (ok && r->fill)
		batch_clear(r->fill);
	else if (ok)
		r->fill = calloc(1, sizeof *r->fill);
	return ok;
}

/* The next batch, or NULL when the reader has finished and all are taken. */
static struct batch *queue_take(struct queue *q)
{
	pthread_mutex_lock(&q->mu);
	while (q->count == 0 && !q->finished)
		pthread_cond_wait(&q->filled, &q->mu);
	struct batch *b = NULL;
	if (q->count > 0) {
		b = q->slot[q->head];
		q->head = (q->head + 1) % QUEUE_BATCHES;
		q->count--;
		pthread_cond_signal(&q->emptied);
	}
	pthread_mutex_unlock(&q->mu);
	return b;
}

static void queue_done(struct queue *q, struct batch *b)
{
	pthread_mutex_lock(&q->mu);
	b->next = q->done;
	q->done = b;
	pthread_mutex_unlock(&q->mu);
}

static void queue_finish(struct queue *q, int lost)
{
	pthread_mutex_lock(&q->mu);
	q->finished = true;
	q->lost = lost;
	pthread_cond_broadcast(&q->filled);
	pthread_mutex_unlock(&q->mu);
}

static void queue_cancel(struct queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->cancelled = true;
	pthread_cond_broadcast(&q->emptied);
	pthread_mutex_unlock(&q->mu);
}

/* Adds an item to the batch being filled, handing it over when full; false
 * when reading must stop (the writer stopped, or no memory for a batch). */
static bool put_item(struct reader *r, struct parsed *p, int *rc)
{
	if (!r->fill) {
		json_decref(p->rec);
		free(p->msg);
		*rc = wu__err_nomem(&r->view);
		return false;
	}
	r->fill->item[r->fill->n++] = *p;
	if (r->fill->n < BATCH_RECORDS)
		return true;
	if (queue_put(r))
		return true;
	batch_clear(r->fill); /* the writer stopped: nobody will take these */
	return false;
}

/* A record read: checked here unless its checks need the database. */
static bool put_record(struct reader *r, const wu_type *t, json_t *rec, uint64_t line, uint64_t bytes, int *rc)
{
	bool prepare = !wu__record_prepare_needs_db(t);
	if (prepare && (*rc = wu__record_prepare(&r->view, t, rec, r->flags))) {
		json_decref(rec);
		return false;
	}
	struct parsed p = { .rec = rec, .t = t, .prepared = prepare, .line = line, .bytes = bytes };
	if (prepare)
		wu__record_columns(t, rec, p.cols);
	return put_item(r, &p, rc);
}

/* The reader's last item: its error, if it met one; then what is left. */
static void put_last(struct reader *r, int rc, uint64_t line)
{
	if (rc && !r->fill)
		r->lost = rc; /* the writer must not take the records so far for all of them */
	if (rc && r->fill) {
		const char *msg = r->view.errmsg;
		struct parsed p = { .rc = rc, .msg = msg ? strdup(msg) : NULL, .line = line };
		r->fill->item[r->fill->n++] = p; /* room: a full batch is always handed over */
	}
	if (r->fill && r->fill->n && !queue_put(r))
		batch_clear(r->fill);
}

/* One JSON Lines record: an object with "type" and the type's fields. */
static int json_record(wu_db *view, char *line, size_t len, const wu_type **type_out, json_t **out)
{
	json_error_t jerr;
	*out = NULL;
	json_t *rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!rec)
		return wu__err(view, WU_EINVAL, "not valid JSON: %s (column %d)", jerr.text, jerr.column);
	int rc = WU_OK;
	const char *type = json_string_value(json_object_get(rec, "type"));
	const wu_type *t = type ? wu_type_find(type) : NULL;
	if (!json_is_object(rec))
		rc = wu__err(view, WU_EINVAL, "expected a JSON object, one record a line");
	else if (!type)
		rc = wu__err(view, WU_EINVAL, "type: missing (every record names its type)");
	else if (!t)
		rc = wu__err(view, WU_EINVAL, "type: '%s' is not a record type", type);
	if (rc) {
		json_decref(rec);
		return rc;
	}
	*type_out = t;
	*out = rec;
	return WU_OK;
}

static void read_jsonl(struct reader *r)
{
	char *line = NULL;
	size_t cap = 0;
	uint64_t lineno = 0, bytes = 0;
	ssize_t n;
	int rc = WU_OK;
	while ((n = getline(&line, &cap, r->in)) >= 0) {
		lineno++;
		bytes += (uint64_t)n;
		size_t len = (size_t)n;
		char *p = line;
		if (lineno == 1 && len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
			p += 3, len -= 3;
		while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
			len--;
		const wu_type *t = NULL;
		json_t *rec = NULL;
		if (lineno == 1 && len >= 2 && (!memcmp(p, "\xff\xfe", 2) || !memcmp(p, "\xfe\xff", 2))) {
			rc = wu__err(&r->view, WU_EINVAL, "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8");
		} else if (len > JSONL_MAX_LINE) {
			rc = wu__err(&r->view, WU_EINVAL, "the line is longer than 16 MiB");
		} else if (memchr(p, '\0', len)) {
			rc = wu__err(&r->view, WU_EINVAL, "the line contains a NUL byte");
		} else {
			size_t k = 0;
			while (k < len && (p[k] == ' ' || p[k] == '\t'))
				k++;
			if (k == len)
				continue; /* a blank line */
			rc = json_record(&r->view, p, len, &t, &rec);
		}
		if (rc || !put_record(r, t, rec, lineno, bytes, &rc))
			break;
	}
	if (!rc && ferror(r->in))
		rc = wu__err(&r->view, WU_EIO, "read error");
	put_last(r, rc, lineno);
	free(line);
}

/* The header row maps columns to fields (or id/created/updated/type). */
static int csv_header(wu_db *db, const wu_type *t, char **cells, size_t n, const char ***out)
{
	const char **cols = calloc(n ? n : 1, sizeof *cols);
	if (!cols)
		return wu__err_nomem(db);
	for (size_t i = 0; i < n; i++) {
		const char *c = cells[i];
		for (size_t k = 0; k < i; k++)
			if (cols[k] && !strcmp(cols[k], c)) {
				free(cols);
				return wu__err(db, WU_EINVAL, "header: column '%s' appears twice", c);
			}
		static const char *const meta[] = { "id", "created", "updated", "type" };
		const wu_field *f = wu_field_find(t, c);
		cols[i] = f ? f->name : NULL;
		for (size_t k = 0; k < 4 && !cols[i]; k++)
			if (!strcmp(c, meta[k]))
				cols[i] = meta[k];
		if (!cols[i]) {
			free(cols);
			return wu__err(db, WU_EINVAL, "header: '%s' is not a field of %s", c, t->name);
		}
	}
	*out = cols;
	return WU_OK;
}

/* A row as a record of text values; an empty cell is an unset field. */
static int csv_record(wu_db *view, const wu_type *t, const char **cols, size_t ncols, const wu_csv *c, char **cells,
		      size_t n, json_t **out)
{
	*out = NULL;
	if (n != ncols)
		return wu__err(view, WU_EINVAL, "the row has %zu cells; the header has %zu", n, ncols);
	json_t *rec = json_object();
	if (!rec)
		return wu__err_nomem(view);
	int rc = WU_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		if (!cells[i][0])
			continue;
		size_t len = wu__csv_cell_len(c, i);
		/* checked here, so jansson need not check the text or the key again */
		if (!wu__utf8_valid(cells[i], len))
			rc = wu__err(view, WU_EINVAL, "%s.%s: the text is not valid UTF-8", t->name, cols[i]);
		else if (json_object_set_new_nocheck(rec, cols[i], json_stringn_nocheck(cells[i], len)))
			rc = wu__err_nomem(view);
	}
	if (rc)
		json_decref(rec);
	else
		*out = rec;
	return rc;
}

static void read_csv(struct reader *r)
{
	const wu_type *t = r->csv_type;
	wu_csv *c;
	if (wu__csv_open(&c, r->in)) {
		put_last(r, wu__err_nomem(&r->view), 0);
		return;
	}
	const char **cols = NULL;
	size_t ncols = 0;
	char **cells;
	size_t n;
	const char *err;
	int rc = WU_OK, got;
	while ((got = wu__csv_next(c, &cells, &n, &err)) == 1) {
		if (!cols) {
			rc = csv_header(&r->view, t, cells, n, &cols);
			ncols = n;
			if (rc)
				break;
			continue;
		}
		json_t *rec = NULL;
		rc = csv_record(&r->view, t, cols, ncols, c, cells, n, &rec);
		if (rc || !put_record(r, t, rec, wu__csv_line(c), wu__csv_bytes(c), &rc))
			break;
	}
	if (got < 0 && !rc)
		rc = err ? wu__err(&r->view, WU_EINVAL, "%s", err) : wu__err_nomem(&r->view);
	if (!rc && got == 0 && !cols)
		rc = wu__err(&r->view, WU_EINVAL, "the file is empty (no header row)");
	put_last(r, rc, wu__csv_line(c));
	free(cols);
	wu__csv_close(c);
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	if (r->csv_type)
		read_csv(r);
	else
		read_jsonl(r);
	if (r->fill) {
		batch_clear(r->fill);
		free(r->fill);
		r->fill = NULL;
	}
	queue_finish(r->q, r->lost);
	return NULL;
}

/* Records checked and waiting to be stored together: consecutive records of
 * one type, pointing into the batch being stored. */
struct pending {
	const wu_type *t;
	size_t n;
	struct parsed *item[WU_STORE_ROWS];
};

static void count_stored(const wu_import_opts *o, const struct parsed *p, uint64_t *count)
{
	(*count)++;
	progress(o, p->bytes, *count, false);
}

static int failed_at(wu_db *db, const wu_import_opts *o, const struct parsed *p, int rc)
{
	wu__err_prefix(db, "%s:%llu", o->source ? o->source : "line", (unsigned long long)p->line);
	return rc;
}

static int flush(wu_db *db, struct pending *w, const wu_import_opts *o, uint64_t *count)
{
	struct wu_row rows[WU_STORE_ROWS];
	size_t n = w->n, failed = 0;
	w->n = 0;
	if (!n)
		return WU_OK;
	for (size_t i = 0; i < n; i++)
		rows[i] = (struct wu_row){ .rec = w->item[i]->rec, .cols = w->item[i]->cols };
	int rc = wu__records_insert(db, w->t, rows, n, &failed);
	if (rc)
		return failed_at(db, o, w->item[failed], rc);
	for (size_t i = 0; i < n; i++)
		count_stored(o, w->item[i], count);
	return WU_OK;
}

/* A record the reader prepared: its references checked now, its row
 * written with the next ones of its type. Waiting records are all of one
 * type and no type refers to its own (tests/unit/test-io.c holds the model
 * to that), so a reference never names a record that is still waiting. */
static int store_prepared(wu_db *db, struct pending *w, struct parsed *p, const wu_import_opts *o, uint64_t *count)
{
	int rc = w->n && w->t != p->t ? flush(db, w, o, count) : WU_OK;
	if (rc)
		return rc; /* about a record before this one, named already */
	if ((rc = wu__check_refs(db, p->t, p->rec, p->cols)))
		return failed_at(db, o, p, rc);
	w->t = p->t;
	w->item[w->n++] = p;
	return w->n == WU_STORE_ROWS ? flush(db, w, o, count) : WU_OK;
}

static int store_one(wu_db *db, struct pending *w, struct parsed *p, const wu_import_opts *o, unsigned flags,
		     uint64_t *count)
{
	int rc = flush(db, w, o, count); /* first the records before it */
	if (rc)
		return rc;
	if (p->rc)
		rc = p->msg ? wu__err(db, p->rc, "%s", p->msg) : wu__err_nomem(db);
	else if (!(rc = wu__record_insert(db, p->t, p->rec, flags)))
		count_stored(o, p, count);
	return rc ? failed_at(db, o, p, rc) : WU_OK;
}

/* The writer's side: takes records in input order and stores them. */
static int store_all(wu_db *db, struct queue *q, const wu_import_opts *o, unsigned flags, uint64_t *count)
{
	struct pending w = { 0 };
	struct batch *b;
	int rc = WU_OK;
	while (!rc && (b = queue_take(q))) {
		for (size_t i = 0; i < b->n && !rc; i++) {
			struct parsed *p = &b->item[i];
			rc = p->prepared && !p->rc ? store_prepared(db, &w, p, o, count) : store_one(db, &w, p, o, flags, count);
		}
		if (!rc) /* the records wait in the batch, which goes back to the reader */
			rc = flush(db, &w, o, count);
		queue_done(q, b);
	}
	if (!rc && q->lost) /* read after the reader finished: no lock needed */
		rc = wu__err_nomem(db);
	return rc;
}

static int import_records(uint64_t *count, wu_db *db, FILE *in, const wu_import_opts *o, const wu_type *csv_type)
{
	struct queue *q = calloc(1, sizeof *q);
	struct batch *first = calloc(1, sizeof *first);
	if (!q || !first) {
		free(q);
		free(first);
		return wu__err_nomem(db);
	}
	unsigned flags = o->flags | WU__NO_HISTORY | WU_KEEP_META | (csv_type ? WU_TEXT_VALUES : 0);
	struct reader r = { .q = q, .fill = first, .in = in, .csv_type = csv_type, .flags = flags };
	r.view.flags = db->flags;
	r.view.currencies = db->currencies;
	r.view.ncurrencies = db->ncurrencies;
	r.view.countries = db->countries;
	r.view.ncountries = db->ncountries;
	json_decref(json_object()); /* jansson seeds its hash here, not in two threads at once */
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->filled, NULL);
	pthread_cond_init(&q->emptied, NULL);
	pthread_t th;
	int rc = WU_OK;
	if (pthread_create(&th, NULL, reader_main, &r) != 0) {
		free(first);
		rc = wu__err(db, WU_ENOMEM, "cannot start the import's reader thread");
	} else {
		rc = store_all(db, q, o, flags, count);
		queue_cancel(q);
		struct batch *rest;
		while ((rest = queue_take(q)))
			queue_done(q, rest);
		pthread_join(th, NULL);
		batches_free(q->done);
	}
	pthread_cond_destroy(&q->emptied);
	pthread_cond_destroy(&q->filled);
	pthread_mutex_destroy(&q->mu);
	free(r.view.errmsg);
	free(q);
	return rc;
}

int wu_import(uint64_t *out, wu_db *db, FILE *in, const wu_import_opts *opts)
{
	uint64_t count = 0;
	if (out)
		*out = 0;
	wu__err_clear(db);
	wu_import_opts none = { 0 };
	const wu_import_opts *o = opts ? opts : &none;
	const char *fmt = o->format ? o->format : "jsonl";
	if (strcmp(fmt, "jsonl") && strcmp(fmt, "csv"))
		return wu__err(db, WU_EINVAL, "format: '%s' is not jsonl or csv", fmt);
	const wu_type *csv_type = NULL;
	if (!strcmp(fmt, "csv") && !(csv_type = wu_type_find(o->type)))
		return wu__err(db, WU_EINVAL, "csv import: '%s' is not a record type", o->type ? o->type : "(none given)");
	int64_t *marks = calloc(wu_type_count(), sizeof *marks);
	if (!marks)
		return wu__err_nomem(db);
	int rc = db->flags & WU_OPEN_READONLY ? wu__write_begin(db) : wu_begin_bulk(db);
	if (rc) {
		free(marks);
		return rc;
	}
	rc = wu__rowid_marks(db, marks);
	if (!rc)
		rc = import_records(&count, db, in, o, csv_type);
	/* the history of an import is written in one statement per type, not
	 * one per record: the same rows, at a fraction of the cost */
	if (!rc)
		rc = wu__history_since(db, marks);
	rc = wu__write_end(db, rc);
	free(marks);
	if (!rc) {
		progress(o, 0, count, true);
		if (out)
			*out = count;
	}
	return rc;
}

/* ---- export ------------------------------------------------------------------
 *
 * Export writes straight from the statement's columns, without building a
 * JSON tree per row: it is the bulk path. The bytes are the same as
 * json_dumps(record, JSON_COMPACT | JSON_SORT_KEYS) of wu_record_get();
 * tests/unit/test-io.c holds them to that.
 */

struct export_ctx {
	FILE *out;
	int order[64];   /* JSONL: column per sorted key; -1 is "type" */
	size_t nkeys;
};

static const char *column_name(const wu_type *t, int col)
{
	static const char *const meta[] = { "id", "created", "updated" };
	return col < 0 ? "type" : col < 3 ? meta[col] : t->fields[col - 3].name;
}

/* The column order that sorts the keys, as JSON_SORT_KEYS does (bytewise). */
static void sort_keys(const wu_type *t, struct export_ctx *x)
{
	x->nkeys = 0;
	for (int c = -1; c < (int)t->nfields + 3 && x->nkeys < 64; c++)
		x->order[x->nkeys++] = c;
	for (size_t i = 1; i < x->nkeys; i++)
		for (size_t k = i; k > 0 && strcmp(column_name(t, x->order[k - 1]), column_name(t, x->order[k])) > 0; k--) {
			int tmp = x->order[k];
			x->order[k] = x->order[k - 1];
			x->order[k - 1] = tmp;
		}
}

/* A JSON string as jansson writes it: UTF-8 kept, control characters escaped. */
static void put_json_string(FILE *out, const unsigned char *s)
{
	putc('"', out);
	for (; *s; s++) {
		switch (*s) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*s < 0x20)
				fprintf(out, "\\u%04X", *s);
			else
				putc(*s, out);
		}
	}
	putc('"', out);
}

static bool put_money(wu_db *db, FILE *out, const wu_type *t, const wu_field *f, sqlite3_stmt *st, int col, bool quoted)
{
	char buf[40];
	const char *cur = (const char *)sqlite3_column_text(st, wu__currency_col(t, f));
	if (wu_money_format(buf, sizeof buf, db, sqlite3_column_int64(st, col), cur))
		return false;
	fprintf(out, quoted ? "\"%s\"" : "%s", buf);
	return true;
}

static int jsonl_row(wu_db *db, const wu_type *t, sqlite3_stmt *st, void *payload)
{
	struct export_ctx *x = payload;
	bool first = true;
	putc('{', x->out);
	for (size_t k = 0; k < x->nkeys; k++) {
		int col = x->order[k];
		if (col >= 0 && sqlite3_column_type(st, col) == SQLITE_NULL)
			continue;
		if (!first)
			putc(',', x->out);
		first = false;
		fprintf(x->out, "\"%s\":", column_name(t, col));
		const wu_field *f = col >= 3 ? &t->fields[col - 3] : NULL;
		if (col < 0) {
			fprintf(x->out, "\"%s\"", t->name);
		} else if (!f) {
			put_json_string(x->out, sqlite3_column_text(st, col));
		} else if (f->kind == WU_K_BOOL) {
			fputs(sqlite3_column_int(st, col) ? "true" : "false", x->out);
		} else if (f->kind == WU_K_INT || f->kind == WU_K_PERCENT) {
			fprintf(x->out, "%lld", (long long)sqlite3_column_int64(st, col));
		} else if (f->kind == WU_K_MONEY) {
			if (!put_money(db, x->out, t, f, st, col, true))
				return wu__err(db, WU_EDB, "%s %s: a stored amount is damaged", t->name, sqlite3_column_text(st, 0));
		} else if (f->kind == WU_K_SET || f->kind == WU_K_REFSET) {
			fputs((const char *)sqlite3_column_text(st, col), x->out); /* stored as canonical JSON */
		} else {
			put_json_string(x->out, sqlite3_column_text(st, col));
		}
	}
	putc('}', x->out);
	if (putc('\n', x->out) == EOF)
		return wu__err(db, WU_EIO, "cannot write the export");
	return 0;
}

static int export_types(wu_db *db, const char *type, const wu_query *q, wu__row_fn fn, struct export_ctx *x,
			bool header)
{
	wu__err_clear(db);
	const wu_type *only = NULL;
	if (type && !(only = wu_type_find(type)))
		return wu__err(db, WU_ENOTFOUND, "no record type '%s'", type);
	for (size_t i = 0; i < wu_type_count(); i++) {
		const wu_type *t = wu_type_at(i);
		bool stopped = false;
		if (only && t != only)
			continue;
		sort_keys(t, x);
		if (header) {
			fputs("id,created,updated", x->out);
			for (size_t k = 0; k < t->nfields; k++)
				fprintf(x->out, ",%s", t->fields[k].name);
			putc('\n', x->out);
		}
		int rc = wu__list_rows(db, t, q, fn, x, &stopped);
		if (rc)
			return rc;
	}
	if (ferror(x->out))
		return wu__err(db, WU_EIO, "cannot write the export");
	return WU_OK;
}

int wu_export_jsonl(wu_db *db, FILE *out, const char *type, const wu_query *q)
{
	struct export_ctx x = { .out = out };
	return export_types(db, type, q, jsonl_row, &x, false);
}

/* ---- export under a privacy profile ------------------------------------------------ */

struct profiled {
	wu_db *db;
	FILE *out;
	wu_profile profile;
	int rc;
};

/* What a record may show outside this machine: exactly what sync would
 * share (wu__share_body: shared records only, no notes, an organisation's
 * name only when it is public), with its id and updated time back so the
 * file imports. An organisation that is not public goes under its alias,
 * without registry ids, and its sex worker-led figures go only with its
 * consent. */
static int profiled_body(struct profiled *p, const wu_type *t, const json_t *rec, json_t **out)
{
	json_t *body = NULL;
	*out = NULL;
	int rc = wu__share_body(p->db, t, rec, &body);
	if (rc || !body)
		return rc;
	json_object_set(body, "id", json_object_get(rec, "id"));
	json_object_set(body, "updated", json_object_get(rec, "updated"));
	if (!strcmp(t->name, "org")) {
		bool public_org = !strcmp(json_string_value(json_object_get(rec, "visibility")), "public");
		if (!public_org) {
			const char *alias = json_string_value(json_object_get(rec, "alias"));
			json_object_set_new(body, "name", json_string(alias ? alias : "an unnamed organisation"));
			json_object_del(body, "org_id");
			json_object_del(body, "ror");
		}
		if (!json_is_true(json_object_get(rec, "disclose_swl"))) {
			static const char *const swl[] = { "swl_self_declared", "swl_board_pct", "swl_spokes_pct", "swl_staff_pct" };
			for (size_t i = 0; i < sizeof swl / sizeof swl[0]; i++)
				json_object_del(body, swl[i]);
			/* kind and groups would say it as plainly as the flag */
			if (!strcmp(json_string_value(json_object_get(rec, "kind")), "sex-worker-led"))
				json_object_set_new(body, "kind", json_string("other"));
			json_t *groups = json_object_get(body, "represents");
			for (size_t i = json_array_size(groups); i-- > 0;)
				if (!strcmp(json_string_value(json_array_get(groups, i)), "sex-workers"))
					json_array_remove(groups, i);
			if (groups && !json_array_size(groups)) {
				json_object_del(body, "represents");
				if (!strcmp(json_string_value(json_object_get(body, "kind")), "community-led"))
					json_object_set_new(body, "kind", json_string("other"));
			}
		}
	}
	*out = body;
	return WU_OK;
}

static int profiled_record(const json_t *rec, void *payload)
{
	struct profiled *p = payload;
	const wu_type *t = wu_type_find(json_string_value(json_object_get(rec, "type")));
	json_t *body = NULL;
	if ((p->rc = profiled_body(p, t, rec, &body)) || !body)
		return p->rc ? 1 : 0;
	if (json_dumpf(body, p->out, JSON_COMPACT | JSON_SORT_KEYS) || putc('\n', p->out) == EOF)
		p->rc = wu__err(p->db, WU_EIO, "cannot write the export");
	json_decref(body);
	return p->rc ? 1 : 0;
}

/* The same record as a CSV row of its type's columns, written as
 * wu_export_csv writes them (sets as a;b, booleans as true/false). */
static int profiled_csv_record(const json_t *rec, void *payload)
{
	struct profiled *p = payload;
	const wu_type *t = wu_type_find(json_string_value(json_object_get(rec, "type")));
	json_t *body = NULL;
	if ((p->rc = profiled_body(p, t, rec, &body)) || !body)
		return p->rc ? 1 : 0;
	static const char *const meta[] = { "id", "created", "updated" };
	for (size_t col = 0; col < t->nfields + 3 && !p->rc; col++) {
		const char *key = col < 3 ? meta[col] : t->fields[col - 3].name;
		const json_t *v = json_object_get(body, key);
		if (col)
			putc(',', p->out);
		if (json_is_string(v)) {
			wu__csv_write_cell(p->out, json_string_value(v));
		} else if (json_is_boolean(v)) {
			fputs(json_is_true(v) ? "true" : "false", p->out);
		} else if (json_is_integer(v)) {
			fprintf(p->out, "%lld", (long long)json_integer_value(v));
		} else if (json_is_array(v)) {
			char *cell = NULL;
			size_t i, len = 0;
			const json_t *e;
			FILE *m = open_memstream(&cell, &len);
			json_array_foreach(v, i, e)
				fprintf(m ? m : stderr, "%s%s", i ? ";" : "", json_string_value(e));
			if (!m || fclose(m))
				p->rc = wu__err_nomem(p->db);
			else
				wu__csv_write_cell(p->out, cell);
			free(cell);
		}
	}
	if (!p->rc && putc('\n', p->out) == EOF)
		p->rc = wu__err(p->db, WU_EIO, "cannot write the export");
	json_decref(body);
	return p->rc ? 1 : 0;
}

int wu_export_jsonl_profile(wu_db *db, FILE *out, const char *type, const wu_query *q, wu_profile profile)
{
	if (profile == WU_PROFILE_PRIVATE)
		return wu_export_jsonl(db, out, type, q);
	wu__err_clear(db);
	if (type && !wu_type_find(type))
		return wu__err(db, WU_ENOTFOUND, "no record type '%s'", type);
	struct profiled p = { .db = db, .out = out, .profile = profile };
	bool began = false;
	int rc = wu__read_begin(db, &began);
	if (!rc)
		rc = wu_record_list(db, type, q, profiled_record, &p);
	wu__read_end(db, began);
	if (!rc)
		rc = p.rc;
	if (!rc && ferror(out))
		rc = wu__err(db, WU_EIO, "cannot write the export");
	return rc;
}

int wu_export_csv_profile(wu_db *db, FILE *out, const char *type, const wu_query *q, wu_profile profile)
{
	if (profile == WU_PROFILE_PRIVATE)
		return wu_export_csv(db, out, type, q);
	wu__err_clear(db);
	const wu_type *only = NULL;
	if (type && !(only = wu_type_find(type)))
		return wu__err(db, WU_ENOTFOUND, "no record type '%s'", type);
	struct profiled p = { .db = db, .out = out, .profile = profile };
	bool began = false;
	int rc = wu__read_begin(db, &began);
	for (size_t i = 0; !rc && !p.rc && i < wu_type_count(); i++) {
		const wu_type *t = wu_type_at(i);
		if (only && t != only)
			continue;
		fputs("id,created,updated", out);
		for (size_t k = 0; k < t->nfields; k++)
			fprintf(out, ",%s", t->fields[k].name);
		putc('\n', out);
		rc = wu_record_list(db, t->name, q, profiled_csv_record, &p);
	}
	wu__read_end(db, began);
	if (!rc)
		rc = p.rc;
	if (!rc && ferror(out))
		rc = wu__err(db, WU_EIO, "cannot write the export");
	return rc;
}

/* A stored set, ["a","b"], as the CSV cell a;b. Set members are enum words
 * and ids, which JSON never escapes. */
static int put_set_cell(FILE *out, const char *json)
{
	char buf[4096];
	size_t n = 0;
	for (const char *p = json; *p && n < sizeof buf - 1; p++) {
		if (*p == '[' || *p == ']' || *p == '"')
			continue;
		buf[n++] = *p == ',' ? ';' : *p;
	}
	buf[n] = '\0';
	return wu__csv_write_cell(out, buf);
}

static int export_csv_row(wu_db *db, const wu_type *t, sqlite3_stmt *st, void *payload)
{
	struct export_ctx *x = payload;
	int ncols = (int)t->nfields + 3, rc = WU_OK;
	for (int col = 0; col < ncols && !rc; col++) {
		if (col)
			putc(',', x->out);
		if (sqlite3_column_type(st, col) == SQLITE_NULL)
			continue;
		const wu_field *f = col >= 3 ? &t->fields[col - 3] : NULL;
		if (f && f->kind == WU_K_BOOL)
			fputs(sqlite3_column_int(st, col) ? "true" : "false", x->out);
		else if (f && (f->kind == WU_K_INT || f->kind == WU_K_PERCENT))
			fprintf(x->out, "%lld", (long long)sqlite3_column_int64(st, col));
		else if (f && f->kind == WU_K_MONEY)
			rc = put_money(db, x->out, t, f, st, col, false) ? WU_OK : WU_EDB;
		else if (f && (f->kind == WU_K_SET || f->kind == WU_K_REFSET))
			rc = put_set_cell(x->out, (const char *)sqlite3_column_text(st, col));
		else
			rc = wu__csv_write_cell(x->out, (const char *)sqlite3_column_text(st, col));
	}
	if (rc || putc('\n', x->out) == EOF)
		return wu__err(db, WU_EIO, "cannot write the export");
	return 0;
}

int wu_export_csv(wu_db *db, FILE *out, const char *type, const wu_query *q)
{
	if (!wu_type_find(type))
		return wu__err(db, WU_ENOTFOUND, "no record type '%s'", type ? type : "");
	struct export_ctx x = { .out = out };
	return export_types(db, type, q, export_csv_row, &x, true);
}
