/*
 * writer.c - what the report and standards writers share: formatted output
 * that remembers its first failure, and CSV cells that are safe to open in a
 * spreadsheet.
 */
#include "config.h"
#include <stdarg.h>
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
