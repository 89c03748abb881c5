/*
 * rates.c - the exchange-rate table reports convert currencies with.
 *
 * Money is integer minor units; so is every converted amount. A rate is an
 * exact decimal of at most 12 decimals ("0.7912"): 1 unit of the base
 * currency is that many units of the quote. Converting multiplies in 128
 * bits and rounds half up once, at the end. The inverse of a rate is used
 * when only the other direction is recorded; nothing is chained or guessed.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define RATE_DECIMALS_MAX 12

/* "0.7912" -> num 7912, scale 4. Returns false when it is not a positive
 * decimal that fits. */
static bool rate_parse(const char *s, int64_t *num, int *scale)
{
	int64_t v = 0;
	int decimals = 0, digits = 0;
	bool point = false;
	for (const char *p = s; *p; p++) {
		if (*p == '.' && !point && digits) {
			point = true;
			continue;
		}
		if (*p < '0' || *p > '9' || (point && decimals == RATE_DECIMALS_MAX) || v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (*p - '0');
		digits++;
		decimals += point;
	}
	if (!digits || v == 0 || (point && !decimals))
		return false;
	*num = v;
	*scale = decimals;
	return true;
}

static __int128 pow10_128(int n)
{
	__int128 v = 1;
	while (n-- > 0)
		v *= 10;
	return v;
}

static int check_currency(wu_db *db, const char *what, const char *code)
{
	if (!code || strlen(code) != 3 || wu_currency_exponent(db, code) < 0)
		return wu__err(db, WU_EINVAL, "%s: '%s' is not an ISO 4217 currency code (e.g. EUR, GBP, KES)", what,
			       code ? code : "");
	return WU_OK;
}

int wu_rate_add(wu_db *db, const char *base, const char *quote, const char *rate, const char *valid_from,
		const char *source)
{
	wu__err_clear(db);
	int64_t num;
	int scale;
	int rc = check_currency(db, "base", base);
	if (!rc)
		rc = check_currency(db, "quote", quote);
	if (!rc && !strcmp(base, quote))
		return wu__err(db, WU_EINVAL, "quote: '%s' is the base currency too", quote);
	if (!rc && (!rate || !rate_parse(rate, &num, &scale)))
		return wu__err(db, WU_EINVAL, "rate: '%s' is not a positive decimal with at most %d decimals", rate ? rate : "",
			       RATE_DECIMALS_MAX);
	if (!rc && valid_from && *valid_from && !wu__date_valid(valid_from))
		return wu__err(db, WU_EINVAL, "from: '%s' is not a real date as YYYY-MM-DD", valid_from);
	if (!rc && source && (!wu__utf8_valid(source, strlen(source)) || strlen(source) > 200))
		return wu__err(db, WU_EINVAL, "source: not UTF-8 text of at most 200 bytes");
	if (rc)
		return rc;
	char now[32];
	wu__now(now);
	sqlite3_stmt *st = NULL;
	if ((rc = wu__write_begin(db)))
		return rc;
	rc = wu__prepare(db, &st,
			 "INSERT INTO rate (base, quote, valid_from, rate, added, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
			 "ON CONFLICT (base, quote, valid_from) DO UPDATE SET rate = ?4, added = ?5, source = ?6");
	if (!rc) {
		sqlite3_bind_text(st, 1, base, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, quote, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, valid_from ? valid_from : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, rate, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
		if (source && *source)
			sqlite3_bind_text(st, 6, source, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = wu__err_sql(db, "cannot store the rate");
	}
	sqlite3_finalize(st);
	return wu__write_end(db, rc);
}

int wu_rate_rm(wu_db *db, const char *base, const char *quote, const char *valid_from)
{
	wu__err_clear(db);
	sqlite3_stmt *st = NULL;
	int rc = wu__write_begin(db);
	if (rc)
		return rc;
	rc = wu__prepare(db, &st, "DELETE FROM rate WHERE base = ?1 AND quote = ?2 AND valid_from = ?3");
	if (!rc) {
		sqlite3_bind_text(st, 1, base ? base : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, quote ? quote : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, valid_from ? valid_from : "", -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = wu__err_sql(db, "cannot remove the rate");
		else if (sqlite3_changes(db->sql) == 0)
			rc = wu__err(db, WU_ENOTFOUND, "no rate %s -> %s%s%s", base ? base : "", quote ? quote : "",
				     valid_from && *valid_from ? " from " : "", valid_from && *valid_from ? valid_from : "");
	}
	sqlite3_finalize(st);
	return wu__write_end(db, rc);
}

int wu_rate_list(wu_db *db, wu_record_cb cb, void *payload)
{
	wu__err_clear(db);
	sqlite3_stmt *st = NULL;
	int rc = wu__prepare(db, &st, "SELECT base, quote, valid_from, rate, added, source FROM rate ORDER BY base, quote, valid_from");
	int s = SQLITE_DONE;
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *from = (const char *)sqlite3_column_text(st, 2);
		json_t *r = json_pack("{ssssssssss}", "base", sqlite3_column_text(st, 0), "quote", sqlite3_column_text(st, 1),
				      "from", from, "rate", sqlite3_column_text(st, 3), "added", sqlite3_column_text(st, 4));
		if (!r) {
			rc = wu__err_nomem(db);
			break;
		}
		if (!*from)
			json_object_del(r, "from");
		if (r && sqlite3_column_type(st, 5) != SQLITE_NULL)
			json_object_set_new(r, "source", json_string((const char *)sqlite3_column_text(st, 5)));
		int stop = cb(r, payload);
		json_decref(r);
		if (stop)
			break;
	}
	if (!rc && s != SQLITE_ROW && s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot list the rates");
	sqlite3_finalize(st);
	return rc;
}

/* The rate base -> quote in force on `as_of` (the newest valid_from not
 * after it), as text (new), or NULL when there is none. */
static int rate_lookup(wu_db *db, const char *base, const char *quote, const char *as_of, char **out)
{
	sqlite3_stmt *st = NULL;
	*out = NULL;
	int rc = wu__prepare(db, &st,
			     "SELECT rate FROM rate WHERE base = ?1 AND quote = ?2 AND valid_from <= ?3 "
			     "ORDER BY valid_from DESC LIMIT 1");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, base, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, quote, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, as_of, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW && !(*out = strdup((const char *)sqlite3_column_text(st, 0))))
		rc = wu__err_nomem(db);
	else if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot read the rates");
	sqlite3_finalize(st);
	return rc;
}

int wu__rate_convert(wu_db *db, int64_t minor, const char *from, const char *to, const char *as_of, int64_t *out,
		     bool *found)
{
	*found = false;
	*out = 0;
	if (!strcmp(from, to)) {
		*found = true;
		*out = minor;
		return WU_OK;
	}
	int ef = wu_currency_exponent(db, from), et = wu_currency_exponent(db, to);
	if (ef < 0 || et < 0)
		return wu__err(db, WU_EINVAL, "currency: '%s' is not an ISO 4217 currency code", ef < 0 ? from : to);
	char *text = NULL;
	bool inverse = false;
	int rc = rate_lookup(db, from, to, as_of, &text);
	if (!rc && !text && !(rc = rate_lookup(db, to, from, as_of, &text)))
		inverse = text != NULL;
	if (rc || !text)
		return rc;
	int64_t num;
	int scale;
	bool ok = rate_parse(text, &num, &scale);
	free(text);
	if (!ok)
		return wu__err(db, WU_EDB, "a stored rate %s -> %s is not a decimal", from, to);
	/* minor * rate * 10^et / 10^ef, rate = num / 10^scale (or its inverse) */
	__int128 n, d = (inverse ? (__int128)num : pow10_128(scale)) * pow10_128(ef);
	bool overflow = __builtin_mul_overflow((__int128)minor, inverse ? pow10_128(scale) : (__int128)num, &n) ||
			__builtin_mul_overflow(n, pow10_128(et), &n);
	__int128 q = overflow ? 0 : (n + d / 2) / d;
	if (overflow || q > INT64_MAX)
		return wu__err(db, WU_EINVAL, "%lld %s in %s does not fit in 64 bits of minor units", (long long)minor, from, to);
	*out = (int64_t)q;
	*found = true;
	return WU_OK;
}
