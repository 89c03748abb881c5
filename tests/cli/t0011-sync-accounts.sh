#!/bin/sh
# Sync with accounts: PouchDB Server in its full mode (users, _session,
# _security, validate_doc_update), behind the test proxy that counts requests.
# The server-side rules withus installs decide who writes what: researchers
# write records, an organisation's account only its own attestations, and an
# auditor nothing; a wrong password costs one request and changes nothing.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"
. "$TEST_SRCDIR/sync/peer.sh"
start_peer full
start_proxy
export WITHUS_RETRY_BASE_MS=20
A="$TMP/a.db" B="$TMP/b.db" C="$TMP/c.db" D="$TMP/d.db"
a() { "$WITHUS" --db "$A" "$@"; }
b() { "$WITHUS" --db "$B" "$@"; }
# a_as PASSWORD ARGS...: withus on A with WITHUS_PASSWORD set (b_as: on B)
a_as() { pw=$1; shift; env WITHUS_PASSWORD="$pw" "$WITHUS" --db "$A" "$@"; }
b_as() { pw=$1; shift; env WITHUS_PASSWORD="$pw" "$WITHUS" --db "$B" "$@"; }
is() { [ "$1" = "$2" ] || { echo "# got '$1', wanted '$2'"; return 1; }; }
requests() { proxy_log | jq -s -r "map(select($1)) | length"; }
admin() { curl -sf -u admin:admin-pw "$@"; }
# mkuser NAME ROLE...: an account whose password is NAME-pw
mkuser() {
	name=$1; shift
	roles=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
	admin -X PUT "$PEER/_users/org.couchdb.user:$name" -H 'Content-Type: application/json' \
		-d "{\"name\":\"$name\",\"password\":\"$name-pw\",\"type\":\"user\",\"roles\":$roles}" >/dev/null
}
curl -sf -X PUT "$PEER/_config/admins/admin" -d '"admin-pw"' >/dev/null
admin -X PUT "$PEER/hub" >/dev/null
ORG=$(cat /proc/sys/kernel/random/uuid) OTHER=$(cat /proc/sys/kernel/random/uuid)
mkuser rita withus:researcher
mkuser aud withus:auditor
mkuser outsider
mkuser amara withus:org "withus:org:$ORG"

# ---- the server-side rules ---------------------------------------------------------------
"$WITHUS" --db "$D" remote add hub "$PROXY/hub" --user admin >/dev/null
expect_rc 0 "install-rules --print shows the design document and the roles" "$WITHUS" remote install-rules --print
check "... as JSON" sh -c "jq -e '.design._id == \"_design/withus\" and (.design.validate_doc_update | startswith(\"function\")) and .security.members.roles == [\"withus:researcher\", \"withus:auditor\", \"withus:org\"]' '$TMP/out' >/dev/null"
"$WITHUS" --db "$D" remote add rita "$PROXY/hub" --user rita >/dev/null
expect_error 1 "refused.*admin" "installing needs the database admin" env WITHUS_PASSWORD=rita-pw "$WITHUS" --db "$D" remote install-rules rita
admin -X PUT "$PEER/hub/_security" -H 'Content-Type: application/json' -d '{"members":{"names":["carol"],"roles":["consortium"]}}' >/dev/null
expect_rc 0 "install-rules as the admin" env WITHUS_PASSWORD=admin-pw "$WITHUS" --db "$D" remote install-rules hub
check "... installs both" is "$(cat "$TMP/out")" "hub: design document installed, _security updated"
check "... the design document is there" sh -c "curl -sf -u admin:admin-pw '$PEER/hub/_design/withus' | jq -e '.validate_doc_update | contains(\"withus:researcher\")' >/dev/null"
check "... _security has the withus roles and keeps what was there" is "$(admin "$PEER/hub/_security" | jq -c '[.admins.roles, .members.roles, .members.names]')" \
	'[["withus:admin"],["consortium","withus:researcher","withus:auditor","withus:org"],["carol"]]'
expect_rc 0 "installing again" env WITHUS_PASSWORD=admin-pw "$WITHUS" --db "$D" remote install-rules hub
check "... changes nothing" is "$(cat "$TMP/out")" "hub: design document already installed, _security already has the withus roles"

# ---- a researcher, with cookie authentication --------------------------------------------
a init >/dev/null
a remote add hub "$PROXY/hub" --user rita --auth cookie >/dev/null
a add org --name "Amara Collective" --kind sex-worker-led --country KE --visibility public >/dev/null
P=$(a add project --title "Shared Study" --lead-org "Amara Collective" --visibility shared)
a add involvement --project "Shared Study" --org "Amara Collective" --phase design --level collaborate >/dev/null
db_content "$A" > "$TMP/before"
proxy_clear
expect_error 1 "refused the login of 'rita'" "a wrong password is refused" a_as wrong sync
check "... after one request, answered 401 (no retry loop)" is "$(proxy_log | jq -c '[.method, .path, .status]')" '["POST","/_session",401]'
db_content "$A" > "$TMP/after"
check "... and changes nothing here" cmp -s "$TMP/before" "$TMP/after"
check "... nor on the server" is "$(admin "$PEER/hub" | jq .doc_count)" 1
proxy_clear
expect_rc 0 "the right password" a_as rita-pw sync
check "... pushes the 3 records" grep -q '^3 sent, 0 received, 0 rejected' "$TMP/out"
check "... logging in once" is "$(requests '.path == "/_session"')" 1
check "... and sending the session cookie with every other request" is "$(requests '.path != "/_session" and .auth != "Cookie"')" 0
check "... the design document is not pulled as a record, nor rejected" sh -c "[ -z \"\$(sqlite3 '$A' 'SELECT doc_id FROM sync_rejection')\" ]"
# (New documents here: with a validate_doc_update installed, PouchDB Server
# answers 201 to a new_edits:false update of an existing document and drops
# it -- even an admin's. Real CouchDB stores it; see docs/sync.md.)
SITE=$(a add site --project "Shared Study" --country KE --legal-model full-criminalisation)
proxy_rules '[{"method":"GET","path":"/_changes","status":401,"body":{"error":"unauthorized","reason":"session expired"}}]'
proxy_clear
expect_rc 0 "an expired session" a_as rita-pw sync
check "... logs in again once and goes on" is "$(requests '.path == "/_session"')" 2
check "... the new record arrived" sh -c "curl -sf -u rita:rita-pw '$PEER/hub/site:$SITE' | jq -e '.legal_model == \"full-criminalisation\"' >/dev/null"
proxy_rules '[]'

# ---- an auditor: reads, keeps checkpoints, writes nothing ----------------------------------
b init >/dev/null
b remote add hub "$PROXY/hub" --user aud >/dev/null
proxy_clear
expect_rc 0 "a read-only account pulls" b_as aud-pw sync
check "... everything" grep -q '^0 sent, 4 received' "$TMP/out"
check "... and writes its checkpoints (_local is not validated)" is "$(requests '.method == "PUT" and (.path | contains("/_local/")) and .status == 201')" 1
BODY=$(b add body --project "Shared Study" --name "Auditors' board" --kind advisory --seats 3 --swlo-seats 1)
expect_rc 0 "its push" b_as aud-pw sync
check "... is refused per document, and said so" grep -q '^0 sent, 0 received, 1 rejected' "$TMP/out"
check "... recorded as forbidden with the rule's reason" sh -c "sqlite3 '$B' \"SELECT error || ': ' || reason FROM sync_rejection WHERE doc_id = 'body:$BODY'\" | grep -q '^forbidden: this account may not write body records'"
check "... the server does not have it" is "$(curl -s -o /dev/null -w '%{http_code}' -u aud:aud-pw "$PEER/hub/body:$BODY")" 404
expect_rc 0 "its next sync" b_as aud-pw sync
check "... does not send the refused revision again" grep -q '^0 sent, 0 received, 0 rejected' "$TMP/out"

# ---- an account that is not a member --------------------------------------------------------
"$WITHUS" --db "$C" add org --name "Elsewhere" --kind academic --country GB --visibility public >/dev/null
"$WITHUS" --db "$C" remote add hub "$PROXY/hub" --user outsider >/dev/null
db_content "$C" > "$TMP/before"
expect_error 1 "HTTP 401" "a non-member's sync stops" env WITHUS_PASSWORD=outsider-pw "$WITHUS" --db "$C" sync
db_content "$C" > "$TMP/after"
check "... with no local change" cmp -s "$TMP/before" "$TMP/after"
check "... and nothing on the server" is "$(admin "$PEER/hub/_all_docs" | jq '[.rows[] | select(.id | startswith("org:"))] | length')" 1

# ---- attestations: only the organisation's own account ---------------------------------------
att() { # att USER ORG-ID: PUT an attestation about ORG-ID as USER; prints the HTTP status
	curl -s -o /dev/null -w '%{http_code}' -u "$1:$1-pw" -X PUT "$PEER/hub/attestation:$(cat /proc/sys/kernel/random/uuid)" \
		-H 'Content-Type: application/json' -d "{\"type\":\"attestation\",\"org\":\"$2\",\"claim\":\"involvement:x\",\"status\":\"disputed\"}"
}
check "an organisation's account writes an attestation about itself" is "$(att amara "$ORG")" 201
check "... but not about another organisation" is "$(att amara "$OTHER")" 403
check "a researcher cannot write an organisation's attestation" is "$(att rita "$ORG")" 403
check "an auditor cannot" is "$(att aud "$ORG")" 403
check "an organisation's account writes no research records" is "$(curl -s -o /dev/null -w '%{http_code}' -u amara:amara-pw -X PUT "$PEER/hub/project:$OTHER" -H 'Content-Type: application/json' -d '{"type":"project","title":"x"}')" 403
check "a document without a withus type is refused" is "$(curl -s -o /dev/null -w '%{http_code}' -u rita:rita-pw -X PUT "$PEER/hub/notes-1" -H 'Content-Type: application/json' -d '{"text":"x"}')" 403
check "... as is an id that does not match its type" is "$(curl -s -o /dev/null -w '%{http_code}' -u rita:rita-pw -X PUT "$PEER/hub/org:$OTHER" -H 'Content-Type: application/json' -d '{"type":"project","title":"x"}')" 403

check "the databases are intact" sh -c "[ \$(sqlite3 '$A' 'PRAGMA integrity_check') = ok ] && [ \$(sqlite3 '$B' 'PRAGMA integrity_check') = ok ]"
done_testing
