/*
 * test-money.c - exact decimal amounts and the ISO 4217 table.
 */
#include "unit.h"

static void parses_exact_decimals(void **state)
{
	wu_db *db = *state;
	int64_t v;
	struct { const char *text, *cur; int64_t want; } ok[] = {
		{ "0", "GBP", 0 }, { "1", "GBP", 100 }, { "1.5", "GBP", 150 }, { "1.50", "GBP", 150 },
		{ "0.01", "EUR", 1 }, { "100", "JPY", 100 }, { "1.234", "BHD", 1234 }, { "1.2345", "CLF", 12345 },
		{ "9223372036854775807", "JPY", INT64_MAX }, { "92233720368547758.07", "GBP", INT64_MAX },
		{ "007.10", "USD", 710 },
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		if (wu_money_parse(&v, db, ok[i].text, ok[i].cur) != WU_OK)
			fail_msg("%s %s: %s", ok[i].text, ok[i].cur, wu_errmsg(db));
		assert_int_equal(v, ok[i].want);
	}
}

static void refuses_what_is_not_exact(void **state)
{
	wu_db *db = *state;
	int64_t v;
	struct { const char *text, *cur, *why; } bad[] = {
		{ "1.505", "GBP", "more decimals" }, { "1.0", "JPY", "more decimals" }, { "1.2345", "KWD", "more decimals" },
		{ "12.", "GBP", "no digits after" }, { ".5", "GBP", "not a decimal" }, { "-1", "GBP", "negative" },
		{ "1,000.00", "GBP", "not a decimal" }, { "1e3", "GBP", "not a decimal" }, { " 1", "GBP", "not a decimal" },
		{ "+1", "GBP", "not a decimal" }, { "", "GBP", "not a decimal" }, { "1 000", "GBP", "not a decimal" },
		{ "9223372036854775808", "JPY", "too large" }, { "92233720368547758.08", "GBP", "too large" },
		{ "92233720368547759", "GBP", "too large" }, { "99999999999999999999999", "USD", "too large" },
		{ "10", "XXX", "ISO 4217" }, { "10", "gbp", "ISO 4217" }, { "10", "", "ISO 4217" },
		{ "0x10", "USD", "not a decimal" }, { "1.5.0", "USD", "not a decimal" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = wu_money_parse(&v, db, bad[i].text, bad[i].cur);
		if (rc != WU_EINVAL)
			fail_msg("'%s' %s was accepted", bad[i].text, bad[i].cur);
		assert_contains(wu_errmsg(db), bad[i].why);
	}
}

static void formats_with_the_currency_exponent(void **state)
{
	wu_db *db = *state;
	char buf[40];
	assert_int_equal(wu_money_format(buf, sizeof buf, db, 150, "GBP"), WU_OK);
	assert_string_equal(buf, "1.50");
	assert_int_equal(wu_money_format(buf, sizeof buf, db, 5, "EUR"), WU_OK);
	assert_string_equal(buf, "0.05");
	assert_int_equal(wu_money_format(buf, sizeof buf, db, 1500, "JPY"), WU_OK);
	assert_string_equal(buf, "1500");
	assert_int_equal(wu_money_format(buf, sizeof buf, db, 1001, "KWD"), WU_OK);
	assert_string_equal(buf, "1.001");
	assert_int_equal(wu_money_format(buf, sizeof buf, db, INT64_MAX, "GBP"), WU_OK);
	assert_string_equal(buf, "92233720368547758.07");
	assert_int_equal(wu_money_format(buf, 4, db, 150000, "GBP"), WU_EINVAL);
	assert_int_equal(wu_money_format(buf, sizeof buf, db, -1, "GBP"), WU_EINVAL);
}

static void round_trips_every_currency(void **state)
{
	wu_db *db = *state;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db->sql, "SELECT code, exponent FROM currency", -1, &st, NULL), SQLITE_OK);
	int n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		char buf[40];
		int64_t v;
		assert_int_equal(wu_currency_exponent(db, code), sqlite3_column_int(st, 1));
		assert_int_equal(wu_money_format(buf, sizeof buf, db, 123456789, code), WU_OK);
		assert_int_equal(wu_money_parse(&v, db, buf, code), WU_OK);
		assert_int_equal(v, 123456789);
		n++;
	}
	sqlite3_finalize(st);
	assert_true(n >= 160);
}

static void knows_the_exponents_that_differ(void **state)
{
	wu_db *db = *state;
	assert_int_equal(wu_currency_exponent(db, "JPY"), 0);
	assert_int_equal(wu_currency_exponent(db, "KRW"), 0);
	assert_int_equal(wu_currency_exponent(db, "BHD"), 3);
	assert_int_equal(wu_currency_exponent(db, "JOD"), 3);
	assert_int_equal(wu_currency_exponent(db, "KWD"), 3);
	assert_int_equal(wu_currency_exponent(db, "CLF"), 4);
	assert_int_equal(wu_currency_exponent(db, "EUR"), 2);
	assert_int_equal(wu_currency_exponent(db, "KES"), 2);
	assert_int_equal(wu_currency_exponent(db, "XAU"), -1);
	assert_int_equal(wu_currency_exponent(db, "EURO"), -1);
	assert_int_equal(wu_currency_exponent(db, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(parses_exact_decimals, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(refuses_what_is_not_exact, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(formats_with_the_currency_exponent, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(round_trips_every_currency, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(knows_the_exponents_that_differ, db_setup, db_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
