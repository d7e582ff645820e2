#!/usr/bin/env bash
# `cmake --install` as a packager runs it, into a prefix of the test's
# own: the commands, the client library with its headers and pkg-config
# file, the man page and the systemd unit land in place; the unit passes
# `systemd-analyze verify` (its man: link resolves to the installed page)
# and its hardening scores "OK" offline; cpack makes a Debian package of
# it; a program built from the README's
# example with nothing but `pkg-config --cflags --libs rumor` runs against
# a real agent.
. "$(dirname "$0")/lib.sh"

BUILD=$(dirname "$RUMOR")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
P=$WORK/prefix
check "cmake --install into a prefix" \
	sh -c "cmake --install '$BUILD' --prefix '$P' >'$WORK/install.log'"
for f in bin/rumor bin/rumor-sim lib/librumor_client.so \
	include/rumor/rumor.h include/rumor/error.h lib/pkgconfig/rumor.pc \
	share/man/man1/rumor.1 lib/systemd/system/rumor.service; do
	check "installed: $f" test -e "$P/$f"
done
check "the installed rumor runs" "$P/bin/rumor" version
check "the library exports only rumor_* symbols" sh -c \
	"! nm -D --defined-only '$P/lib/librumor_client.so' | awk '{print \$3}' | grep -v '^rumor_'"
check "the unit starts the installed binary with the installed config" \
	grep -q "^ExecStart=$P/bin/rumor agent --config $P/etc/rumor/agent.json " \
	"$P/lib/systemd/system/rumor.service"

command -v systemd-analyze >/dev/null ||
	fail "systemd-analyze missing (.ci/deps --test installs systemd)"
check "systemd-analyze verify passes on the unit, saying nothing" sh -c \
	"MANPATH='$P/share/man' systemd-analyze verify '$P/lib/systemd/system/rumor.service' >'$WORK/verify.log' 2>&1 && ! grep -q . '$WORK/verify.log'"
cat "$WORK/verify.log"
exposure=$(systemd-analyze security --offline=yes \
	"$P/lib/systemd/system/rumor.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for rumor.service: \([0-9.]*\).*/\1/p')
echo "  exposure: ${exposure:-?}"
check "the unit's exposure is 2.0 or less (systemd-analyze security)" \
	python3 -c "import sys; sys.exit(0 if float('${exposure:-99}') <= 2.0 else 1)"
check "the man page renders without warnings" sh -c \
	"MANWIDTH=80 man --warnings -l '$P/share/man/man1/rumor.1' 2>&1 >/dev/null | grep -q . && exit 1; exit 0"

# The Debian package of the same install (cpack), for /usr.
if command -v dpkg-deb >/dev/null; then
	check "cpack -G DEB makes a package" sh -c \
		"cpack -G DEB -B '$WORK/deb' --config '$BUILD/CPackConfig.cmake' >'$WORK/cpack.log' 2>&1"
	DEB=$(ls "$WORK"/deb/rumor_*.deb 2>/dev/null | head -1)
	dpkg-deb -c "$DEB" >"$WORK/deb.list" 2>&1
	dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./usr/lib/systemd/system/rumor.service \
		>"$WORK/deb.unit" 2>&1
	check "the package holds the commands, library, unit and man page" sh -c \
		"grep -q ' ./usr/bin/rumor$' '$WORK/deb.list' &&
		 grep -q ' ./usr/lib/librumor_client.so.0 ' '$WORK/deb.list' &&
		 grep -q ' ./usr/lib/systemd/system/rumor.service$' '$WORK/deb.list' &&
		 grep -q ' ./usr/share/man/man1/rumor.1$' '$WORK/deb.list'"
	check "its unit starts /usr/bin/rumor with /etc/rumor/agent.json" \
		grep -q '^ExecStart=/usr/bin/rumor agent --config /etc/rumor/agent.json ' \
		"$WORK/deb.unit"
fi

# A program of a user's, outside the source tree.
cp "$SRC/tests/integration/example.c" "$WORK/hello.c"
PC="PKG_CONFIG_PATH=$P/lib/pkgconfig"
check "pkg-config knows rumor" env "$PC" pkg-config --exists rumor
check "pkg-config --modversion is the project's version" sh -c \
	"[ \"\$(env '$PC' pkg-config --modversion rumor)\" = \"\$('$P/bin/rumor' version | awk '{print \$NF}')\" ]"
# A library built with -DRUMOR_SANITIZE=ON needs its runtime first: the
# program gets the same flags (a user's build of a release has none).
SAN=
ldd "$P/lib/librumor_client.so" | grep -q libasan &&
	SAN="-fsanitize=address,undefined"
check "a program builds with pkg-config --cflags --libs rumor" sh -c \
	"cd '$WORK' && cc -std=c11 -Wall -Werror $SAN hello.c -o hello \$(env '$PC' pkg-config --cflags --libs rumor) -Wl,-rpath,'$P/lib'"
check "it links the installed library" sh -c \
	"ldd '$WORK/hello' | grep -q '$P/lib/librumor_client.so.0'"
P_a=$(free_port)
RUMOR=$P/bin/rumor
check "the installed agent starts" start_agent a "$P_a" --no-encrypt \
	--dns off --http off
out=$("$WORK/hello" "$WORK/a.sock")
echo "  $out"
check "the program registers and picks through the installed library" \
	[ "$out" = "web is at 127.0.0.1:8080 (node a)" ]

finish
