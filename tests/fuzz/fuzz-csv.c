/* fuzz-csv: CSV import. The first byte picks the record type; the rest is the file. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	wu_db *db = fuzz_db();
	const wu_type *t = wu_type_at(data[0] % wu_type_count());
	FILE *in = fmemopen((void *)(data + 1), size - 1 ? size - 1 : 1, "r");
	if (!in)
		return 0;
	wu_import_opts o = { .format = "csv", .type = t->name, .source = "fuzz.csv" };
	wu_begin(db);
	wu_import(NULL, db, in, &o);
	wu_rollback(db);
	fclose(in);
	return 0;
}
