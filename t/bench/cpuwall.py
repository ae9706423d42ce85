#!/usr/bin/python3
"""cpuwall.py CMD...: run CMD, append "WALL USER SYS" (seconds) to
$CPUWALL_OUT.

It makes itself a child subreaper, so the CPU of every process CMD starts
counts, also of those that leave their parent (ssh's ControlPersist master
daemonizes): after CMD exits it reaps its orphans for up to LINGER seconds
(default 2; a --persist master that outlives the run is not waited for, and
its CPU is not counted). Exit status: CMD's.
"""
import ctypes
import os
import resource
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
t0 = time.monotonic()
rc = subprocess.call(sys.argv[1:])
wall = time.monotonic() - t0
deadline = time.monotonic() + float(os.environ.get("LINGER", "2"))
while time.monotonic() < deadline:
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break
    if pid == 0:
        time.sleep(0.02)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(os.environ["CPUWALL_OUT"], "a") as out:
    out.write("%.3f %.3f %.3f\n" % (wall, ru.ru_utime, ru.ru_stime))
sys.exit(rc)
