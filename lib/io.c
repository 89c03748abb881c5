/*
 * io.c - import and export: JSON Lines (the canonical shape, one record a
 * line) and CSV (one file per record type, a header row of field names).
 *
 * Import streams: one line or row is held at a time, and the whole input is
 * one transaction, so a bad line anywhere leaves the database as it was.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define JSONL_MAX_LINE (16u << 20)
#define PROGRESS_EVERY 4096

static void progress(const wu_import_opts *o, uint64_t bytes, uint64_t n, bool force)
{
	if (o->progress && (force || n % PROGRESS_EVERY == 0))
		o->progress(bytes, n, o->payload);
}

/* One JSON Lines record: an object with "type" and the type's fields. */
static int import_json_line(wu_db *db, char *line, size_t len, unsigned flags)
{
	json_error_t jerr;
	json_t *rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!rec)
		return wu__err(db, WU_EINVAL, "not valid JSON: %s (column %d)", jerr.text, jerr.column);
	int rc;
	const char *type = json_string_value(json_object_get(rec, "type"));
	const wu_type *t = type ? wu_type_find(type) : NULL;
	if (!json_is_object(rec))
		rc = wu__err(db, WU_EINVAL, "expected a JSON object, one record a line");
	else if (!type)
		rc = wu__err(db, WU_EINVAL, "type: missing (every record names its type)");
	else if (!t)
		rc = wu__err(db, WU_EINVAL, "type: '%s' is not a record type", type);
	else
		rc = wu__record_insert(db, t, rec, flags | WU_KEEP_META);
	json_decref(rec);
	return rc;
}

static int import_jsonl(uint64_t *count, wu_db *db, FILE *in, const wu_import_opts *o)
{
	char *line = NULL;
	size_t cap = 0;
	uint64_t lineno = 0, bytes = 0;
	ssize_t n;
	int rc = WU_OK;
	while ((n = getline(&line, &cap, in)) >= 0) {
		lineno++;
		bytes += (uint64_t)n;
		size_t len = (size_t)n;
		char *p = line;
		if (lineno == 1 && len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
			p += 3, len -= 3;
		while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
			len--;
		if (len > JSONL_MAX_LINE) {
			rc = wu__err(db, WU_EINVAL, "the line is longer than 16 MiB");
		} else if (memchr(p, '\0', len)) {
			rc = wu__err(db, WU_EINVAL, "the line contains a NUL byte");
		} else {
			size_t k = 0;
			while (k < len && (p[k] == ' ' || p[k] == '\t'))
				k++;
			if (k == len)
				continue; /* a blank line */
			rc = import_json_line(db, p, len, o->flags);
		}
		if (rc) {
			wu__err_prefix(db, "%s:%llu", o->source ? o->source : "line", (unsigned long long)lineno);
			break;
		}
		(*count)++;
		progress(o, bytes, *count, false);
	}
	if (!rc && ferror(in))
		rc = wu__err(db, WU_EIO, "%s: read error", o->source ? o->source : "input");
	free(line);
	return rc;
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

static int csv_row(wu_db *db, const wu_type *t, const char **cols, size_t ncols, char **cells, size_t n,
		   unsigned flags)
{
	if (n != ncols)
		return wu__err(db, WU_EINVAL, "the row has %zu cells; the header has %zu", n, ncols);
	json_t *rec = json_object();
	if (!rec)
		return wu__err_nomem(db);
	int rc = WU_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		if (!cells[i][0])
			continue; /* an empty cell is an unset field */
		if (!wu__utf8_valid(cells[i], strlen(cells[i])))
			rc = wu__err(db, WU_EINVAL, "%s.%s: the text is not valid UTF-8", t->name, cols[i]);
		else if (json_object_set_new(rec, cols[i], json_string(cells[i])))
			rc = wu__err_nomem(db);
	}
	if (!rc)
		rc = wu__record_insert(db, t, rec, flags | WU_KEEP_META | WU_TEXT_VALUES);
	json_decref(rec);
	return rc;
}

static int import_csv(uint64_t *count, wu_db *db, FILE *in, const wu_import_opts *o)
{
	const wu_type *t = wu_type_find(o->type);
	if (!t)
		return wu__err(db, WU_EINVAL, "csv import: '%s' is not a record type", o->type ? o->type : "(none given)");
	wu_csv *c;
	if (wu__csv_open(&c, in))
		return wu__err_nomem(db);
	const char **cols = NULL;
	size_t ncols = 0;
	char **cells;
	size_t n;
	const char *err;
	int rc = WU_OK, r;
	while ((r = wu__csv_next(c, &cells, &n, &err)) == 1) {
		if (!cols) {
			rc = csv_header(db, t, cells, n, &cols);
			ncols = n;
		} else {
			rc = csv_row(db, t, cols, ncols, cells, n, o->flags);
			if (!rc)
				(*count)++;
		}
		if (rc)
			break;
		progress(o, wu__csv_bytes(c), *count, false);
	}
	if (r < 0 && !rc)
		rc = err ? wu__err(db, WU_EINVAL, "%s", err) : wu__err_nomem(db);
	if (!rc && !cols)
		rc = wu__err(db, WU_EINVAL, "the file is empty (no header row)");
	if (rc)
		wu__err_prefix(db, "%s:%llu", o->source ? o->source : "line", (unsigned long long)wu__csv_line(c));
	free(cols);
	wu__csv_close(c);
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
	int rc = wu__write_begin(db);
	if (rc)
		return rc;
	rc = !strcmp(fmt, "csv") ? import_csv(&count, db, in, o) : import_jsonl(&count, db, in, o);
	rc = wu__write_end(db, rc);
	if (!rc) {
		progress(o, 0, count, true);
		if (out)
			*out = count;
	}
	return rc;
}

/* ---- export ------------------------------------------------------------------ */

struct export_ctx {
	wu_db *db;
	FILE *out;
	const wu_type *type;
	int rc;
};

static int write_jsonl(const json_t *rec, void *payload)
{
	struct export_ctx *x = payload;
	if (json_dumpf(rec, x->out, JSON_COMPACT | JSON_SORT_KEYS) || putc('\n', x->out) == EOF) {
		x->rc = wu__err(x->db, WU_EIO, "cannot write the export");
		return 1;
	}
	return 0;
}

int wu_export_jsonl(wu_db *db, FILE *out, const char *type, const wu_query *q)
{
	struct export_ctx x = { db, out, NULL, WU_OK };
	int rc = wu_record_list(db, type, q, write_jsonl, &x);
	return rc ? rc : x.rc;
}

/* The text of one cell: sets joined with ';', booleans as true/false. */
static int cell_text(const json_t *v, char *buf, size_t size, const char **out)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		*out = json_string_value(v);
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		*out = json_is_true(v) ? "true" : "false";
		return 0;
	case JSON_INTEGER:
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
		*out = buf;
		return 0;
	case JSON_ARRAY: {
		size_t n = 0, i;
		const json_t *e;
		buf[0] = '\0';
		json_array_foreach(v, i, e) {
			int w = snprintf(buf + n, size - n, "%s%s", i ? ";" : "", json_string_value(e));
			if (w < 0 || (size_t)w >= size - n)
				return -1;
			n += (size_t)w;
		}
		*out = buf;
		return 0;
	}
	default:
		return -1;
	}
}

static int write_csv_row(const json_t *rec, void *payload)
{
	struct export_ctx *x = payload;
	const wu_type *t = x->type;
	char buf[8192];
	int bad = 0;
	for (size_t i = 0; i < t->nfields + 3 && !bad; i++) {
		static const char *const meta[] = { "id", "created", "updated" };
		const char *name = i < 3 ? meta[i] : t->fields[i - 3].name;
		const json_t *v = json_object_get(rec, name);
		const char *s = "";
		if (i && putc(',', x->out) == EOF)
			bad = 1;
		if (v && cell_text(v, buf, sizeof buf, &s))
			bad = 1;
		if (!bad && wu__csv_write_cell(x->out, s))
			bad = 1;
	}
	if (bad || putc('\n', x->out) == EOF) {
		x->rc = wu__err(x->db, WU_EIO, "cannot write the export");
		return 1;
	}
	return 0;
}

int wu_export_csv(wu_db *db, FILE *out, const char *type, const wu_query *q)
{
	const wu_type *t = wu_type_find(type);
	if (!t)
		return wu__err(db, WU_ENOTFOUND, "no record type '%s'", type ? type : "");
	if (fputs("id,created,updated", out) < 0)
		return wu__err(db, WU_EIO, "cannot write the export");
	for (size_t i = 0; i < t->nfields; i++)
		if (fprintf(out, ",%s", t->fields[i].name) < 0)
			return wu__err(db, WU_EIO, "cannot write the export");
	if (putc('\n', out) == EOF)
		return wu__err(db, WU_EIO, "cannot write the export");
	struct export_ctx x = { db, out, t, WU_OK };
	int rc = wu_record_list(db, type, q, write_csv_row, &x);
	return rc ? rc : x.rc;
}
