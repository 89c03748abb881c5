/*
 * test-audit.c - attestations: an organisation's word on a claim naming it.
 * The claim is never changed; the newest word is the claim's status; an edit
 * of the claim after it is noticed; the checks see disputes and the share of
 * confirmed claims.
 */
#include "unit.h"

struct fixture {
	wu_db *db;
	char swlo[37], uni[37], project[37], involvement[37], budget[37], site[37];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	void *db;
	if (!fx || db_setup(&db))
		return -1;
	fx->db = db;
	char buf[512];
	add_ok(fx->db, "org", "{\"name\":\"Collective\",\"kind\":\"sex-worker-led\",\"country\":\"KE\",\"swl_self_declared\":true}", fx->swlo);
	add_ok(fx->db, "org", "{\"name\":\"University\",\"kind\":\"academic\",\"country\":\"GB\"}", fx->uni);
	snprintf(buf, sizeof buf, "{\"title\":\"Study\",\"lead_org\":\"%s\"}", fx->uni);
	add_ok(fx->db, "project", buf, fx->project);
	snprintf(buf, sizeof buf, "{\"project\":\"%s\",\"org\":\"%s\",\"phase\":\"design\",\"level\":\"collaborate\"}",
		 fx->project, fx->swlo);
	add_ok(fx->db, "involvement", buf, fx->involvement);
	snprintf(buf, sizeof buf, "{\"project\":\"%s\",\"recipient\":\"%s\",\"category\":\"kt\",\"amount\":\"10.00\","
		 "\"currency\":\"GBP\",\"value_date\":\"2024-01-01\"}", fx->project, fx->swlo);
	add_ok(fx->db, "budget", buf, fx->budget);
	snprintf(buf, sizeof buf, "{\"project\":\"%s\",\"country\":\"KE\",\"legal_model\":\"full-criminalisation\"}", fx->project);
	add_ok(fx->db, "site", buf, fx->site);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	wu_db_close(fx->db);
	free(fx);
	return 0;
}

static void attest(struct fixture *fx, const char *claim, const char *org, const char *status, char out[37])
{
	char buf[256];
	snprintf(buf, sizeof buf, "{\"claim\":\"%s\",\"org\":\"%s\",\"status\":\"%s\"}", claim, org, status);
	add_ok(fx->db, "attestation", buf, out);
}

static void attestation_takes_project_and_version_from_its_claim(void **state)
{
	struct fixture *fx = *state;
	char id[37];
	attest(fx, fx->involvement, fx->swlo, "confirmed", id);
	json_t *att = NULL, *claim = NULL;
	assert_int_equal(wu_record_get(&att, fx->db, id), WU_OK);
	assert_int_equal(wu_record_get(&claim, fx->db, fx->involvement), WU_OK);
	assert_string_equal(json_string_value(json_object_get(att, "project")), fx->project);
	char version[33];
	assert_int_equal(wu__claim_version(fx->db, claim, version), WU_OK);
	assert_int_equal(strlen(version), 32);
	assert_string_equal(json_string_value(json_object_get(att, "claim_version")), version);
	/* the same on a machine that stamped its own time and has no note */
	json_object_set_new(claim, "updated", json_string("2030-01-01T00:00:00Z"));
	char other[33];
	assert_int_equal(wu__claim_version(fx->db, claim, other), WU_OK);
	assert_string_equal(version, other);
	json_decref(att);
	json_decref(claim);
}

static void attestation_must_concern_its_organisation(void **state)
{
	struct fixture *fx = *state;
	char buf[256];
	snprintf(buf, sizeof buf, "{\"claim\":\"%s\",\"org\":\"%s\",\"status\":\"disputed\"}", fx->involvement, fx->uni);
	assert_contains(add_fails(fx->db, "attestation", buf, WU_EINVAL), "attestation.org");
	snprintf(buf, sizeof buf, "{\"claim\":\"%s\",\"org\":\"%s\",\"status\":\"confirmed\"}", fx->site, fx->swlo);
	assert_contains(add_fails(fx->db, "attestation", buf, WU_EINVAL), "names no organisation");
	snprintf(buf, sizeof buf, "{\"claim\":\"%s\",\"org\":\"%s\",\"status\":\"confirmed\"}",
		 "00000000-0000-4000-8000-000000000000", fx->swlo);
	assert_contains(add_fails(fx->db, "attestation", buf, WU_EINVAL), "is not the id of any record");
	snprintf(buf, sizeof buf, "{\"claim\":\"%s\",\"org\":\"%s\",\"status\":\"maybe\"}", fx->involvement, fx->swlo);
	assert_contains(add_fails(fx->db, "attestation", buf, WU_EINVAL), "attestation.status");
	snprintf(buf, sizeof buf, "{\"claim\":\"%s\",\"org\":\"%s\",\"status\":\"confirmed\",\"project\":\"%s\"}",
		 fx->involvement, fx->swlo, fx->site);
	add_fails(fx->db, "attestation", buf, WU_EINVAL);
}

static void attestation_keeps_its_claim_and_the_claim_keeps_its_attestations(void **state)
{
	struct fixture *fx = *state;
	char id[37];
	attest(fx, fx->involvement, fx->swlo, "disputed", id);
	json_t *patch = json_pack("{ss}", "claim", fx->budget);
	assert_int_equal(wu_record_update(fx->db, id, patch, 0), WU_EINVAL);
	assert_contains(wu_errmsg(fx->db), "attestation.claim");
	json_decref(patch);
	patch = json_pack("{ss}", "comment", "we were only consulted");
	assert_int_equal(wu_record_update(fx->db, id, patch, 0), WU_OK);
	json_decref(patch);
	assert_int_equal(wu_record_delete(fx->db, fx->involvement), WU_EREFERENCED);
	assert_contains(wu_errmsg(fx->db), "attestation");
}

struct seen { int n; char status[4][24]; bool changed[4]; int attestations[4]; };

static int collect(const json_t *entry, void *payload)
{
	struct seen *s = payload;
	if (s->n < 4) {
		snprintf(s->status[s->n], sizeof s->status[0], "%s", json_string_value(json_object_get(entry, "status")));
		s->changed[s->n] = json_is_true(json_object_get(entry, "changed_since"));
		s->attestations[s->n] = (int)json_array_size(json_object_get(entry, "attestations"));
	}
	s->n++;
	return 0;
}

static void audit_lists_claims_with_the_newest_word(void **state)
{
	struct fixture *fx = *state;
	char a1[37], a2[37];
	struct seen s = { 0 };
	wu_audit_counts n;
	assert_int_equal(wu_audit(&n, fx->db, fx->swlo, NULL, collect, &s), WU_OK);
	assert_int_equal(s.n, 2); /* involvement, budget */
	assert_int_equal(n.unconfirmed, 2);
	attest(fx, fx->involvement, fx->swlo, "confirmed", a1);
	attest(fx, fx->involvement, fx->swlo, "disputed", a2);
	/* the second word is newer only if its created time sorts later */
	assert_int_equal(sqlite3_exec(fx->db->sql, "UPDATE attestation SET created = '2020-01-01T00:00:00Z' WHERE status = 'confirmed'",
				      NULL, NULL, NULL), SQLITE_OK);
	memset(&s, 0, sizeof s);
	assert_int_equal(wu_audit(&n, fx->db, fx->swlo, NULL, collect, &s), WU_OK);
	assert_string_equal(s.status[0], "disputed");
	assert_int_equal(s.attestations[0], 2);
	assert_false(s.changed[0]);
	assert_string_equal(s.status[1], "unconfirmed");
	assert_int_equal(n.disputed, 1);
	/* the claim is edited afterwards */
	assert_int_equal(sqlite3_exec(fx->db->sql, "UPDATE involvement SET level = 'lead'", NULL, NULL, NULL),
			 SQLITE_OK);
	memset(&s, 0, sizeof s);
	assert_int_equal(wu_audit(&n, fx->db, fx->swlo, NULL, collect, &s), WU_OK);
	assert_true(s.changed[0]);
	assert_int_equal(n.changed, 1);
	/* the university is named by no claim here */
	memset(&s, 0, sizeof s);
	assert_int_equal(wu_audit(&n, fx->db, fx->uni, NULL, collect, &s), WU_OK);
	assert_int_equal(s.n, 1); /* the project it leads */
	assert_int_equal(wu_audit(&n, fx->db, fx->project, NULL, NULL, NULL), WU_EINVAL);
}

/* What `rule` found about the fixture's project: 'F' a failure, 'I'
 * insufficient data, '-' nothing (a pass, or not applicable). */
static char outcome(struct fixture *fx, const char *rule)
{
	wu_result *res = NULL;
	assert_int_equal(wu_check(&res, fx->db, NULL), WU_OK);
	char out = '-';
	for (size_t i = 0; i < wu_result_finding_count(res); i++) {
		const wu_finding *f = wu_result_finding(res, i);
		if (!strcmp(f->rule->id, rule))
			out = f->insufficient ? 'I' : 'F';
	}
	wu_result_free(res);
	return out;
}

static void checks_see_confirmations_and_disputes(void **state)
{
	struct fixture *fx = *state;
	char a[37], b[37];
	assert_int_equal(outcome(fx, "claims-confirmed"), 'I');
	assert_int_equal(outcome(fx, "no-disputed-claims"), '-');
	attest(fx, fx->involvement, fx->swlo, "confirmed", a);
	assert_int_equal(outcome(fx, "claims-confirmed"), 'F'); /* 1 of 2 */
	assert_int_equal(outcome(fx, "no-disputed-claims"), '-');
	attest(fx, fx->budget, fx->swlo, "confirmed", b);
	assert_int_equal(outcome(fx, "claims-confirmed"), '-');
	attest(fx, fx->budget, fx->swlo, "disputed", b);
	assert_int_equal(sqlite3_exec(fx->db->sql, "UPDATE attestation SET created = '2020-01-01T00:00:00Z' WHERE status = 'confirmed'",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(outcome(fx, "no-disputed-claims"), 'F');
	assert_int_equal(outcome(fx, "claims-confirmed"), 'F');
	/* a confirmation of an earlier version of the claim does not count */
	assert_int_equal(sqlite3_exec(fx->db->sql, "DELETE FROM attestation WHERE status = 'disputed'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(outcome(fx, "claims-confirmed"), '-');
	assert_int_equal(sqlite3_exec(fx->db->sql, "UPDATE budget SET category = 'other'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(outcome(fx, "claims-confirmed"), 'F');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(attestation_takes_project_and_version_from_its_claim, setup, teardown),
		cmocka_unit_test_setup_teardown(attestation_must_concern_its_organisation, setup, teardown),
		cmocka_unit_test_setup_teardown(attestation_keeps_its_claim_and_the_claim_keeps_its_attestations, setup, teardown),
		cmocka_unit_test_setup_teardown(audit_lists_claims_with_the_newest_word, setup, teardown),
		cmocka_unit_test_setup_teardown(checks_see_confirmations_and_disputes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
