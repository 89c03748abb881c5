/* fuzz-record: the canonical record JSON, as add and update take it: the
 * input is a JSON object of fields; its "type" picks the record type. The
 * same object is then applied as a patch to a stored record. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wu_db *db = fuzz_db();
	json_error_t err;
	json_t *rec = json_loadb((const char *)data, size, 0, &err);
	if (!json_is_object(rec)) {
		json_decref(rec);
		return 0;
	}
	const char *type = json_string_value(json_object_get(rec, "type"));
	json_t *fields = json_deep_copy(rec);
	json_object_del(fields, "type");
	wu_begin(db);
	char *id = NULL;
	if (type && wu_record_add(&id, db, type, fields, WU_TEXT_VALUES) == WU_OK) {
		json_t *back = NULL;
		wu_record_get(&back, db, id);
		json_decref(back);
	}
	wu_free(id);
	wu_record_update(db, "44444444-4444-4444-8444-444444444444", fields, 0);
	wu_rollback(db);
	json_decref(fields);
	json_decref(rec);
	return 0;
}
