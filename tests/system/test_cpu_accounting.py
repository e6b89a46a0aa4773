"""How the benchmark and the system tests read a server's CPU time (tests/system/cpu_meter.py): what the kernel
charged it, with the threads it started and ended (argon2id hashes on four threads) and the processes it forked
(gunicorn's workers), and nothing once a process is gone."""
import subprocess
import sys

import pytest

from .cpu_meter import CpuMeter, process_ticks_seconds, thread_runtime_seconds

# Burns CPU in a thread that ends (unless told "alone"), in a forked child that exits, and in itself; prints its
# own CPU clock (which counts its ended threads, not the child), then sleeps, using no CPU, until the test has read
# the kernel's figure.
BURN = """
import os, sys, threading, time
def burn(seconds, clock=time.thread_time):
    end = clock() + seconds
    while clock() < end:
        pass
if sys.argv[1:] != ["alone"]:
    thread = threading.Thread(target=burn, args=(0.1,)); thread.start(); thread.join()
child = os.fork()
if child == 0:
    burn(0.1, time.process_time)
    os._exit(0)
os.waitpid(child, 0)
burn(0.05, time.process_time)
print(repr(time.process_time()), flush=True)
sys.stdin.readline()
"""


def _run_burning(meter):
    process = subprocess.Popen([sys.executable, "-c", BURN], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               preexec_fn=meter.enter)
    try:
        own = float(process.stdout.readline())
        charged = meter.seconds([process.pid])
    finally:
        process.communicate("\n", timeout=30)
        meter.close()
    return own, charged


def test_a_servers_own_group_counts_its_ended_threads_and_its_children_exactly():
    meter = CpuMeter()
    if not meter.exact:
        pytest.fail("this machine lets no control group be made: the benchmark's CPU would be read in 10 ms ticks")
    own, charged = _run_burning(meter)
    assert own >= 0.15  # the ended thread's 0.1 s and its own 0.05 s
    # + the forked child's 0.1 s; the group starts after fork, before exec (a millisecond or two before `own` does)
    assert abs(charged - (own + 0.1)) < 0.01, (charged, own)


def test_without_a_group_the_processes_ticks_still_count_their_ended_threads():
    meter = CpuMeter(use_cgroup=False)
    own, charged = _run_burning(meter)
    assert not meter.exact
    assert abs(charged - own) <= 0.02 + 1e-9, (charged, own)  # up to two 10 ms ticks short or over (utime, stime)


def test_a_single_threads_runtime_to_the_microsecond():
    process = subprocess.Popen([sys.executable, "-c", BURN, "alone"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
    try:
        own = float(process.stdout.readline())
        charged = thread_runtime_seconds(process.pid)
    finally:
        process.communicate("\n", timeout=30)
    assert abs(charged - own) < 0.002, (charged, own)


def test_a_process_that_is_gone_has_used_nothing_more():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait(timeout=30)
    assert process_ticks_seconds(process.pid) == 0.0 and thread_runtime_seconds(process.pid) == 0.0
