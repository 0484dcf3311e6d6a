#!/bin/sh
# Recreates test/fixtures/net/live-unix-forged and live-fds-forged.txt: run as root from
# packages/parse with `sh test/net-forged-capture.sh`. In a fresh network namespace, a root
# process (net-forged.py victim) holds a unix listener and a socket pair, and a process as uid
# 65534 (net-forged.py forger) binds names holding text that reads as /proc/net/unix rows
# claiming their inodes. Inodes change on every run: update the expectations in the tests after.
set -eu
[ "${PROCMON_IN_NETNS:-}" = 1 ] || PROCMON_IN_NETNS=1 exec unshare -n sh "$0" "$@"
out=test/fixtures/net
dir=/tmp/procmon-forged-fixture
# A python that uid 65534 can run too (not one under root's home).
py=/usr/bin/python3
[ -x "$py" ] || py=python3
rm -rf "$dir" && mkdir -p "$dir" && chmod 1777 "$dir"
mkfifo "$dir/hold-victim" "$dir/hold-forger"
"$py" test/net-forged.py victim "$dir" <"$dir/hold-victim" >"$dir/victim.out" &
exec 3>"$dir/hold-victim"
until grep -q ready "$dir/victim.out"; do sleep 0.1; done
read -r _ victim_pid listener a b <"$dir/victim.out"
setpriv --reuid=65534 --regid=65534 --clear-groups "$py" test/net-forged.py forger "$dir" \
  "$listener" "$a" "$b" <"$dir/hold-forger" >"$dir/forger.out" &
exec 4>"$dir/hold-forger"
until grep -q ready "$dir/forger.out"; do sleep 0.1; done
forger_pid=$(cut -d' ' -f2 "$dir/forger.out")
cat "/proc/$victim_pid/net/unix" >"$out/live-unix-forged"
for pid in "$victim_pid" "$forger_pid"; do
  ls -l "/proc/$pid/fd" | sed -n "s/.* \([0-9]*\) -> socket:\[\([0-9]*\)\]$/$pid \1 \2/p"
done >"$out/live-fds-forged.txt"
exec 3>&- 4>&-
wait
rm -rf "$dir"
