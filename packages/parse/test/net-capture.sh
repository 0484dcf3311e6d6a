#!/bin/sh
# Recreates test/fixtures/net/live-*: run as root from packages/parse with `sh test/net-capture.sh`.
# Everything happens in a fresh network namespace so the tables hold only the sockets that
# net-sockets.mjs (as uid 65534) and net-sockets.py (as root) open, plus the fd listings that give
# their inodes. Socket inodes change on every run: update the expectations in the tests after.
set -eu
[ "${PROCMON_IN_NETNS:-}" = 1 ] || PROCMON_IN_NETNS=1 exec unshare -n sh "$0" "$@"
out=test/fixtures/net
ip link set lo up
for address in 2001:db8:: 2001:db8::1:0:0:1 2001:db8:0:1:1:1:1:1; do
  ip -6 addr add "$address/128" dev lo nodad
done
mkdir -p /tmp/procmon-net-fixture && chmod 1777 /tmp/procmon-net-fixture
rm -f "/tmp/procmon-net-fixture/listen sock here" /tmp/procmon-net-fixture/dgram-*

mkfifo /tmp/procmon-net-fixture/hold-node /tmp/procmon-net-fixture/hold-py
setpriv --reuid=65534 --regid=65534 --clear-groups node test/net-sockets.mjs \
  </tmp/procmon-net-fixture/hold-node >/tmp/procmon-net-fixture/node.out &
python3 test/net-sockets.py </tmp/procmon-net-fixture/hold-py >/tmp/procmon-net-fixture/py.out &
exec 3>/tmp/procmon-net-fixture/hold-node 4>/tmp/procmon-net-fixture/hold-py
until grep -q ready /tmp/procmon-net-fixture/node.out && grep -q ready /tmp/procmon-net-fixture/py.out; do
  sleep 0.1
done
node_pid=$(cut -d' ' -f2 /tmp/procmon-net-fixture/node.out)
py_pid=$(cut -d' ' -f2 /tmp/procmon-net-fixture/py.out)
for table in tcp tcp6 udp udp6 raw raw6 udplite udplite6 unix; do
  cat "/proc/$node_pid/net/$table" >"$out/live-$table"
done
ls -l "/proc/$node_pid/fd" | sed -n 's/.* \([0-9]*\) -> socket:\[\([0-9]*\)\]$/\1 \2/p' >"$out/live-fds-node.txt"
ls -l "/proc/$py_pid/fd" | sed -n 's/.* \([0-9]*\) -> socket:\[\([0-9]*\)\]$/\1 \2/p' >"$out/live-fds-python.txt"
exec 3>&- 4>&-
wait
rm -rf /tmp/procmon-net-fixture
