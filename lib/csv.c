/*
 * csv.c - a streaming RFC 4180 reader and a cell writer.
 *
 * The reader holds one row at a time (a 64 KiB read buffer plus the cells of
 * the current row), so memory stays flat however long the file is. Quoted
 * cells may hold commas, quotes ("") and line breaks; rows end with LF or
 * CRLF; a leading UTF-8 byte order mark is skipped; blank lines are skipped.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define CSV_MAX_ROW (4u << 20) /* a row longer than 4 MiB is refused */

struct wu_csv {
	FILE *in;
	unsigned char buf[65536];
	size_t pos, len;
	bool eof;
	bool started;
	bool utf16;        /* the file starts with a UTF-16 byte-order mark */
	struct wu_buf data; /* the cells of the row, each NUL-terminated */
	size_t cell_start; /* where the current cell starts in data */
	size_t *offs;     /* where each cell starts in data */
	char **cells;
	size_t nf, fcap;
	uint64_t line;    /* the line the current row started on */
	uint64_t next_line;
	uint64_t bytes;
};

int wu__csv_open(wu_csv **out, FILE *in)
{
	wu_csv *c = calloc(1, sizeof *c);
	*out = c;
	if (!c)
		return WU_ENOMEM;
	c->in = in;
	c->next_line = 1;
	return WU_OK;
}

void wu__csv_close(wu_csv *c)
{
	if (!c)
		return;
	wu__buf_free(&c->data);
	free(c->offs);
	free(c->cells);
	free(c);
}

size_t wu__csv_cell_len(const wu_csv *c, size_t i)
{
	size_t end = i + 1 < c->nf ? c->offs[i + 1] : c->data.len;
	return end - c->offs[i] - 1; /* less its NUL */
}

uint64_t wu__csv_line(const wu_csv *c)
{
	return c->line;
}

uint64_t wu__csv_bytes(const wu_csv *c)
{
	return c->bytes;
}

/* The next byte, or -1 at end of input, -2 on a read error. */
static int next_byte(wu_csv *c)
{
	if (c->pos == c->len) {
		if (c->eof)
			return -1;
		c->len = fread(c->buf, 1, sizeof c->buf, c->in);
		c->pos = 0;
		if (c->len < sizeof c->buf) {
			if (ferror(c->in))
				return -2;
			c->eof = true;
		}
		if (!c->started) {
			c->started = true;
			if (c->len >= 3 && !memcmp(c->buf, "\xef\xbb\xbf", 3))
				c->pos = 3;
			/* UTF-16 (as some spreadsheets save "Unicode text"): say so, not "NUL byte" */
			if (c->len >= 2 && ((c->buf[0] == 0xff && c->buf[1] == 0xfe) || (c->buf[0] == 0xfe && c->buf[1] == 0xff)))
				c->utf16 = true;
		}
		if (c->pos == c->len)
			return -1;
	}
	c->bytes++;
	return c->buf[c->pos++];
}

static int peek_byte(wu_csv *c)
{
	int b = next_byte(c);
	if (b >= 0) {
		c->pos--;
		c->bytes--;
	}
	return b;
}

static bool push(wu_csv *c, char ch)
{
	return wu__buf_add(&c->data, &ch, 1);
}

static bool end_cell(wu_csv *c)
{
	if (c->nf == c->fcap) {
		size_t cap = c->fcap ? c->fcap * 2 : 32;
		size_t *o = realloc(c->offs, cap * sizeof *o);
		if (!o)
			return false;
		c->offs = o;
		char **p = realloc(c->cells, cap * sizeof *p);
		if (!p)
			return false;
		c->cells = p;
		c->fcap = cap;
	}
	c->offs[c->nf] = c->cell_start;
	if (!push(c, '\0'))
		return false;
	c->cell_start = c->data.len;
	c->nf++;
	return true;
}

static void finish_row(wu_csv *c, char ***cells, size_t *n)
{
	for (size_t i = 0; i < c->nf; i++)
		c->cells[i] = c->data.data + c->offs[i];
	*cells = c->cells;
	*n = c->nf;
}

/* Bytes that end a run of plain text in an unquoted cell. */
static bool ends_plain(unsigned char b)
{
	return b == ',' || b == '\n' || b == '\r' || b == '"' || b == '\0';
}

/* Copies the plain text that follows in the read buffer in one go: most
 * cells are nothing else, and a byte at a time was most of the reading. */
static bool push_plain_run(wu_csv *c)
{
	size_t end = c->pos;
	while (end < c->len && !ends_plain(c->buf[end]))
		end++;
	size_t n = end - c->pos;
	if (!wu__buf_add(&c->data, c->buf + c->pos, n))
		return false;
	c->pos = end;
	c->bytes += n;
	return true;
}

int wu__csv_next(wu_csv *c, char ***cells, size_t *nfields, const char **err)
{
	c->data.len = 0;
	c->nf = 0;
	c->cell_start = 0;
	*err = NULL;
	bool quoted = false, after_quote = false, any = false;
	c->line = c->next_line;
	for (;;) {
		int b = next_byte(c);
		if (b == -2) {
			*err = "read error";
			return -1;
		}
		if (c->data.len > CSV_MAX_ROW) {
			*err = "the row is longer than 4 MiB";
			return -1;
		}
		if (b == -1) {
			if (quoted) {
				*err = "a quoted cell is not closed before the end of the file";
				return -1;
			}
			if (!any)
				return 0;
			if (!end_cell(c))
				return WU_ENOMEM;
			finish_row(c, cells, nfields);
			return 1;
		}
		if (b == 0 || c->utf16) {
			*err = c->utf16 ? "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8"
					: "the file contains a NUL byte";
			return -1;
		}
		if (b == '\n')
			c->next_line++;
		if (quoted) {
			if (b == '"') {
				if (peek_byte(c) == '"') {
					next_byte(c);
					if (!push(c, '"'))
						return WU_ENOMEM;
				} else {
					quoted = false;
					after_quote = true;
				}
			} else if (!push(c, (char)b)) {
				return WU_ENOMEM;
			}
			continue;
		}
		if (b == '\r' && peek_byte(c) == '\n')
			continue;
		if (b == '\n' || b == '\r') {
			if (!any) {
				c->line = c->next_line;
				continue; /* a blank line */
			}
			if (!end_cell(c))
				return WU_ENOMEM;
			finish_row(c, cells, nfields);
			return 1;
		}
		any = true;
		if (b == ',') {
			if (!end_cell(c))
				return WU_ENOMEM;
			after_quote = false;
			continue;
		}
		if (after_quote) {
			*err = "text follows a closing quote (a quote inside a quoted cell is written \"\")";
			return -1;
		}
		if (b == '"') {
			/* a quote opens a quoted cell only at the start of a cell */
			if (c->data.len == 0 || c->data.data[c->data.len - 1] == '\0') {
				quoted = true;
				continue;
			}
			*err = "a quote in the middle of an unquoted cell";
			return -1;
		}
		if (!push(c, (char)b) || !push_plain_run(c))
			return WU_ENOMEM;
	}
}

int wu__csv_write_cell(FILE *out, const char *s)
{
	bool quote = s[0] == ' ' || (s[0] && s[strlen(s) - 1] == ' ') || strpbrk(s, ",\"\r\n") != NULL;
	if (!quote)
		return fputs(s, out) < 0 ? WU_EIO : WU_OK;
	if (putc('"', out) == EOF)
		return WU_EIO;
	for (const char *p = s; *p; p++) {
		if (*p == '"' && putc('"', out) == EOF)
			return WU_EIO;
		if (putc(*p, out) == EOF)
			return WU_EIO;
	}
	return putc('"', out) == EOF ? WU_EIO : WU_OK;
}
