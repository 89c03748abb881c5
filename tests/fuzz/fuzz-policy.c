/* fuzz-policy: policy files, then a check and a report under the policy. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wu_db *db = fuzz_db();
	wu_policy *pol = NULL;
	if (wu_policy_new(&pol, db) != WU_OK)
		abort();
	if (wu_policy_load(pol, db, (const char *)data, size, "fuzz.json") == WU_OK) {
		char *dump = NULL;
		wu_policy_dump(&dump, db, pol);
		wu_free(dump);
		wu_check_opts o = { .policy = pol, .as_of = "2026-01-01" };
		wu_result *res = NULL;
		if (wu_check(&res, db, &o) == WU_OK)
			wu_result_free(res);
	}
	wu_policy_free(pol);
	return 0;
}
