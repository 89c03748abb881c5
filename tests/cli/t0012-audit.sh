#!/bin/sh
# Community audit: an organisation lists every claim that names it, confirms
# or disputes one, and syncs; the research team sees the dispute in
# `withus check`. An attestation never changes its claim; both keep their
# history. Against PouchDB Server in full mode with withus's server rules,
# only the organisation's own account can write its attestations.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"
. "$TEST_SRCDIR/sync/peer.sh"
is() { [ "$1" = "$2" ] || { echo "# got '$1', wanted '$2'"; return 1; }; }
same_file() { cmp -s "$1" "$2" || { diff "$1" "$2" | head -n 6 | sed 's/^/# /'; return 1; }; }

# ---- on one machine: the demo -------------------------------------------------------------------
D="$TMP/demo.db"
d() { "$WITHUS" --db "$D" "$@"; }
d demo >/dev/null
RED="Red Lantern Workers' Union"
expect_rc 0 "audit lists every claim naming an organisation" d audit "$RED"
check "... grouped under its project" out_has "^Nightlife Health Survey$"
check "... with each status and the organisation's comment" sh -c "grep -q '^  disputed  *involvement' '$TMP/out' && grep -q 'we had no part in running the survey' '$TMP/out'"
check "... and a summary" out_has "^5 claims: 2 confirmed, 0 partly confirmed, 1 disputed, 2 unconfirmed; 0 edited since attested$"
expect_rc 0 "audit --json" d audit "$RED" --json
check "... one object per claim, with status and attestations" sh -c "jq -se 'length == 5 and all(.[]; .claim.id and .status and (.attestations | type) == \"array\")' '$TMP/out' >/dev/null"
expect_rc 0 "audit --status unconfirmed" d audit "$RED" --status unconfirmed --json
check "... only those" sh -c "jq -se 'length == 2 and all(.[]; .status == \"unconfirmed\")' '$TMP/out' >/dev/null"
expect_error 2 "status" "an unknown --status is a usage error" d audit "$RED" --status maybe
expect_error 2 "no org matches" "an unknown organisation" d audit "Nobody Collective"

CLAIM=$(d audit "$RED" --status unconfirmed --json | jq -r 'select(.claim.phase == "dissemination") | .claim.id')
d show "$CLAIM" --json > "$TMP/claim-before"
expect_rc 0 "attest a claim: partly-confirmed, with a comment" d attest "$CLAIM" partly-confirmed --comment "We were told the results; we did not help share them."
A1=$(cat "$TMP/out")
check "... prints the attestation's id" sh -c "d() { '$WITHUS' --db '$D' \"\$@\"; }; d show '$A1' --json | jq -e '.type == \"attestation\" and .status == \"partly-confirmed\"' >/dev/null"
check "... the organisation comes from the claim, the project too" sh -c "d() { '$WITHUS' --db '$D' \"\$@\"; }; d show '$A1' --json | jq -e --arg c '$CLAIM' '.claim == \$c and .org != null and .project != null and .claim_version != null' >/dev/null"
expect_rc 0 "the organisation disputes it later" d attest "$CLAIM" disputed --comment "On reflection: nobody told us anything."
d show "$CLAIM" --json > "$TMP/claim-after"
check "... the claim itself is unchanged" same_file "$TMP/claim-before" "$TMP/claim-after"
d audit "$RED" --json > "$TMP/audit.json"
check "... the newest word is its status, both attestations kept" sh -c "jq -se --arg c '$CLAIM' 'map(select(.claim.id == \$c))[0] | .status == \"disputed\" and (.attestations | length) == 2' '$TMP/audit.json' >/dev/null"
expect_rc 3 "check fails on the disputed claims" d check --project "Nightlife Health Survey"
d check --project "Nightlife Health Survey" --format json > "$TMP/check.json"
check "... one no-disputed-claims finding for each disputed claim, quoting the organisation" sh -c "jq -e --arg c '$CLAIM' '[.findings[] | select(.rule == \"no-disputed-claims\")] | length == 2 and
	(map(select(.records | index(\$c)))[0].message | contains(\"nobody told us anything\"))' '$TMP/check.json' >/dev/null"

# refusals: each names the field, writes nothing
db_content "$D" > "$TMP/before"
SITE=$(d list site --project "Nightlife Health Survey" --json | jq -r '.[0].id')
expect_error 2 "status: 'maybe'" "a status that is not one of the three" d attest "$CLAIM" maybe
expect_error 2 "names no organisation" "a study site is not a claim about an organisation" d attest "$SITE" confirmed --org "$RED"
expect_error 2 "attestation.org: .* is not named by" "an organisation the claim does not name" d attest "$CLAIM" confirmed --org "Northfield University"
expect_error 2 "not the id of any record|no record matches" "an unknown claim" d attest 00000000 confirmed
expect_error 2 "attestation.claim: .*cannot be changed" "an attestation stays about its claim" d edit "$A1" --claim "$SITE"
expect_error 2 "referenced by attestation" "an attested claim cannot be deleted from under its attestations" d rm "$CLAIM"
db_content "$D" > "$TMP/after"
check "... nothing was written" same_file "$TMP/before" "$TMP/after"
expect_rc 0 "export --org gives the organisation its own records" d export --org "$RED"
check "... itself, the claims naming it and its attestations" sh -c "jq -se '(map(.type) | unique) == [\"attestation\",\"budget\",\"involvement\",\"org\",\"partnership\"] and (map(select(.type == \"attestation\")) | length) == 5' '$TMP/out' >/dev/null"

# ---- two machines and a server: the organisation audits, the team sees it ---------------------------
start_peer full
admin() { curl -sf -u admin:admin-pw "$@"; }
mkuser() { # mkuser NAME ROLE...: an account whose password is NAME-pw
	name=$1; shift
	roles=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
	admin -X PUT "$PEER/_users/org.couchdb.user:$name" -H 'Content-Type: application/json' \
		-d "{\"name\":\"$name\",\"password\":\"$name-pw\",\"type\":\"user\",\"roles\":$roles}" >/dev/null
}
curl -sf -X PUT "$PEER/_config/admins/admin" -d '"admin-pw"' >/dev/null
admin -X PUT "$PEER/hub" >/dev/null
A="$TMP/team.db" O="$TMP/org.db"
a() { env WITHUS_PASSWORD=rita-pw "$WITHUS" --db "$A" "$@"; }
o() { env WITHUS_PASSWORD=amara-pw "$WITHUS" --db "$O" "$@"; }
AMARA=$(a add org --name "Amara Collective" --kind sex-worker-led --country KE --swl-self-declared true --visibility public)
a add org --name "Northfield University" --kind academic --country GB --visibility public >/dev/null
a add project --title "Shared Study" --lead-org "Northfield University" --visibility shared >/dev/null
INV=$(a add involvement --project "Shared Study" --org "Amara Collective" --phase design --level collaborate)
BUD=$(a add budget --project "Shared Study" --recipient "Amara Collective" --category kt --amount 5000 --currency GBP --value-date 2025-01-01)
mkuser rita withus:researcher
mkuser amara withus:org "withus:org:$AMARA"
env WITHUS_PASSWORD=admin-pw "$WITHUS" --db "$A" remote add admin "$PEER/hub" --user admin >/dev/null
env WITHUS_PASSWORD=admin-pw "$WITHUS" --db "$A" remote install-rules admin >/dev/null
a remote add hub "$PEER/hub" --user rita >/dev/null
a sync hub >/dev/null 2>&1
sleep 1 # a claim's version is its updated time, to the second
o init >/dev/null
o remote add hub "$PEER/hub" --user amara >/dev/null
expect_rc 0 "the organisation's account pulls the shared records" o sync
check "... all five" grep -q '^0 sent, 5 received' "$TMP/out"
expect_rc 0 "it audits the claims about itself" o audit "Amara Collective"
check "... the involvement and the budget line, unconfirmed" out_has "^2 claims: 0 confirmed, 0 partly confirmed, 0 disputed, 2 unconfirmed"
expect_rc 0 "it disputes the involvement" o attest "$INV" disputed --comment "We were consulted once; we did not collaborate on the design."
expect_rc 0 "and confirms the budget line" o attest "$BUD" confirmed
expect_rc 0 "its sync sends both attestations" o sync
check "... accepted by the server rules" grep -q '^2 sent, 0 received, 0 rejected' "$TMP/out"
expect_rc 0 "the team syncs" a sync hub
check "... and receives them" grep -q '^0 sent, 2 received' "$TMP/out"
expect_rc 3 "the team's check fails on the dispute" a check
a check --format json > "$TMP/team.json"
check "... naming the claim and quoting the organisation" sh -c "jq -e --arg c '$INV' '[.findings[] | select(.rule == \"no-disputed-claims\")][0] | (.records | index(\$c)) and (.message | contains(\"did not collaborate\"))' '$TMP/team.json' >/dev/null"
check "... the team's audit view shows it too" sh -c "env WITHUS_PASSWORD=x '$WITHUS' --db '$A' audit 'Amara Collective' | grep -q '^  disputed  *involvement'"

# PouchDB Server answers 201 to a new_edits:false update of an existing
# document under a validate_doc_update but drops it (docs/sync.md, peer
# gaps), so the round that corrects the claim runs on a database without
# the design document; CouchDB keeps both rounds on one database.
admin -X PUT "$PEER/open" >/dev/null
a remote add open "$PEER/open" --user rita >/dev/null
o remote add open "$PEER/open" --user amara >/dev/null
a sync open >/dev/null 2>&1; o sync open >/dev/null 2>&1
expect_rc 0 "the team corrects the claim" a edit "$INV" --level consult
expect_rc 0 "... and syncs it" a sync open
check "... 1 sent" grep -q '^1 sent' "$TMP/out"
expect_rc 0 "the organisation syncs" o sync open
check "... 1 received" grep -q '^0 sent, 1 received' "$TMP/out"
expect_rc 0 "the organisation's audit shows the claim was edited since its dispute" o audit "Amara Collective"
check "... marked" out_has "disputed .*involvement .*\[edited since\]"
check "... counted" out_has "; 1 edited since attested$"
expect_rc 0 "the organisation confirms the corrected claim" o attest "$INV" confirmed --comment "Consulted: correct."
o sync open >/dev/null 2>&1
a sync open >/dev/null 2>&1
a check --format json > "$TMP/team.json"
check "... and the team's check has no dispute left" sh -c "jq -e '[.findings[] | select(.rule == \"no-disputed-claims\")] | length == 0' '$TMP/team.json' >/dev/null"
check "... the dispute stays in the history" is "$("$WITHUS" --db "$A" list attestation --json | jq -r --arg c "$INV" '[.[] | select(.claim == $c) | .status] | join(",")')" "disputed,confirmed"

# Only the organisation's account can put an attestation on the server. One
# typed on the team's machine stays there, refused at every push.
expect_rc 0 "a researcher's own 'attestation' for the organisation" a attest "$BUD" disputed
MINE=$(cat "$TMP/out")
expect_rc 0 "... is refused by the server (with the rules) when pushed" a sync hub
check "... counted as rejected" grep -Eq '^[0-9]+ sent, 0 received, [1-9][0-9]* rejected' "$TMP/out"
check "... recorded as forbidden" is "$(sqlite3 "$A" "SELECT error FROM sync_rejection WHERE doc_id = 'attestation:$MINE'")" forbidden
o sync >/dev/null 2>&1
check "... and the organisation never sees it" is "$("$WITHUS" --db "$O" list attestation --json | jq '[.[] | select(.status == "disputed")] | length')" 1

done_testing
