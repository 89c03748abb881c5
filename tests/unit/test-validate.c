/*
 * test-validate.c - dates, identifiers, UTF-8 and the personal-data scan.
 */
#include "unit.h"

static void dates_must_be_real(void **state)
{
	(void)state;
	const char *good[] = { "2024-02-29", "2000-02-29", "2025-12-31", "1999-01-01", "2023-04-30" };
	const char *bad[] = { "2023-02-29", "1900-02-29", "2024-04-31", "2024-13-01", "2024-00-10", "2024-01-00",
			      "2024-1-01", "24-01-01", "2024/01/01", "2024-01-01T00:00:00Z", "", "2024-01-0a",
			      "1850-01-01", "2024-01-32" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!wu__date_valid(good[i]))
			fail_msg("%s refused", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (wu__date_valid(bad[i]))
			fail_msg("%s accepted", bad[i]);
}

static void timestamps_are_rfc3339_utc(void **state)
{
	(void)state;
	assert_true(wu__timestamp_valid("2025-01-15T09:00:00Z"));
	assert_true(wu__timestamp_valid("2025-01-15T09:00:00.123Z"));
	assert_false(wu__timestamp_valid("2025-01-15T09:00:00+01:00"));
	assert_false(wu__timestamp_valid("2025-01-15 09:00:00Z"));
	assert_false(wu__timestamp_valid("2025-02-30T09:00:00Z"));
	assert_false(wu__timestamp_valid("2025-01-15T24:00:00Z"));
	assert_false(wu__timestamp_valid("2025-01-15T09:00:00.Z"));
	assert_false(wu__timestamp_valid("2025-01-15T09:00Z"));
}

static void ror_checksums(void **state)
{
	(void)state;
	char out[40];
	assert_int_equal(wu__ror_normalise(out, "03yrm5c26"), 0);
	assert_string_equal(out, "https://ror.org/03yrm5c26");
	assert_int_equal(wu__ror_normalise(out, "https://ror.org/05dxps055"), 0);
	assert_int_equal(wu__ror_normalise(out, "ror.org/02mhbdp94"), 0);
	assert_int_equal(wu__ror_normalise(out, "03yrm5c27"), -1);     /* wrong check digits */
	assert_int_equal(wu__ror_normalise(out, "13yrm5c26"), -1);     /* must start with 0 */
	assert_int_equal(wu__ror_normalise(out, "03yrm5u26"), -1);     /* u is not Crockford */
	assert_int_equal(wu__ror_normalise(out, "03yrm5c2"), -1);
	assert_int_equal(wu__ror_normalise(out, "03YRM5C26"), -1);
	assert_int_equal(wu__ror_normalise(out, ""), -1);
}

static void orcid_check_digits(void **state)
{
	(void)state;
	assert_true(wu__orcid_valid("0000-0002-1825-0097"));
	assert_true(wu__orcid_valid("0000-0002-1694-233X"));
	assert_true(wu__orcid_valid("0000-0001-5109-3700"));
	assert_false(wu__orcid_valid("0000-0002-1825-0098"));
	assert_false(wu__orcid_valid("0000-0002-1694-2339"));
	assert_false(wu__orcid_valid("0000000218250097"));
	assert_false(wu__orcid_valid("0000-0002-1825-009"));
	assert_false(wu__orcid_valid("000A-0002-1825-0097"));
}

static void org_ids(void **state)
{
	(void)state;
	assert_true(wu__orgid_valid("GB-CHC-1234567"));
	assert_true(wu__orgid_valid("KE-NCB-OP.218-051-2014"));
	assert_true(wu__orgid_valid("XI-ROR-03yrm5c26"));
	assert_true(wu__orgid_valid("US-EIN-12-3456789"));
	assert_false(wu__orgid_valid("gb-chc-1234567"));
	assert_false(wu__orgid_valid("GB-CHC-"));
	assert_false(wu__orgid_valid("GBCHC1234567"));
	assert_false(wu__orgid_valid("GB-C-123"));
	assert_false(wu__orgid_valid("GB-CHC-12 34"));
}

static void utf8(void **state)
{
	(void)state;
	assert_true(wu__utf8_valid("São Paulo", strlen("São Paulo")));
	assert_true(wu__utf8_valid("\xf0\x9f\x8c\xb9", 4));
	assert_false(wu__utf8_valid("\xc3", 1));              /* truncated */
	assert_false(wu__utf8_valid("\xc0\xaf", 2));          /* overlong */
	assert_false(wu__utf8_valid("\xed\xa0\x80", 3));      /* surrogate */
	assert_false(wu__utf8_valid("\xff", 1));
	assert_false(wu__utf8_valid("a\0b", 3));
	/* ASCII is taken eight bytes at a time: a bad byte or a NUL at any
	 * place in or after such a run is still found */
	char buf[40];
	for (size_t at = 0; at < 24; at++) {
		memset(buf, 'x', sizeof buf);
		assert_true(wu__utf8_valid(buf, sizeof buf));
		buf[at] = '\xff';
		assert_false(wu__utf8_valid(buf, sizeof buf));
		buf[at] = '\0';
		assert_false(wu__utf8_valid(buf, sizeof buf));
		memcpy(buf + at, "\xc3\xa3", 2); /* ã */
		assert_true(wu__utf8_valid(buf, sizeof buf));
		assert_false(wu__utf8_valid(buf, at + 1)); /* cut inside it */
	}
}

static void finds_contact_details(void **state)
{
	(void)state;
	char found[128];
	struct { const char *text, *what; } hits[] = {
		{ "write to jane.doe@example.org today", "e-mail" },
		{ "call +254 712 345 678", "phone" },
		{ "call 0712-345-678", "phone" },
		{ "(020) 7946 0958", "phone" },
		{ "ask @sunny_day on the app", "handle" },
		{ "see instagram.com/someone", "handle" },
		{ "https://t.me/someone", "handle" },
		{ "5551234567", "phone" },
	};
	for (size_t i = 0; i < sizeof hits / sizeof hits[0]; i++) {
		const char *what = wu__personal_scan(hits[i].text, found, sizeof found);
		if (!what)
			fail_msg("'%s' not flagged", hits[i].text);
		assert_contains(what, hits[i].what);
	}
}

static void leaves_ordinary_text_alone(void **state)
{
	(void)state;
	char found[128];
	const char *clean[] = {
		"Community Advisory Board",
		"met on 2024-01-01 - 2024-03-01 in Nairobi County",
		"budget of 1500000.00 for two years",
		"Phase 2 of 3; 45 participants; 12 sessions",
		"Amara Sex Worker Collective (Nairobi)",
		"minutes at https://example.org/minutes/2024-03",
		"email is not shared; we use the office line only",
		"ratio 1:2, 10-15 people",
	};
	for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++) {
		const char *what = wu__personal_scan(clean[i], found, sizeof found);
		if (what)
			fail_msg("'%s' flagged as %s ('%s')", clean[i], what, found);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dates_must_be_real),
		cmocka_unit_test(timestamps_are_rfc3339_utc),
		cmocka_unit_test(ror_checksums),
		cmocka_unit_test(orcid_check_digits),
		cmocka_unit_test(org_ids),
		cmocka_unit_test(utf8),
		cmocka_unit_test(finds_contact_details),
		cmocka_unit_test(leaves_ordinary_text_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
