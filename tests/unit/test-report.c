/*
 * test-report.c - exchange rates (exact, rounded once, never guessed) and
 * the report document: money by currency, revised budgets, profiles.
 */
#include "unit.h"

static void convert_ok(wu_db *db, int64_t minor, const char *from, const char *to, const char *as_of, int64_t want)
{
	int64_t out;
	bool found;
	assert_int_equal(wu__rate_convert(db, minor, from, to, as_of, &out, &found), WU_OK);
	assert_true(found);
	assert_int_equal(out, want);
}

static void rates_convert_exactly(void **state)
{
	wu_db *db = *state;
	int64_t out;
	bool found;
	assert_int_equal(wu__rate_convert(db, 100, "EUR", "GBP", "2025-01-01", &out, &found), WU_OK);
	assert_false(found); /* no rate: nothing guessed */
	assert_int_equal(wu_rate_add(db, "EUR", "GBP", "0.85", "2024-01-01", NULL), WU_OK);
	assert_int_equal(wu_rate_add(db, "EUR", "GBP", "0.9", "2025-06-01", NULL), WU_OK);
	convert_ok(db, 10000, "EUR", "GBP", "2025-01-01", 8500);  /* EUR 100.00 -> GBP 85.00 */
	convert_ok(db, 10000, "EUR", "GBP", "2025-06-01", 9000);  /* the later rate from its date */
	assert_int_equal(wu__rate_convert(db, 10000, "EUR", "GBP", "2023-12-31", &out, &found), WU_OK);
	assert_false(found);                                        /* before any rate */
	convert_ok(db, 1, "EUR", "GBP", "2025-01-01", 1);           /* 0.85 of a cent rounds half up to 1 */
	convert_ok(db, 8500, "GBP", "EUR", "2025-01-01", 10000);    /* the inverse */
	convert_ok(db, 100, "GBP", "EUR", "2025-01-01", 118);       /* 1.00 / 0.85 = 1.17647 -> 1.18 */
	/* exponents differ: JPY has none, KWD three */
	assert_int_equal(wu_rate_add(db, "GBP", "JPY", "190.5", NULL, NULL), WU_OK);
	convert_ok(db, 1050, "GBP", "JPY", "2025-01-01", 2000);     /* GBP 10.50 -> JPY 2000.25 -> 2000 */
	assert_int_equal(wu_rate_add(db, "KWD", "GBP", "2.5", NULL, NULL), WU_OK);
	convert_ok(db, 1234, "KWD", "GBP", "2025-01-01", 309);      /* KWD 1.234 -> GBP 3.085 -> 3.09 */
	/* a result past 64 bits is an error, not a wrap */
	assert_int_equal(wu_rate_add(db, "GBP", "USD", "1000000", NULL, NULL), WU_OK);
	assert_int_equal(wu__rate_convert(db, INT64_MAX / 2, "GBP", "USD", "2025-01-01", &out, &found), WU_EINVAL);
	assert_int_equal(wu__rate_convert(db, 5, "EUR", "EUR", "2025-01-01", &out, &found), WU_OK);
	assert_int_equal(out, 5);
}

static void bad_rates_are_refused(void **state)
{
	wu_db *db = *state;
	assert_int_equal(wu_rate_add(db, "EUR", "GBP", "-1", NULL, NULL), WU_EINVAL);
	assert_contains(wu_errmsg(db), "rate: '-1'");
	assert_int_equal(wu_rate_add(db, "EUR", "GBP", "1.", NULL, NULL), WU_EINVAL);
	assert_int_equal(wu_rate_add(db, "EUR", "GBP", ".5", NULL, NULL), WU_EINVAL);
	assert_int_equal(wu_rate_add(db, "EUR", "GBP", "0.000", NULL, NULL), WU_EINVAL);
	assert_int_equal(wu_rate_add(db, "EUR", "GBP", "99999999999999999999", NULL, NULL), WU_EINVAL);
	assert_int_equal(wu_rate_add(db, "EUR", "XAU", "1", NULL, NULL), WU_EINVAL); /* not money */
	assert_int_equal(wu_rate_add(db, "eur", "GBP", "1", NULL, NULL), WU_EINVAL);
	assert_int_equal(wu_rate_add(db, "EUR", "GBP", "1", "2025-13-01", NULL), WU_EINVAL);
	assert_int_equal(wu_rate_rm(db, "EUR", "GBP", NULL), WU_ENOTFOUND);
}

/* A project with an SWLO, a university and budget lines in two currencies. */
static void portfolio(wu_db *db, char project[37], char swlo[37])
{
	char uni[37], buf[512];
	add_ok(db, "org", "{\"name\":\"Collective\",\"alias\":\"C\",\"kind\":\"sex-worker-led\",\"country\":\"KE\","
		      "\"swl_self_declared\":true,\"visibility\":\"alias\"}", swlo);
	add_ok(db, "org", "{\"name\":\"University\",\"kind\":\"academic\",\"country\":\"GB\",\"visibility\":\"public\"}", uni);
	snprintf(buf, sizeof buf, "{\"title\":\"Study\",\"lead_org\":\"%s\",\"visibility\":\"shared\"}", uni);
	add_ok(db, "project", buf, project);
	char partnership[37];
	snprintf(buf, sizeof buf, "{\"project\":\"%s\",\"org\":\"%s\"}", project, swlo);
	add_ok(db, "partnership", buf, partnership);
	const char *lines[][4] = { { "kt", "300.00", "GBP", "original" }, { "other", "700.00", "GBP", "original" },
				   { "kt", "1000", "JPY", "original" } };
	for (size_t i = 0; i < 3; i++) {
		char id[37];
		snprintf(buf, sizeof buf, "{\"project\":\"%s\",\"recipient\":\"%s\",\"category\":\"%s\",\"amount\":\"%s\","
			 "\"currency\":\"%s\",\"value_date\":\"2025-01-01\",\"budget_type\":\"%s\",\"status\":\"committed\"}",
			 project, i == 1 ? uni : swlo, lines[i][0], lines[i][1], lines[i][2], lines[i][3]);
		add_ok(db, "budget", buf, id);
	}
}

static const json_t *money_in(const json_t *project, const char *currency)
{
	size_t i;
	const json_t *m;
	json_array_foreach(json_object_get(project, "money"), i, m)
		if (!strcmp(json_string_value(json_object_get(m, "currency")), currency))
			return m;
	return NULL;
}

static void report_adds_up_by_currency(void **state)
{
	wu_db *db = *state;
	char project[37], swlo[37];
	portfolio(db, project, swlo);
	json_t *doc = NULL;
	wu_report_opts o = { .as_of = "2025-06-01" };
	assert_int_equal(wu_report(&doc, db, &o), WU_OK);
	const json_t *p = json_array_get(json_object_get(doc, "projects"), 0);
	const json_t *gbp = money_in(p, "GBP"), *jpy = money_in(p, "JPY");
	assert_string_equal(json_string_value(json_object_get(gbp, "budget")), "1000.00");
	assert_string_equal(json_string_value(json_object_get(gbp, "swlo_share_pct")), "30.0");
	assert_string_equal(json_string_value(json_object_get(gbp, "kt_swlo_share_pct")), "100.0");
	assert_string_equal(json_string_value(json_object_get(jpy, "budget")), "1000");
	assert_null(json_object_get(p, "converted"));
	json_decref(doc);
	/* with a currency but no JPY rate: not added up, and said */
	o.currency = "GBP";
	assert_int_equal(wu_report(&doc, db, &o), WU_OK);
	assert_true(json_is_null(json_object_get(json_object_get(doc, "totals"), "converted")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(doc, "totals"), "missing_rates"), 0)), "JPY");
	json_decref(doc);
	assert_int_equal(wu_rate_add(db, "GBP", "JPY", "200", NULL, NULL), WU_OK);
	assert_int_equal(wu_report(&doc, db, &o), WU_OK);
	const json_t *conv = json_object_get(json_object_get(doc, "totals"), "converted");
	assert_string_equal(json_string_value(json_object_get(conv, "budget")), "1005.00"); /* JPY 1000 / 200 = GBP 5.00 */
	json_decref(doc);
	/* a revised line replaces the original ones */
	char id[37], buf[256];
	snprintf(buf, sizeof buf, "{\"project\":\"%s\",\"recipient\":\"%s\",\"category\":\"other\",\"amount\":\"50.00\","
		 "\"currency\":\"GBP\",\"value_date\":\"2025-01-01\",\"budget_type\":\"revised\"}", project, swlo);
	add_ok(db, "budget", buf, id);
	o.currency = NULL;
	assert_int_equal(wu_report(&doc, db, &o), WU_OK);
	p = json_array_get(json_object_get(doc, "projects"), 0);
	assert_string_equal(json_string_value(json_object_get(p, "budget_basis")), "revised");
	assert_string_equal(json_string_value(json_object_get(money_in(p, "GBP"), "budget")), "50.00");
	json_decref(doc);
}

static void profiles_hide_what_they_should(void **state)
{
	wu_db *db = *state;
	char project[37], swlo[37];
	portfolio(db, project, swlo);
	json_t *doc = NULL;
	wu_report_opts o = { .as_of = "2025-06-01", .profile = WU_PROFILE_FUNDER };
	assert_int_equal(wu_report(&doc, db, &o), WU_OK);
	char *text = json_dumps(doc, 0);
	assert_null(strstr(text, "Collective\""));   /* the alias organisation's name */
	assert_non_null(strstr(text, "\"C\""));       /* its alias */
	assert_null(strstr(text, "\"swlo\": true"));  /* no organisation consented to the flag */
	assert_null(strstr(text, "\"swlo\": false"));
	free(text);
	json_decref(doc);
	/* public: a count of 1 becomes "<5" */
	o.profile = WU_PROFILE_PUBLIC;
	assert_int_equal(wu_report(&doc, db, &o), WU_OK);
	const json_t *claims = json_object_get(json_array_get(json_object_get(doc, "projects"), 0), "claims");
	assert_string_equal(json_string_value(json_object_get(claims, "swlo_claims")), "<5");
	json_decref(doc);
	/* a private project is left out of both */
	assert_int_equal(sqlite3_exec(db->sql, "UPDATE project SET visibility = 'private'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(wu_report(&doc, db, &o), WU_OK);
	assert_int_equal(json_array_size(json_object_get(doc, "projects")), 0);
	assert_int_equal(json_integer_value(json_object_get(doc, "projects_left_out")), 1);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(rates_convert_exactly, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(bad_rates_are_refused, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(report_adds_up_by_currency, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(profiles_hide_what_they_should, db_setup, db_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
