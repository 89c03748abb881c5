/* fuzz-jsonl: JSON Lines import. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wu_db *db = fuzz_db();
	FILE *in = fmemopen((void *)data, size ? size : 1, "r");
	if (!in)
		return 0;
	wu_import_opts o = { .format = "jsonl", .source = "fuzz.jsonl" };
	wu_begin(db);
	wu_import(NULL, db, in, &o);
	wu_rollback(db);
	fclose(in);
	return 0;
}
