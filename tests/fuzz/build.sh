#!/bin/sh
# tests/fuzz/build.sh BUILDDIR OUTDIR: builds the libFuzzer targets with
# clang, AddressSanitizer and UndefinedBehaviorSanitizer, from the library's
# sources and BUILDDIR's config.h and embedded SQL/demo/rules (any configured
# build directory that has run make).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
out=$2
mkdir -p "$out"
cc=${CLANG:-clang}
flags="-g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
incs="-I$build -I$build/lib -I$top/lib $(pkg-config --cflags sqlite3 libcurl jansson)"
libs="$(pkg-config --libs sqlite3 libcurl jansson) -lm"
for target in csv jsonl record policy sync; do
	# shellcheck disable=SC2086
	$cc $flags $incs "$top"/lib/*.c "$top/tests/fuzz/fuzz-$target.c" -o "$out/fuzz-$target" $libs
done
