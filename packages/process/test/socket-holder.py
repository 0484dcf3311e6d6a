# A process that holds a TCP listener, for the socket holder tests. It prints one JSON line per
# step on stdout and exits when stdin closes (a forked or receiving child exits with it).
#   listen  a listener: {"pid", "fd", "inode", "port"}
#   fork    a listener, then os.fork(): {"pid", "child", "fd", "inode"} (the child holds it too)
#   pass    a child waiting on a unix socket pair, then a listener only the parent holds:
#           {"pid", "child", "fd", "inode"}; stdin "send" passes it to the child (SCM_RIGHTS):
#           {"childFd"}; stdin "close" closes the parent's own: {"closed": true}
#   timewait  a listener and a connection this process closed first (its side is in TIME_WAIT,
#           with no descriptor): {"pid", "fd", "inode", "port", "clientPort"}
#   exec    a listener (close-on-exec, as Python makes every socket): {"pid", "fd", "inode",
#           "port"}; stdin "exec" replaces the program with `sleep 600` (the listener closes)
import json
import os
import socket
import sys


def say(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def listener():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    return sock


def wait_for_eof(fd):
    while os.read(fd, 4096):
        pass


mode = sys.argv[1]
if mode == "listen":
    sock = listener()
    say(pid=os.getpid(), fd=sock.fileno(), inode=os.fstat(sock.fileno()).st_ino,
        port=sock.getsockname()[1])
    wait_for_eof(0)
elif mode == "fork":
    sock = listener()
    ready_r, ready_w = os.pipe()
    done_r, done_w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(done_w)
        os.close(ready_r)
        os.write(ready_w, b"1")
        wait_for_eof(done_r)
        os._exit(0)
    os.close(done_r)
    os.close(ready_w)
    os.read(ready_r, 1)
    say(pid=os.getpid(), child=child, fd=sock.fileno(), inode=os.fstat(sock.fileno()).st_ino)
    wait_for_eof(0)
elif mode == "pass":
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    child = os.fork()
    if child == 0:
        mine.close()
        while True:
            message, fds, _, _ = socket.recv_fds(theirs, 16, 4)
            if not message:
                os._exit(0)
            theirs.sendall(str(fds[0]).encode())
    theirs.close()
    sock = listener()
    say(pid=os.getpid(), child=child, fd=sock.fileno(), inode=os.fstat(sock.fileno()).st_ino)
    for line in sys.stdin:
        if line.strip() == "send":
            socket.send_fds(mine, [b"x"], [sock.fileno()])
            say(childFd=int(mine.recv(16)))
        elif line.strip() == "close":
            sock.close()
            say(closed=True)
elif mode == "timewait":
    sock = listener()
    client = socket.create_connection(sock.getsockname())
    accepted, _ = sock.accept()
    client_port = client.getsockname()[1]
    client.close()
    accepted.recv(1)
    accepted.close()
    say(pid=os.getpid(), fd=sock.fileno(), inode=os.fstat(sock.fileno()).st_ino,
        port=sock.getsockname()[1], clientPort=client_port)
    wait_for_eof(0)
elif mode == "exec":
    sock = listener()
    assert not sock.get_inheritable()
    say(pid=os.getpid(), fd=sock.fileno(), inode=os.fstat(sock.fileno()).st_ino,
        port=sock.getsockname()[1])
    for line in sys.stdin:
        if line.strip() == "exec":
            os.execv("/bin/sleep", ["sleep", "600"])
else:
    sys.exit("unknown mode " + mode)
