/*
 * test-check.c - the rule catalogue, policies, and the check engine.
 */
#include "config.h"
#include <limits.h>
#include "unit.h"
#include "facts.h"

static const char *const good = "Safer Work, Stronger Voices";

static void catalogue_is_complete(void **state)
{
	(void)state;
	assert_true(wu_rule_count() >= 25);
	int per_rec[5] = { 0 };
	for (size_t i = 0; i < wu_rule_count(); i++) {
		const wu_rule *r = wu_rule_at(i);
		assert_in_range(r->recommendation, 1, 4);
		per_rec[r->recommendation]++;
		assert_ptr_equal(wu_rule_find(r->id), r);
		assert_true(strlen(r->why) > 20 && strlen(r->how) > 10 && strlen(r->needs) && strlen(r->condition));
		for (size_t j = 0; j < r->nparams; j++) {
			assert_non_null(r->params[j].source);
			assert_ptr_equal(wu_rule_param(r, r->params[j].name), &r->params[j]);
		}
		/* catalogue order is by recommendation: the text output relies on it */
		if (i)
			assert_true(wu_rule_at(i - 1)->recommendation <= r->recommendation);
	}
	for (int k = 1; k <= 4; k++)
		assert_true(per_rec[k] >= 3);
	assert_null(wu_rule_find("no-such-rule"));
	assert_null(wu_rule_at(wu_rule_count()));
}

static void policy_overrides_and_refusals(void **state)
{
	wu_db *db = *state;
	wu_policy *pol = NULL;
	assert_int_equal(wu_policy_new(&pol, db), WU_OK);
	const wu_rule *share = wu_rule_find("swlo-budget-share");
	const wu_param *min = wu_rule_param(share, "min_pct");
	assert_int_equal(wu_policy_value(pol, share, min), 30);
	assert_string_equal(wu_policy_value_source(pol, share, min), min->source);

	const char *bar = "{\"name\":\"Bar\",\"rules\":{\"swlo-budget-share\":{\"min_pct\":45,\"severity\":\"error\"},"
			  "\"pay-parity\":{\"enabled\":false},\"involvement-floor\":{\"phases\":[\"analysis\"]}}}";
	assert_int_equal(wu_policy_load(pol, db, bar, strlen(bar), "bar.json"), WU_OK);
	assert_int_equal(wu_policy_value(pol, share, min), 45);
	assert_int_equal(wu_policy_severity(pol, share), WU_SEV_ERROR);
	assert_string_equal(wu_policy_value_source(pol, share, min), "Bar");
	assert_false(wu_policy_enabled(pol, wu_rule_find("pay-parity")));
	const wu_rule *floor = wu_rule_find("involvement-floor");
	assert_int_equal(wu_policy_value(pol, floor, wu_rule_param(floor, "phases")), 1 << WU_PH_ANALYSIS);

	/* a refused document changes nothing, not even the parts before the error */
	const char *bad = "{\"name\":\"Other\",\"rules\":{\"swlo-budget-share\":{\"min_pct\":10,\"max\":3}}}";
	assert_int_equal(wu_policy_load(pol, db, bad, strlen(bad), "bad.json"), WU_EINVAL);
	assert_non_null(strstr(wu_errmsg(db), "bad.json: rules.swlo-budget-share: unknown key 'max'"));
	assert_int_equal(wu_policy_value(pol, share, min), 45);
	assert_string_equal(wu_policy_name(pol), "Bar");

	/* the dump is a policy that reproduces itself */
	char *dump = NULL;
	assert_int_equal(wu_policy_dump(&dump, db, pol), WU_OK);
	wu_policy *again = NULL;
	assert_int_equal(wu_policy_new(&again, db), WU_OK);
	assert_int_equal(wu_policy_load(again, db, dump, strlen(dump), "dump"), WU_OK);
	char *dump2 = NULL;
	assert_int_equal(wu_policy_dump(&dump2, db, again), WU_OK);
	assert_string_equal(dump, dump2);
	wu_free(dump);
	wu_free(dump2);
	wu_policy_free(again);
	wu_policy_free(pol);
	wu_policy_free(NULL);
}

static size_t project_index(const wu_result *r, const char *title)
{
	for (size_t i = 0; i < wu_result_project_count(r); i++)
		if (!strcmp(wu_result_project_title(r, i), title))
			return i;
	fail_msg("no project %s", title);
	return 0;
}

static void demo_verdicts(void **state)
{
	wu_db *db = *state;
	uint64_t n = 0;
	assert_int_equal(wu_demo_load(&n, db), WU_OK);
	wu_result *r = NULL;
	wu_check_opts o = { .as_of = "2026-11-29" };
	assert_int_equal(wu_check(&r, db, &o), WU_OK);
	assert_int_equal(wu_result_project_count(r), 4);
	const wu_verdict *v = wu_result_verdicts(r, project_index(r, good));
	for (int k = 0; k < 4; k++) {
		assert_int_equal(v[k].status, WU_MET);
		assert_int_equal(v[k].not_applicable + v[k].failed + v[k].insufficient, 0);
	}
	assert_int_equal(wu_result_worst(r), WU_SEV_ERROR);
	/* every finding names its project and at least one record */
	for (size_t i = 0; i < wu_result_finding_count(r); i++) {
		const wu_finding *f = wu_result_finding(r, i);
		assert_true(f->nrecords > 0);
		assert_true(strlen(f->message) && strlen(f->expected) && strlen(f->actual) && strlen(f->remedy));
	}
	wu_result_free(r);

	/* raising the bar changes the verdict; selecting one project checks only it */
	wu_policy *pol = NULL;
	assert_int_equal(wu_policy_new(&pol, db), WU_OK);
	const char *bar = "{\"rules\":{\"swlo-budget-share\":{\"min_pct\":50,\"severity\":\"error\"}}}";
	assert_int_equal(wu_policy_load(pol, db, bar, strlen(bar), NULL), WU_OK);
	char *id = NULL;
	assert_int_equal(wu_resolve(&id, db, "project", good), WU_OK);
	const char *ids[] = { id };
	wu_check_opts sel = { .projects = ids, .nprojects = 1, .as_of = "2026-11-29", .policy = pol };
	assert_int_equal(wu_check(&r, db, &sel), WU_OK);
	assert_int_equal(wu_result_project_count(r), 1);
	assert_int_equal(wu_result_verdicts(r, 0)[3].status, WU_NOT_MET);
	assert_int_equal(wu_result_finding_count(r), 1);
	assert_string_equal(wu_result_finding(r, 0)->rule->id, "swlo-budget-share");
	wu_result_free(r);
	wu_free(id);
	wu_policy_free(pol);
}

static void check_refuses_bad_options(void **state)
{
	wu_db *db = *state;
	wu_result *r = (wu_result *)1;
	wu_check_opts bad_date = { .as_of = "2026-13-01" };
	assert_int_equal(wu_check(&r, db, &bad_date), WU_EINVAL);
	assert_null(r);
	const char *ids[] = { "00000000-0000-4000-8000-000000000000" };
	wu_check_opts missing = { .projects = ids, .nprojects = 1 };
	assert_int_equal(wu_check(&r, db, &missing), WU_ENOTFOUND);
	assert_null(r);
	/* an empty database is not an error: no projects, no findings */
	assert_int_equal(wu_check(&r, db, NULL), WU_OK);
	assert_int_equal(wu_result_project_count(r), 0);
	assert_int_equal(wu_result_worst(r), -1);
	wu_result_free(r);
	wu_result_free(NULL);
}

static const char *value_at(const char *type, const char *field, int i)
{
	return wu_field_find(wu_type_find(type), field)->values[i];
}

/* facts.c and rules.c read enum values by their index in lib/model.c; a
 * reordered value list must fail here rather than judge the wrong thing. */
static void model_indexes_the_rules_rely_on(void **state)
{
	(void)state;
	assert_string_equal(value_at("org", "kind", 0), "sex-worker-led");
	assert_string_equal(value_at("org", "kind", 1), "community-led");
	assert_string_equal(value_at("org", "represents", WU_GROUP_SEX_WORKERS), "sex-workers");
	assert_string_equal(value_at("project", "decrim_stance", WU_STANCE_PUBLIC), "public-support");
	assert_string_equal(value_at("site", "legal_model", WU_LEGAL_DECRIM), "decriminalisation");
	assert_string_equal(value_at("site", "legal_model", WU_LEGAL_UNKNOWN), "unknown");
	assert_string_equal(value_at("involvement", "phase", WU_PH_UNDERTAKING), "undertaking");
	assert_string_equal(value_at("involvement", "phase", WU_PH_GOVERNANCE), "governance");
	assert_string_equal(value_at("involvement", "level", WU_LV_INVOLVE), "involve");
	assert_string_equal(value_at("involvement", "level", WU_LV_LEAD), "lead");
	assert_string_equal(value_at("involvement", "recorded_by", 0), "org");
	assert_string_equal(value_at("involvement", "recorded_by", 2), "jointly");
	assert_string_equal(value_at("role", "recruited_via", 0), "swlo");
	assert_string_equal(value_at("partnership", "research_roles", 0), "co-lead");
	assert_string_equal(value_at("partnership", "research_roles", 1), "co-investigator");
	assert_string_equal(value_at("partnership", "research_roles", 4), "recruitment-only");
	const char *terms[] = { "roles", "decision-making", "data-ownership", "publication-review", "budget" };
	for (int i = 0; i < 5; i++)
		assert_string_equal(value_at("partnership", "agreement_covers", i), terms[i]);
	assert_string_equal(value_at("payrate", "party", 0), "community");
	assert_string_equal(value_at("payrate", "party", 1), "academic");
	assert_string_equal(value_at("output", "kind", 0), "paper");
	assert_string_equal(value_at("output", "kind", 2), "report");
	assert_string_equal(value_at("output", "kind", 5), "dataset");
	assert_string_equal(value_at("output", "kind", 7), "other");
	assert_string_equal(value_at("output", "stance", 2), "criminalisation-recommended");
	assert_int_equal(wu_phase_count(), WU_NPHASES);
}

static void dates_count_days(void **state)
{
	(void)state;
	assert_int_equal(wu__date_days("1970-01-01"), 0);
	assert_int_equal(wu__date_days("2000-03-01") - wu__date_days("2000-02-28"), 2); /* leap century */
	assert_int_equal(wu__date_days("1900-03-01") - wu__date_days("1900-02-28"), 1); /* not leap */
	assert_int_equal(wu__date_days("2024-12-31") - wu__date_days("2024-01-01"), 365);
	assert_true(wu__date_days("2026-02-29") == INT64_MIN);
	assert_true(wu__date_days("") == INT64_MIN);
	assert_true(wu__date_days(NULL) == INT64_MIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(catalogue_is_complete),
		cmocka_unit_test_setup_teardown(policy_overrides_and_refusals, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(demo_verdicts, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(check_refuses_bad_options, db_setup, db_teardown),
		cmocka_unit_test(dates_count_days),
		cmocka_unit_test(model_indexes_the_rules_rely_on),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
