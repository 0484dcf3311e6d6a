# Provokes one proc connector event of each kind, for test/capture-fixtures.mjs and the live
# tests: prints one JSON line of the facts (pids, codes, names) known here, without the decoder.
import ctypes, json, os, resource, signal, sys, time

libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NAME, PTRACE_ATTACH, PTRACE_DETACH = 15, 16, 17
facts = {'pid': os.getpid()}


def child(body):
    pid = os.fork()
    if pid == 0:
        try:
            body()
        finally:
            os._exit(0)
    return pid


libc.prctl(PR_SET_NAME, b'fixture-comm', 0, 0, 0)
facts['comm'] = 'fixture-comm'

facts['exit3'] = child(lambda: os._exit(3))
os.waitpid(facts['exit3'], 0)

def killed():
    os.kill(os.getpid(), signal.SIGKILL)
facts['killed'] = child(killed)
os.waitpid(facts['killed'], 0)

facts['setsid'] = child(lambda: os.setsid())
os.waitpid(facts['setsid'], 0)

def drop_ids():
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65533, 65533, 65533)
facts['ids'] = child(drop_ids)
os.waitpid(facts['ids'], 0)

facts['exec'] = child(lambda: os.execv('/bin/true', ['true']))
os.waitpid(facts['exec'], 0)

r, w = os.pipe()
def wait_for_trace():
    os.close(w)
    os.read(r, 1)
facts['traced'] = child(wait_for_trace)
os.close(r)
if libc.ptrace(PTRACE_ATTACH, facts['traced'], 0, 0) != 0:
    facts['ptrace_error'] = ctypes.get_errno()
else:
    os.waitpid(facts['traced'], 0)
    libc.ptrace(PTRACE_DETACH, facts['traced'], 0, 0)
os.close(w)
os.waitpid(facts['traced'], 0)

def dump_core():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.kill(os.getpid(), signal.SIGQUIT)
facts['cored'] = child(dump_core)
facts['cored_status'] = os.waitpid(facts['cored'], 0)[1]

print(json.dumps(facts), flush=True)
