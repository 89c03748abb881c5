#!/usr/bin/env python3
"""validate-json.py SCHEMA DOCUMENT: exit 0 when DOCUMENT is valid against
SCHEMA (any JSON Schema draft jsonschema knows), 1 with the errors when not,
77 when the jsonschema module is missing."""
import json, sys
try:
    import jsonschema
except ImportError:
    sys.exit(77)
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
validator = jsonschema.validators.validator_for(schema)(schema)
errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
for e in errors[:10]:
    print("%s: %s" % ("/".join(map(str, e.absolute_path)), e.message[:300]))
sys.exit(1 if errors else 0)
