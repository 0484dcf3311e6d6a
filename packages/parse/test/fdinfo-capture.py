#!/usr/bin/env python3
# Captures the /proc/self/fdinfo fixtures of test/fixtures/fdinfo/ from descriptors opened with
# known flags, and prints what each one was opened with (the truth the tests are written from).
import ctypes, os, select, sys, tempfile

out = sys.argv[1] if len(sys.argv) > 1 else "fixtures/fdinfo"
libc = ctypes.CDLL(None, use_errno=True)

def save(name, fd, how):
    with open(f"/proc/self/fdinfo/{fd}", "rb") as f:
        data = f.read()
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
    print(f"== {name}: {how}\n{data.decode()}")

tmp = tempfile.mkdtemp()
path = os.path.join(tmp, "log")
with open(path, "wb") as f:
    f.write(b"0123456789")

# A regular file: write-only, append, non-blocking, close-on-exec; 4 bytes written to it.
fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | os.O_CLOEXEC)
os.write(fd, b"abcd")
save("regular-wronly-append-nonblock-cloexec", fd, "O_WRONLY|O_APPEND|O_NONBLOCK|O_CLOEXEC (the kernel adds O_LARGEFILE), 4 bytes appended to 10")

# Read-write, positioned at 3, without close-on-exec.
fd2 = os.open(path, os.O_RDWR)
os.lseek(fd2, 3, os.SEEK_SET)
save("regular-rdwr-pos-3", fd2, "O_RDWR (Python adds O_CLOEXEC, the kernel O_LARGEFILE), lseek to 3")

# An eventfd holding the count 5.
efd = os.eventfd(5, os.EFD_CLOEXEC)
save("eventfd-count-5", efd, "eventfd(5, EFD_CLOEXEC)")

# An inotify fd watching the temporary folder.
ifd = libc.inotify_init1(os.O_CLOEXEC | os.O_NONBLOCK)
wd = libc.inotify_add_watch(ifd, tmp.encode(), 0x00000100 | 0x00000200)  # IN_CREATE|IN_DELETE
save("inotify-one-watch", ifd, f"inotify_init1(IN_CLOEXEC|IN_NONBLOCK), watch {wd} on a folder, mask IN_CREATE|IN_DELETE (0x300)")

# An epoll fd watching the eventfd for EPOLLIN.
ep = select.epoll()
ep.register(efd, select.EPOLLIN)
save("epoll-one-target", ep.fileno(), f"epoll watching fd {efd} for EPOLLIN (1)")
