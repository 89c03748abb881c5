/*
 * writer.c - what the writers share: formatted output that remembers its
 * first failure, CSV cells that are safe to open in a spreadsheet, and a
 * growable buffer (sync builds its uploads in one).
 */
#include "config.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

void wu__put(struct wu_out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vfprintf(o->f, fmt, ap) < 0)
		o->failed = true;
	va_end(ap);
}

const char *wu__jstr(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

/* Text inside HTML or XML, attributes included ('&#39;' is valid in both). */
void wu__put_markup(struct wu_out *o, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': wu__put(o, "&amp;"); break;
		case '<': wu__put(o, "&lt;"); break;
		case '>': wu__put(o, "&gt;"); break;
		case '"': wu__put(o, "&quot;"); break;
		case '\'': wu__put(o, "&#39;"); break;
		default: wu__put(o, "%c", *s);
		}
	}
}

/* RFC 4180 quoting; a cell a spreadsheet would run as a formula (= + - @,
 * a tab or CR first) starts with ', but a negative number stays a number. */
void wu__csv_safe_cell(struct wu_out *o, const char *s, bool last)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	bool formula = s[0] && strchr("=+-@\t\r", s[0]) && !(s[0] == '-' && s[1] >= '0' && s[1] <= '9');
	wu__put(o, "%s%s", quote ? "\"" : "", formula ? "'" : "");
	for (const char *p = s; *p; p++)
		wu__put(o, *p == '"' ? "\"\"" : "%c", *p);
	wu__put(o, "%s%s", quote ? "\"" : "", last ? "\r\n" : ",");
}

bool wu__buf_add(struct wu_buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d)
			return false;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return true;
}

bool wu__buf_adds(struct wu_buf *b, const char *s)
{
	return wu__buf_add(b, s, strlen(s));
}

bool wu__buf_add_jstr(struct wu_buf *b, const char *s)
{
	const char *p = s;
	while (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
		p++;
	if (!*p) /* nothing to escape: the common case, ids and revisions */
		return wu__buf_add(b, "\"", 1) && wu__buf_add(b, s, (size_t)(p - s)) && wu__buf_add(b, "\"", 1);
	json_t *j = json_string(s);
	char *text = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	bool ok = text && wu__buf_adds(b, text);
	free(text);
	json_decref(j);
	return ok;
}

void wu__buf_free(struct wu_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
