#!/bin/sh
# The command line itself: help, version, usage errors, the database path.
. "${TEST_SRCDIR:-$(dirname "$0")/..}/cli/lib.sh"

expect_rc 0 "--version" w --version
check "version names the program" out_has '^withus 0\.1\.0'
expect_rc 2 "no command is a usage error" w
expect_error 2 "'frobnicate' is not a withus command" "unknown command" w frobnicate
expect_rc 2 "unknown global option" w --bogus list
expect_rc 0 "help lists commands" w help
check "help names every record type" sh -c "for t in org project site partnership involvement body role budget transaction payrate output contribution attestation; do grep -q \"^  \$t \" '$TMP/out' || exit 1; done"
expect_rc 0 "help for a type lists its fields" w help budget
check "help budget shows --amount and the categories" sh -c "grep -q -- '--amount' '$TMP/out' && grep -q 'community-researcher-pay' '$TMP/out'"
expect_error 2 "neither a command nor a record type" "help of something unknown" w help nosuch
for c in add edit rm list show history import export demo init help version; do
	expect_rc 0 "help $c" w help "$c"
done
for c in add edit rm list show history import export demo init; do
	expect_rc 0 "$c --help" w "$c" --help
done
expect_rc 0 "TYPE VERB form: withus org add --help" w org add --help

# docs/records.md documents every type and field of the model.
DOC="${TEST_SRCDIR:-$(dirname "$0")/..}/../docs/records.md"
missing=""
for t in org project site partnership involvement body role budget transaction payrate output contribution attestation; do
	grep -q "^### \`$t\`" "$DOC" || missing="$missing $t"
	for f in $("$WITHUS" help "$t" | sed -n 's/^  --\([a-z0-9-]*\) .*/\1/p' | tr - _); do
		grep -q "| \`$f\` |" "$DOC" || missing="$missing $t.$f"
	done
done
if [ -z "$missing" ]; then ok "docs/records.md documents every type and field"
else not_ok "docs/records.md documents every type and field" "missing:$missing"; fi

# The default database lives under the XDG data directory, made private.
expect_rc 0 "init creates the default database" w init
check "default path is ~/.local/share/withus/withus.db" test -f "$HOME/.local/share/withus/withus.db"
check "the database is mode 0600" sh -c "[ \$(stat -c %a '$HOME/.local/share/withus/withus.db') = 600 ]"
check "its directory is mode 0700" sh -c "[ \$(stat -c %a '$HOME/.local/share/withus') = 700 ]"
XDG_DATA_HOME="$TMP/xdg" expect_rc 0 "init honours XDG_DATA_HOME" w init
check "database under \$XDG_DATA_HOME/withus" test -f "$TMP/xdg/withus/withus.db"
WITHUS_DB="$TMP/env.db" expect_rc 0 "init honours WITHUS_DB" w init
check "database at \$WITHUS_DB" test -f "$TMP/env.db"
WITHUS_DB="$TMP/env.db" expect_rc 0 "--db wins over WITHUS_DB" w --db "$TMP/flag.db" init
check "database at --db" sh -c "test -f '$TMP/flag.db' && grep -q flag.db '$TMP/out'"
expect_error 2 "no database at" "reading a database that does not exist" w --db "$TMP/none.db" list org
check "... and does not create it" test ! -e "$TMP/none.db"
expect_error 2 "unexpected argument" "init takes no path" w init "$TMP/x.db"

# Output that cannot be written is an error, not a silent success.
if [ -w /dev/full ]; then
	run sh -c "'$WITHUS' help > /dev/full"
	if [ "$rc" = 1 ]; then ok "writing to /dev/full fails with exit 1"; else not_ok "writing to /dev/full fails with exit 1" "exit $rc"; fi
fi

done_testing
