/*
 * money.c - ISO 4217 currencies and exact decimal amounts.
 *
 * Amounts are integer minor units (int64) plus a currency code; never
 * floating point. The currency and country tables live in the schema
 * (sql/002-reference.sql) and are loaded once per handle into sorted arrays,
 * so validating a million rows costs a binary search, not a query, each.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* Reads a code table into a growing array of `size`-byte elements, each
 * filled from the current row by `fill`. */
static int load_table(wu_db *db, const char *sql, void **arr, size_t *n, size_t size,
		      void (*fill)(void *elem, sqlite3_stmt *st))
{
	sqlite3_stmt *st = NULL;
	int rc = wu__prepare(db, &st, sql);
	if (rc)
		return rc;
	size_t cap = 0;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			void *p = realloc(*arr, cap * size);
			if (!p) {
				sqlite3_finalize(st);
				return wu__err_nomem(db);
			}
			*arr = p;
		}
		fill((char *)*arr + (*n)++ * size, st);
	}
	if (s != SQLITE_DONE)
		rc = wu__err_sql(db, "cannot read the code tables");
	sqlite3_finalize(st);
	return rc;
}

static void fill_currency(void *elem, sqlite3_stmt *st)
{
	struct wu_currency *c = elem;
	snprintf(c->code, sizeof c->code, "%s", (const char *)sqlite3_column_text(st, 0));
	c->exponent = sqlite3_column_int(st, 1);
}

static void fill_country(void *elem, sqlite3_stmt *st)
{
	snprintf(elem, 3, "%s", (const char *)sqlite3_column_text(st, 0));
}

int wu__load_reference(wu_db *db)
{
	void *cur = NULL, *cty = NULL;
	int rc = load_table(db, "SELECT code, exponent FROM currency ORDER BY code", &cur, &db->ncurrencies,
			    sizeof *db->currencies, fill_currency);
	db->currencies = cur;
	if (!rc)
		rc = load_table(db, "SELECT code FROM country ORDER BY code", &cty, &db->ncountries,
				sizeof *db->countries, fill_country);
	db->countries = cty;
	return rc;
}

static int cmp_currency(const void *key, const void *elem)
{
	return strcmp(key, ((const struct wu_currency *)elem)->code);
}

static int cmp_country(const void *key, const void *elem)
{
	return strcmp(key, (const char *)elem);
}

int wu_currency_exponent(wu_db *db, const char *code)
{
	if (!code || strlen(code) != 3)
		return -1;
	const struct wu_currency *c =
		bsearch(code, db->currencies, db->ncurrencies, sizeof *db->currencies, cmp_currency);
	return c ? c->exponent : -1;
}

bool wu__country_known(const wu_db *db, const char *code)
{
	if (!code || strlen(code) != 2)
		return false;
	return bsearch(code, db->countries, db->ncountries, sizeof *db->countries, cmp_country) != NULL;
}

/*
 * Accepts exactly: digits, optionally '.' and 1..exponent digits. No sign,
 * no exponent notation, no thousands separators, no spaces: machine formats
 * must not guess. "12.3" in GBP is 1230 minor units; "12.345" is refused.
 */
int wu_money_parse(int64_t *out, wu_db *db, const char *text, const char *currency)
{
	*out = 0;
	int exp = wu_currency_exponent(db, currency);
	if (exp < 0)
		return wu__err(db, WU_EINVAL, "currency: '%s' is not an ISO 4217 currency code", currency ? currency : "");
	const char *p = text;
	if (*p == '-')
		return wu__err(db, WU_EINVAL, "'%s' is negative; amounts are never negative (the transaction kind gives the direction)", text);
	if (*p < '0' || *p > '9')
		return wu__err(db, WU_EINVAL, "'%s' is not a decimal amount (digits, then optionally '.' and up to %d decimals)", text, exp);
	int64_t v = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (INT64_MAX - (*p - '0')) / 10)
			return wu__err(db, WU_EINVAL, "'%s' is too large", text);
		v = v * 10 + (*p - '0');
	}
	int decimals = 0;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return wu__err(db, WU_EINVAL, "'%s' has no digits after the decimal point", text);
		for (; *p >= '0' && *p <= '9'; p++, decimals++) {
			if (decimals >= exp)
				return wu__err(db, WU_EINVAL, "'%s' has more decimals than %s allows (%d)", text, currency, exp);
			if (v > (INT64_MAX - (*p - '0')) / 10)
				return wu__err(db, WU_EINVAL, "'%s' is too large", text);
			v = v * 10 + (*p - '0');
		}
	}
	if (*p != '\0')
		return wu__err(db, WU_EINVAL, "'%s' is not a decimal amount (digits, then optionally '.' and up to %d decimals)", text, exp);
	for (; decimals < exp; decimals++) {
		if (v > INT64_MAX / 10)
			return wu__err(db, WU_EINVAL, "'%s' is too large", text);
		v *= 10;
	}
	*out = v;
	return WU_OK;
}

int wu_money_format(char *buf, size_t size, wu_db *db, int64_t minor, const char *currency)
{
	int exp = wu_currency_exponent(db, currency);
	if (exp < 0)
		return wu__err(db, WU_EINVAL, "currency: '%s' is not an ISO 4217 currency code", currency ? currency : "");
	if (minor < 0)
		return wu__err(db, WU_EINVAL, "negative amount %lld", (long long)minor);
	int64_t scale = 1;
	for (int i = 0; i < exp; i++)
		scale *= 10;
	int n;
	if (exp == 0)
		n = snprintf(buf, size, "%lld", (long long)minor);
	else
		n = snprintf(buf, size, "%lld.%0*lld", (long long)(minor / scale), exp, (long long)(minor % scale));
	if (n < 0 || (size_t)n >= size)
		return wu__err(db, WU_EINVAL, "amount does not fit the buffer");
	return WU_OK;
}
