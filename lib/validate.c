/*
 * validate.c - every value that enters the database passes through here.
 *
 * Values are checked and put into canonical form in place (a ROR id gains
 * its https://ror.org/ prefix, sets are sorted, amounts get exactly the
 * currency's decimals). Errors name the type, the field and the value:
 * "budget.amount: '12.345' has more decimals than GBP allows (2)".
 */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define MAX_TEXT 8000

/* ---- dates, identifiers -------------------------------------------------- */

static bool digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static bool ymd_valid(const char *s)
{
	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
		return false;
	int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return false;
	int max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

bool wu__date_valid(const char *s)
{
	return strlen(s) == 10 && ymd_valid(s);
}

/* RFC 3339 in UTC: YYYY-MM-DDTHH:MM:SS[.fff]Z */
bool wu__timestamp_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 20 || !ymd_valid(s) || s[10] != 'T' || !digits(s + 11, 2) || s[13] != ':' ||
	    !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
		return false;
	if (num(s + 11, 2) > 23 || num(s + 14, 2) > 59 || num(s + 17, 2) > 60)
		return false;
	const char *p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p[0] == 'Z' && p[1] == '\0';
}

/* Eight bytes of ASCII with no NUL among them. */
static bool plain_ascii8(const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, sizeof w);
	const uint64_t high = UINT64_C(0x8080808080808080), ones = UINT64_C(0x0101010101010101);
	return !(w & high) && !((w - ones) & ~w & high);
}

bool wu__utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		/* most text is ASCII: take it eight bytes at a time */
		while (end - p >= 8 && plain_ascii8(p))
			p += 8;
		if (p == end)
			break;
		unsigned c = *p;
		size_t n;
		unsigned min;
		if (c == 0)
			return false;
		if (c < 0x80) {
			p++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1, min = 0x80, c &= 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, min = 0x800, c &= 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, min = 0x10000, c &= 0x07;
		} else {
			return false;
		}
		if ((size_t)(end - p) <= n)
			return false;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			c = (c << 6) | (p[i] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

/* ROR: 0 + 6 Crockford base32 characters + 2 check digits (ISO 7064 MOD 97-10
 * over the number the first 7 characters spell). */
int wu__ror_normalise(char out[40], const char *s)
{
	static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
	const char *prefixes[] = { "https://ror.org/", "http://ror.org/", "ror.org/" };
	for (size_t i = 0; i < 3; i++)
		if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0) {
			s += strlen(prefixes[i]);
			break;
		}
	if (strlen(s) != 9 || s[0] != '0')
		return -1;
	uint64_t n = 0;
	for (int i = 0; i < 7; i++) {
		const char *c = strchr(alphabet, s[i]);
		if (!c || !s[i])
			return -1;
		n = n * 32 + (uint64_t)(c - alphabet);
	}
	if (!digits(s + 7, 2))
		return -1;
	if ((int)(98 - (n * 100) % 97) != num(s + 7, 2))
		return -1;
	snprintf(out, 40, "https://ror.org/%s", s);
	return 0;
}

/* ORCID: 16 characters in groups of 4; ISO 7064 MOD 11-2 check character. */
bool wu__orcid_valid(const char *s)
{
	if (strlen(s) != 19)
		return false;
	int total = 0, k = 0;
	for (int i = 0; i < 19; i++) {
		if (i == 4 || i == 9 || i == 14) {
			if (s[i] != '-')
				return false;
			continue;
		}
		if (++k == 16)
			break;
		if (s[i] < '0' || s[i] > '9')
			return false;
		total = (total + (s[i] - '0')) * 2;
	}
	int check = (12 - total % 11) % 11;
	char want = check == 10 ? 'X' : (char)('0' + check);
	return s[18] == want;
}

/* org-id.guide: a list code of a country (or XI/XM) and a register, then
 * the id on that register: GB-CHC-1234567, XI-ROR-03yrm5c26, KE-NCB-1234. */
bool wu__orgid_valid(const char *s)
{
	if (!isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]) || s[2] != '-')
		return false;
	const char *p = s + 3;
	size_t reg = 0;
	while (isupper((unsigned char)p[reg]) || isdigit((unsigned char)p[reg]))
		reg++;
	if (reg < 2 || reg > 12 || p[reg] != '-')
		return false;
	p += reg + 1;
	if (!*p || strlen(p) > 64)
		return false;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_./", *p))
			return false;
	return true;
}

/* ---- does free text identify a person? --------------------------------- */

static bool is_email_char(int c)
{
	return isalnum(c) || strchr("._%+-", c);
}

static bool find_email(const char *s, char *found, size_t size)
{
	for (const char *at = strchr(s, '@'); at; at = strchr(at + 1, '@')) {
		const char *b = at;
		while (b > s && is_email_char((unsigned char)b[-1]))
			b--;
		const char *e = at + 1;
		const char *dot = NULL;
		while (isalnum((unsigned char)*e) || *e == '-' || *e == '.') {
			if (*e == '.' && isalpha((unsigned char)e[1]))
				dot = e;
			e++;
		}
		if (b < at && dot && dot > at + 1) {
			snprintf(found, size, "%.*s", (int)(e - b), b);
			return true;
		}
	}
	return false;
}

static bool find_handle(const char *s, char *found, size_t size)
{
	static const char *const hosts[] = {
		"instagram.com/", "twitter.com/", "x.com/", "facebook.com/", "fb.com/", "tiktok.com/",
		"t.me/", "wa.me/", "telegram.me/", "onlyfans.com/", "snapchat.com/", "linkedin.com/in/",
		"youtube.com/@", "threads.net/", "bsky.app/profile/", "reddit.com/u", "fansly.com/",
		"mastodon.social/@", NULL,
	};
	for (size_t i = 0; hosts[i]; i++) {
		const char *h = strstr(s, hosts[i]);
		if (h && (h == s || !isalnum((unsigned char)h[-1]))) {
			const char *e = h + strlen(hosts[i]);
			while (*e && !isspace((unsigned char)*e))
				e++;
			if (e > h + strlen(hosts[i])) {
				snprintf(found, size, "%.*s", (int)(e - h), h);
				return true;
			}
		}
	}
	for (const char *at = strchr(s, '@'); at; at = strchr(at + 1, '@')) {
		if (at > s && !isspace((unsigned char)at[-1]) && !strchr("([\"'", at[-1]))
			continue;
		size_t n = 0;
		while (isalnum((unsigned char)at[1 + n]) || at[1 + n] == '_' || at[1 + n] == '.')
			n++;
		if (n >= 2) {
			snprintf(found, size, "%.*s", (int)n + 1, at);
			return true;
		}
	}
	return false;
}

/* A run of digits and phone punctuation holding 9 or more digits, once ISO
 * dates and plain decimal amounts are set aside. */
static bool find_phone(const char *s, char *found, size_t size)
{
	const char *p = s;
	while (*p) {
		if (!(isdigit((unsigned char)*p) || (*p == '+' && isdigit((unsigned char)p[1])))) {
			p++;
			continue;
		}
		const char *b = p;
		int ndig = 0, dots = 0, after_dot = 0, other_sep = 0;
		while (*p && (isdigit((unsigned char)*p) || strchr(" +-().", *p))) {
			if (isdigit((unsigned char)*p)) {
				ndig++;
				if (dots)
					after_dot++;
			} else if (*p == '.') {
				dots++;
				after_dot = 0;
			} else if (*p != ' ' || isdigit((unsigned char)p[1])) {
				other_sep++;
			}
			/* an ISO date inside the run does not count towards a number */
			if (p - b >= 9 && (p - 9 == b || !isdigit((unsigned char)p[-10])) &&
			    ymd_valid(p - 9) && !isdigit((unsigned char)p[1]))
				ndig -= 8;
			p++;
		}
		bool decimal = dots == 1 && after_dot >= 1 && after_dot <= 4 && other_sep == 0;
		if (ndig >= 9 && !decimal) {
			const char *e = p;
			while (e > b && !isdigit((unsigned char)e[-1]))
				e--;
			snprintf(found, size, "%.*s", (int)(e - b), b);
			return true;
		}
	}
	return false;
}

const char *wu__personal_scan(const char *s, char *found, size_t size)
{
	if (find_email(s, found, size))
		return "an e-mail address";
	if (find_handle(s, found, size))
		return "a social media handle";
	if (find_phone(s, found, size))
		return "a phone number";
	return NULL;
}

int wu__personal_check(wu_db *db, const wu_type *t, const wu_field *f, const char *s)
{
	char found[128];
	const char *what = wu__personal_scan(s, found, sizeof found);
	if (!what)
		return WU_OK;
	return wu__err(db, WU_EPERSONAL,
		       "%s.%s: '%s' looks like %s; records must never identify people",
		       t->name, f->name, found, what);
}

/* ---- field values ------------------------------------------------------------ */

static bool in_values(const char *const *values, const char *s)
{
	for (size_t i = 0; values[i]; i++)
		if (strcmp(values[i], s) == 0)
			return true;
	return false;
}

static int bad(wu_db *db, const wu_type *t, const wu_field *f, const char *value, const char *why)
{
	return wu__err(db, WU_EINVAL, "%s.%s: '%s' %s", t->name, f->name, value, why);
}

static int bad_enum(wu_db *db, const wu_type *t, const wu_field *f, const char *value)
{
	char list[600] = "";
	size_t n = 0;
	for (size_t i = 0; f->values[i] && n < sizeof list - 1; i++) {
		int w = snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", f->values[i]);
		if (w < 0 || (size_t)w >= sizeof list - n)
			break;
		n += (size_t)w;
	}
	return wu__err(db, WU_EINVAL, "%s.%s: '%s' is not one of: %s", t->name, f->name, value, list);
}

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static int wrong_type(wu_db *db, const wu_type *t, const wu_field *f, const json_t *v, const char *want)
{
	return wu__err(db, WU_EINVAL, "%s.%s: expected %s, got %s", t->name, f->name, want, json_kind(v));
}

/* A string value, refused if it holds NUL or is empty. */
static int get_string(wu_db *db, const wu_type *t, const wu_field *f, const json_t *v, const char **out)
{
	if (!json_is_string(v))
		return wrong_type(db, t, f, v, "a string");
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	if (strlen(s) != len)
		return wu__err(db, WU_EINVAL, "%s.%s: the value contains a NUL character", t->name, f->name);
	if (len == 0)
		return wu__err(db, WU_EINVAL, "%s.%s: the value is empty (leave the field out instead)", t->name, f->name);
	*out = s;
	return WU_OK;
}

static int check_text(wu_db *db, const wu_type *t, const wu_field *f, const char *s, unsigned flags)
{
	size_t len = strlen(s);
	if (len > MAX_TEXT)
		return wu__err(db, WU_EINVAL, "%s.%s: the text is %zu bytes long; at most %d are kept",
			       t->name, f->name, len, MAX_TEXT);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 && *p != '\n' && *p != '\t')
			return wu__err(db, WU_EINVAL, "%s.%s: the text contains control character 0x%02x",
				       t->name, f->name, *p);
	if (!wu__utf8_valid(s, len))
		return wu__err(db, WU_EINVAL, "%s.%s: the text is not valid UTF-8", t->name, f->name);
	/* A byte-order mark inside text is a pasted or concatenated file, and
	 * invisible: two names that look the same would differ. */
	if (strstr(s, "\xef\xbb\xbf"))
		return wu__err(db, WU_EINVAL, "%s.%s: the text contains an invisible byte-order mark (U+FEFF)", t->name, f->name);
	return (flags & WU_FORCE) ? WU_OK : wu__personal_check(db, t, f, s);
}

static int parse_bool(const char *s)
{
	if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "1"))
		return 1;
	if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "0"))
		return 0;
	return -1;
}

static int normalise_bool(wu_db *db, const wu_type *t, const wu_field *f, json_t *obj, json_t *v, unsigned flags)
{
	if (json_is_boolean(v))
		return WU_OK;
	if (!(flags & WU_TEXT_VALUES) || !json_is_string(v))
		return wrong_type(db, t, f, v, "true or false");
	int b = parse_bool(json_string_value(v));
	if (b < 0)
		return bad(db, t, f, json_string_value(v), "is not true or false");
	return json_object_set_new(obj, f->name, json_boolean(b)) ? wu__err_nomem(db) : WU_OK;
}

static int normalise_int(wu_db *db, const wu_type *t, const wu_field *f, json_t *obj, json_t *v, unsigned flags)
{
	json_int_t n;
	if (json_is_integer(v)) {
		n = json_integer_value(v);
	} else if ((flags & WU_TEXT_VALUES) && json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		if (!isdigit((unsigned char)*s))
			return bad(db, t, f, s, "is not a whole number");
		errno = 0;
		long long ll = strtoll(s, &end, 10);
		if (*end || errno == ERANGE)
			return bad(db, t, f, s, "is not a whole number in range");
		n = ll;
	} else {
		return wrong_type(db, t, f, v, "an integer");
	}
	long long max = f->kind == WU_K_PERCENT ? 100 : 1000000000LL;
	if (n < 0 || n > max) {
		char buf[32];
		snprintf(buf, sizeof buf, "%lld", (long long)n);
		return wu__err(db, WU_EINVAL, "%s.%s: '%s' is out of range (0 to %lld)", t->name, f->name, buf, max);
	}
	return json_object_set_new(obj, f->name, json_integer(n)) ? wu__err_nomem(db) : WU_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sets come as JSON arrays, or as "a,b" / "a;b" text; they are kept as
 * sorted arrays without duplicates, and an empty set is no set. */
static int normalise_set(wu_db *db, const wu_type *t, const wu_field *f, json_t *obj, json_t *v, unsigned flags)
{
	json_t *arr = NULL;
	if (json_is_array(v)) {
		arr = json_incref(v);
	} else if ((flags & WU_TEXT_VALUES) && json_is_string(v)) {
		arr = json_array();
		char *copy = strdup(json_string_value(v));
		if (!arr || !copy) {
			json_decref(arr);
			free(copy);
			return wu__err_nomem(db);
		}
		char *save = NULL;
		for (char *tok = strtok_r(copy, ",;", &save); tok; tok = strtok_r(NULL, ",;", &save)) {
			while (*tok == ' ')
				tok++;
			size_t n = strlen(tok);
			while (n && tok[n - 1] == ' ')
				tok[--n] = '\0';
			if (n && json_array_append_new(arr, json_string(tok))) {
				free(copy);
				json_decref(arr);
				return wu__err_nomem(db);
			}
		}
		free(copy);
	} else {
		return wrong_type(db, t, f, v, "an array of strings");
	}
	size_t n = json_array_size(arr);
	const char **items = calloc(n ? n : 1, sizeof *items);
	if (!items) {
		json_decref(arr);
		return wu__err_nomem(db);
	}
	int rc = WU_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *e = json_array_get(arr, i);
		if (!json_is_string(e))
			rc = wrong_type(db, t, f, e, "an array of strings");
		else if (f->kind == WU_K_SET && !in_values(f->values, json_string_value(e)))
			rc = bad_enum(db, t, f, json_string_value(e));
		else if (f->kind == WU_K_REFSET && json_string_length(e) != 36)
			rc = bad(db, t, f, json_string_value(e), "is not a record id");
		else
			items[i] = json_string_value(e);
	}
	json_t *sorted = rc ? NULL : json_array();
	if (!rc && !sorted)
		rc = wu__err_nomem(db);
	if (!rc) {
		qsort(items, n, sizeof *items, cmp_str);
		for (size_t i = 0; i < n && !rc; i++)
			if ((i == 0 || strcmp(items[i], items[i - 1])) && json_array_append_new(sorted, json_string(items[i])))
				rc = wu__err_nomem(db);
	}
	free(items);
	json_decref(arr);
	if (rc) {
		json_decref(sorted);
		return rc;
	}
	if (json_array_size(sorted) == 0) {
		json_decref(sorted);
		json_object_del(obj, f->name);
		return WU_OK;
	}
	return json_object_set_new(obj, f->name, sorted) ? wu__err_nomem(db) : WU_OK;
}

static int normalise_money(wu_db *db, const wu_type *t, const wu_field *f, json_t *obj, json_t *v)
{
	if (!json_is_string(v))
		return wu__err(db, WU_EINVAL, "%s.%s: expected the amount as a decimal string (\"1500.00\"), got %s",
			       t->name, f->name, json_kind(v));
	const char *s = json_string_value(v);
	json_t *cur = json_object_get(obj, f->currency);
	if (!json_is_string(cur))
		return wu__err(db, WU_EINVAL, "%s.%s: an amount needs its currency (field '%s')", t->name, f->name, f->currency);
	int64_t minor;
	int rc = wu_money_parse(&minor, db, s, json_string_value(cur));
	if (rc) {
		if (rc == WU_EINVAL)
			wu__err_prefix(db, "%s.%s", t->name, f->name);
		return rc;
	}
	char buf[40];
	rc = wu_money_format(buf, sizeof buf, db, minor, json_string_value(cur));
	if (rc || !strcmp(buf, s)) /* most amounts are written canonically already */
		return rc;
	return json_object_set_new(obj, f->name, json_string(buf)) ? wu__err_nomem(db) : WU_OK;
}

static bool all_upper(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	return true;
}

static int check_url(wu_db *db, const wu_type *t, const wu_field *f, const char *s, unsigned flags)
{
	if (strncmp(s, "https://", 8) && strncmp(s, "http://", 7))
		return bad(db, t, f, s, "is not an http(s) URL");
	if (strlen(s) > 2000)
		return wu__err(db, WU_EINVAL, "%s.%s: the URL is longer than 2000 characters", t->name, f->name);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return bad(db, t, f, s, "has spaces or characters a URL cannot hold (percent-encode them)");
	return check_text(db, t, f, s, flags);
}

int wu__validate_value(wu_db *db, const wu_type *t, const wu_field *f, json_t *obj, unsigned flags)
{
	json_t *v = json_object_get(obj, f->name);
	const char *s = NULL;
	int rc;
	char ror[40];
	switch (f->kind) {
	case WU_K_BOOL:
		return normalise_bool(db, t, f, obj, v, flags);
	case WU_K_INT:
	case WU_K_PERCENT:
		return normalise_int(db, t, f, obj, v, flags);
	case WU_K_SET:
	case WU_K_REFSET:
		return normalise_set(db, t, f, obj, v, flags);
	case WU_K_MONEY:
		return normalise_money(db, t, f, obj, v);
	default:
		break;
	}
	if ((rc = get_string(db, t, f, v, &s)))
		return rc;
	switch (f->kind) {
	case WU_K_TEXT:
		return check_text(db, t, f, s, flags);
	case WU_K_CODE:
		for (const char *p = s; *p; p++)
			if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
				return bad(db, t, f, s, "may hold only letters, digits, '-', '_' and '.'");
		return WU_OK;
	case WU_K_ENUM:
		return in_values(f->values, s) ? WU_OK : bad_enum(db, t, f, s);
	case WU_K_DATE:
		return wu__date_valid(s) ? WU_OK : bad(db, t, f, s, "is not a real date as YYYY-MM-DD");
	case WU_K_CURRENCY:
		if (!all_upper(s, 3) || wu_currency_exponent(db, s) < 0)
			return bad(db, t, f, s, "is not an ISO 4217 currency code (e.g. EUR, GBP, KES)");
		return WU_OK;
	case WU_K_COUNTRY:
		if (!all_upper(s, 2) || !wu__country_known(db, s))
			return bad(db, t, f, s, "is not an ISO 3166-1 alpha-2 country code (e.g. GB, KE, TH)");
		return WU_OK;
	case WU_K_REF:
	case WU_K_RECORD:
		return strlen(s) == 36 ? WU_OK : bad(db, t, f, s, "is not a record id");
	case WU_K_ORGID:
		return wu__orgid_valid(s) ? WU_OK
					   : bad(db, t, f, s, "is not an org-id.guide identifier (LISTCODE-ID, e.g. GB-CHC-1234567)");
	case WU_K_ROR:
		if (wu__ror_normalise(ror, s))
			return bad(db, t, f, s, "is not a valid ROR id (https://ror.org/0 + 6 characters + 2 check digits)");
		return json_object_set_new(obj, f->name, json_string(ror)) ? wu__err_nomem(db) : WU_OK;
	case WU_K_ORCID:
		return wu__orcid_valid(s) ? WU_OK : bad(db, t, f, s, "is not a valid ORCID iD (0000-0000-0000-000X, check digit)");
	case WU_K_URL:
		return check_url(db, t, f, s, flags);
	default:
		return wu__err(db, WU_EMISUSE, "%s.%s: unknown field kind", t->name, f->name);
	}
}

/* ---- whole records ------------------------------------------------------------ */

static const char *str(const json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

static int check_order(wu_db *db, const wu_type *t, const json_t *rec, const char *a, const char *b)
{
	const char *x = str(rec, a), *y = str(rec, b);
	if (x && y && strcmp(x, y) > 0)
		return wu__err(db, WU_EINVAL, "%s.%s: '%s' is before %s '%s'", t->name, b, y, a, x);
	return WU_OK;
}

static int check_cross_fields(wu_db *db, const wu_type *t, const json_t *rec)
{
	/* dates that must not run backwards, per type */
	static const char *const pairs[][3] = {
		{ "project", "planned_start", "planned_end" }, { "project", "actual_start", "actual_end" },
		{ "involvement", "start_date", "end_date" }, { "role", "start_date", "end_date" },
		{ "budget", "period_start", "period_end" }, { "output", "review_sent", "submitted" },
		{ "output", "submitted", "published" },
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		if (strcmp(t->name, pairs[i][0]))
			continue;
		int rc = check_order(db, t, rec, pairs[i][1], pairs[i][2]);
		if (rc)
			return rc;
	}
	if (!strcmp(t->name, "org") && str(rec, "kind") && !strcmp(str(rec, "kind"), "community-led") &&
	    !json_object_get(rec, "represents"))
		return wu__err(db, WU_EINVAL, "org.represents: a community-led organisation needs the groups it is led by");
	if (!strcmp(t->name, "body")) {
		json_int_t seats = json_integer_value(json_object_get(rec, "seats"));
		json_int_t swlo = json_integer_value(json_object_get(rec, "swlo_seats"));
		if (swlo > seats)
			return wu__err(db, WU_EINVAL, "body.swlo_seats: '%lld' is more than the %lld seats",
				       (long long)swlo, (long long)seats);
	}
	if (!strcmp(t->name, "role") && json_object_get(rec, "orcid")) {
		const char *role = str(rec, "role"), *via = str(rec, "recruited_via");
		if ((role && (!strcmp(role, "peer-researcher") || !strcmp(role, "community-researcher"))) ||
		    (via && !strcmp(via, "swlo")))
			return wu__err(db, WU_EINVAL,
				       "role.orcid: community members never appear as persons; an ORCID iD is for academic roles only");
	}
	if (!strcmp(t->name, "transaction")) {
		const char *p = str(rec, "provider"), *r = str(rec, "receiver");
		if (p && r && !strcmp(p, r))
			return wu__err(db, WU_EINVAL, "transaction.receiver: '%s' is also the provider", r);
	}
	return WU_OK;
}

/*
 * Validates `rec` (the type's fields only) in place. Fields are checked in
 * model order, so a currency is known before the amount that needs it.
 */
static bool is_meta_key(const char *key)
{
	return !strcmp(key, "id") || !strcmp(key, "created") || !strcmp(key, "updated");
}

/* Every key is a field (or, with WU__WITH_META, id/created/updated). The
 * keys are counted against the fields found, and searched one by one only
 * when the counts differ: import checks millions of records. Bit i of *set
 * says field i holds a value (not null); a type has at most 61 fields
 * (WU_MAX_COLUMNS less the meta columns; test-store checks the model). */
static int known_keys_only(wu_db *db, const wu_type *t, const json_t *rec, unsigned flags, uint64_t *set)
{
	size_t found = 0;
	*set = 0;
	if (flags & WU__WITH_META)
		found += (json_object_get(rec, "id") != NULL) + (json_object_get(rec, "created") != NULL) +
			 (json_object_get(rec, "updated") != NULL);
	for (size_t i = 0; i < t->nfields; i++) {
		const json_t *v = json_object_get(rec, t->fields[i].name);
		found += v != NULL;
		if (v && !json_is_null(v))
			*set |= UINT64_C(1) << i;
	}
	if (found == json_object_size(rec))
		return WU_OK;
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)rec, key, v) {
		if (!wu_field_find(t, key) && !((flags & WU__WITH_META) && is_meta_key(key)))
			return wu__err(db, WU_EINVAL, "%s: unknown field '%s'", t->name, key);
	}
	return WU_OK;
}

int wu__validate_record(wu_db *db, const wu_type *t, json_t *rec, unsigned flags)
{
	uint64_t set;
	int known = known_keys_only(db, t, rec, flags, &set);
	if (known)
		return known;
	/* null means "not set": drop it first, so nothing below sees it */
	const char *key;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(rec, tmp, key, v) {
		if (json_is_null(v))
			json_object_del(rec, key);
	}
	for (size_t i = 0; i < t->nfields; i++) {
		const wu_field *f = &t->fields[i];
		if (f->kind == WU_K_CURRENCY && ((set >> i) & 1)) {
			int rc = wu__validate_value(db, t, f, rec, flags);
			if (rc)
				return rc;
		}
	}
	for (size_t i = 0; i < t->nfields; i++) {
		const wu_field *f = &t->fields[i];
		if (!((set >> i) & 1)) {
			if (f->flags & WU_F_REQUIRED)
				return wu__err(db, WU_EINVAL, "%s.%s: required", t->name, f->name);
			continue;
		}
		if (f->kind == WU_K_CURRENCY)
			continue;
		int rc = wu__validate_value(db, t, f, rec, flags);
		if (rc)
			return rc;
	}
	return check_cross_fields(db, t, rec);
}
