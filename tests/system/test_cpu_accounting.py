"""The benchmark's and the system tests' reading of a server's CPU time (`process_cpu_seconds`): what the kernel
charged the process, to well under a clock tick, and nothing once it is gone."""
import subprocess
import sys

from .servers import process_cpu_seconds

BURN = """
import sys, time
end = time.process_time() + 0.15
while time.process_time() < end:
    pass
print(repr(time.process_time()), flush=True)
sys.stdin.readline()  # asleep, using no CPU, until the test has read the kernel's figure
"""


def test_reads_the_cpu_a_process_used_to_the_millisecond():
    child = subprocess.Popen([sys.executable, "-c", BURN], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        own = float(child.stdout.readline())
        charged = process_cpu_seconds(child.pid)
    finally:
        child.communicate("\n", timeout=30)
    # The child's own clock includes the interpreter's start-up, as the kernel's does; ticks would be 10 ms apart.
    assert own >= 0.15
    assert abs(charged - own) < 0.002, (charged, own)


def test_a_process_that_is_gone_has_used_nothing_more():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)
    assert process_cpu_seconds(child.pid) == 0.0
