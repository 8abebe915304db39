#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh: two processes share a named section, then the Windows lifetime
# rule: a section's name lives as long as a handle to it, its memory as long
# as a handle or a view.
#
#   1. section-writer creates "Local\demo", maps a view and writes a message;
#      page 0 is mapped once (share count 1).
#   2. section-open-check finds the name.
#   3. section-reader opens the name, maps a view, prints the message and the
#      share count of page 0: 2, the writer's view and its own.
#   4. The writer closes its handle but keeps its view.
#   5. section-open-check no longer finds the name.
#   6. The writer's view still reads the message.
#   7. The writer unmaps its view and exits.
#
# Runs under busybox sh, bash or dash (without a timeout: dash's read has no
# -t). Needs
# /dev/sections and the three programs, found next to this script or on PATH
# (SECTIONS_BINDIR overrides). Prints "demo: PASS" and exits 0 when every step
# behaved as expected; otherwise "demo: FAIL: ..." and exits 1.

set -u

NAME='Local\demo'
MESSAGE='Hello from the writer, through a section object'
TIMEOUT=${DEMO_TIMEOUT:-30}

say() { printf 'demo: %s\n' "$*"; }

tmp=
wpid=
cleanup() {
	# Closing the command pipe tells a writer still running to finish.
	exec 3>&- 4<&-
	if [ -n "$wpid" ]; then
		i=0
		while kill -0 "$wpid" 2>/dev/null && [ $i -lt 20 ]; do
			sleep 1
			i=$((i + 1))
		done
		kill "$wpid" 2>/dev/null
		wait "$wpid" 2>/dev/null
	fi
	[ -n "$tmp" ] && rm -rf "$tmp"
}
fail() {
	say "FAIL: $*"
	cleanup
	wpid=
	tmp=
	exit 1
}
trap cleanup EXIT
trap 'fail "interrupted"' INT TERM

here=$(cd "$(dirname "$0")" && pwd)
bindir=${SECTIONS_BINDIR:-$here}
prog() {
	if [ -x "$bindir/$1" ]; then
		printf '%s\n' "$bindir/$1"
	else
		command -v "$1"
	fi
}
WRITER=$(prog section-writer) || fail "section-writer is not in $bindir or on PATH"
READER=$(prog section-reader) || fail "section-reader is not in $bindir or on PATH"
CHECK=$(prog section-open-check) || fail "section-open-check is not in $bindir or on PATH"

# has LINE TEXT: TEXT (lines) contains exactly the line LINE.
has() { printf '%s\n' "$2" | grep -qxF -e "$1"; }

[ -c /dev/sections ] || fail "/dev/sections does not exist (is the module loaded?)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sections-demo.XXXXXX") || fail "mktemp failed"
mkfifo "$tmp/cmd" "$tmp/out" || fail "mkfifo failed"

# The writer reads commands from one FIFO and answers on another; "writer:
# ready" ends each answer. Open order matters: the writer's shell opens cmd,
# then out; so must we.
"$WRITER" "$NAME" "$MESSAGE" <"$tmp/cmd" >"$tmp/out" 2>&1 &
wpid=$!
exec 3>"$tmp/cmd" 4<"$tmp/out"

# read -t (busybox, bash) guards against a hung writer; dash has no -t.
# shellcheck disable=SC3045
(read -r -t 1 line </dev/null) 2>/dev/null
if [ $? -eq 1 ]; then
	read_t="-t $TIMEOUT"
else
	read_t=
fi

# writer_answer: echo the writer's lines up to "writer: ready" and keep them in
# $answer. Fails on end of output or after $TIMEOUT seconds of silence.
answer=
writer_answer() {
	answer=
	while :; do
		# shellcheck disable=SC2086,SC2229
		IFS= read -r $read_t line <&4 || fail "the writer stopped answering"
		printf '%s\n' "$line"
		[ "$line" = "writer: ready" ] && return 0
		answer="$answer$line
"
	done
}
writer_do() {
	say "telling the writer: $1"
	printf '%s\n' "$1" >&3 || fail "cannot talk to the writer"
	writer_answer
}

say "step 1: section-writer creates \"$NAME\" and writes a message"
writer_answer
has "writer: page 0 share count: 1" "$answer" ||
	fail "the writer should see page 0 mapped once"
case $answer in
*"new section"*) ;;
*) fail "\"$NAME\" should have been a new section" ;;
esac

say "step 2: the name exists while the writer holds a handle"
"$CHECK" "$NAME" || fail "section-open-check should have found \"$NAME\""

say "step 3: section-reader opens \"$NAME\" by name"
out=$("$READER" "$NAME" 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] || fail "section-reader failed (exit $rc)"
has "reader: message: \"$MESSAGE\"" "$out" ||
	fail "the reader should have read the writer's message"
has "reader: page 0 share count: 2" "$out" ||
	fail "page 0 should be mapped twice (writer and reader)"
say "the reader saw the message and page 0 shared by 2 views"

say "step 4: the writer closes its last handle but keeps its view"
writer_do close
has "writer: closed the handle; the view stays mapped" "$answer" ||
	fail "the writer could not close its handle"

say "step 5: with no handle left, the name is gone"
"$CHECK" "$NAME"
rc=$?
[ $rc -eq 1 ] || fail "section-open-check should have reported \"$NAME\" not found (exit $rc)"

say "step 6: the writer's view still holds the data"
writer_do show
has "writer: view still reads: \"$MESSAGE\"" "$answer" ||
	fail "the writer's view lost the message"
has "writer: page 0 share count: 1 (by view address)" "$answer" ||
	fail "page 0 should now be mapped by the writer's view alone"

say "step 7: the writer unmaps its view and exits"
writer_do unmap
has "writer: unmapped the view" "$answer" || fail "the writer could not unmap its view"
printf 'quit\n' >&3
exec 3>&-
# shellcheck disable=SC2086,SC2229
IFS= read -r $read_t line <&4 && printf '%s\n' "$line"
exec 4<&-
wait "$wpid"
rc=$?
wpid=
[ $rc -eq 0 ] || fail "section-writer exited with status $rc"

say "PASS: named sharing, share counts and the name's lifetime behave as on Windows"
exit 0
