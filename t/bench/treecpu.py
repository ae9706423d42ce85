#!/usr/bin/python3
"""treecpu.py PID...: the CPU seconds (user + system) spent so far by each
PID's process tree, summed: the process, its live descendants, and every
descendant already reaped (their time is in their parent's cutime/cstime).
The difference of two readings is what the tree spent in between, also for
a process that lives on (an sshd session of a kept connection).
"""
import os
import sys

TICK = os.sysconf("SC_CLK_TCK")


def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "
    return int(fields[1]), sum(int(v) for v in fields[11:15])  # ppid, u+s+cu+cs


children = {}
cpu = {}
for name in os.listdir("/proc"):
    if not name.isdigit():
        continue
    try:
        ppid, ticks = stat(name)
    except (OSError, ValueError, IndexError):
        continue  # gone meanwhile
    cpu[int(name)] = ticks
    children.setdefault(ppid, []).append(int(name))

total = 0
todo = [int(p) for p in sys.argv[1:]]
while todo:
    pid = todo.pop()
    total += cpu.get(pid, 0)
    todo.extend(children.get(pid, []))
print("%.2f" % (total / TICK))
