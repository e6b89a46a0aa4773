"""CPU time the kernel charged a server: every process it forks and every thread they start, including the ones
that have already ended (argon2id hashes on four threads that end with the hash).

Where this machine lets us make a control group (cgroup v1 `cpuacct` or cgroup v2), the server starts in one of
its own and the meter reads that group's usage in nanoseconds (microseconds on v2): exact, and it keeps the CPU of
threads and processes that have exited. Elsewhere it sums utime + stime of the given processes from
/proc/<pid>/stat, which include ended threads but come in 10 ms clock ticks (each reading up to a tick short per
process). A thread's own scheduler runtime (/proc/<pid>/task/<tid>/schedstat) is exact too, but a thread that has
ended takes its share with it, so it only serves processes that never start threads (`thread_runtime_seconds`).
"""
import os
import secrets
import subprocess
import time

_CGROUPS = (("/sys/fs/cgroup/cpuacct", "cpuacct.usage", 1e-9),  # cgroup v1, nanoseconds
            ("/sys/fs/cgroup/unified", "cpu.stat", 1e-6),  # cgroup v2 beside v1 (hybrid), usage_usec
            ("/sys/fs/cgroup", "cpu.stat", 1e-6))  # cgroup v2 alone
_SCHEDSTAT = os.path.exists("/proc/self/schedstat")  # each thread's runtime (a kernel with CONFIG_SCHED_INFO)


class CpuMeter:
    """`meter = CpuMeter(); Popen(..., preexec_fn=meter.enter)`; `meter.seconds(pids)`; `meter.close()`."""

    def __init__(self, use_cgroup: bool = True):
        self.path, self._file, self._unit = None, None, None
        for root, usage, unit in _CGROUPS if use_cgroup else ():
            path = os.path.join(root, f"portal-cpu-{os.getpid()}-{secrets.token_hex(4)}")
            try:
                os.mkdir(path)
            except OSError:
                continue
            self.path, self._file, self._unit = path, os.path.join(path, usage), unit
            if os.path.exists(self._file) and self._can_enter():
                break
            self.path = None
            _remove(path)

    @property
    def exact(self) -> bool:
        return self.path is not None

    def enter(self) -> None:
        """Run in the child between fork and exec (`preexec_fn`): it and everything it starts are measured."""
        if self.path:
            with open(os.path.join(self.path, "cgroup.procs"), "w") as fh:
                fh.write(str(os.getpid()))

    def seconds(self, pids) -> float:
        """CPU seconds so far: of the group, or (without one) of these processes."""
        if self.path:
            with open(self._file) as fh:
                text = fh.read()
            if self._file.endswith("cpu.stat"):
                text = next(line.split()[1] for line in text.splitlines() if line.startswith("usage_usec"))
            return int(text) * self._unit
        return sum(process_ticks_seconds(pid) for pid in pids)

    def _can_enter(self) -> bool:
        """Whether a process may join the group: a sandbox may let us make one and not use it."""
        try:
            subprocess.run(["true"], preexec_fn=self.enter, check=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return False
        return True

    def close(self) -> None:
        """Remove the group once its processes have ended (a moment after their parent, at most a few seconds)."""
        if self.path:
            for _ in range(50):
                if _remove(self.path):
                    break
                time.sleep(0.1)
            self.path = None


def process_ticks_seconds(pid: int) -> float:
    """utime + stime of a process and all its threads, ended ones included, in clock ticks (0.0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # fields 14, 15: utime, stime


def thread_runtime_seconds(pid: int) -> float:
    """The scheduler's runtime of a process's live threads, to the nanosecond (0.0 once it is gone): exact for a
    process that never starts threads, such as a PostgreSQL backend; clock ticks on a kernel without schedstat."""
    if not _SCHEDSTAT:
        return process_ticks_seconds(pid)
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0
    total = 0
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as fh:
                total += int(fh.read().split()[0])
        except OSError:  # the thread ended between the listing and the read
            continue
    return total / 1e9


def _remove(path: str) -> bool:
    try:
        os.rmdir(path)
    except FileNotFoundError:
        return True
    except OSError:  # still holds a process
        return False
    return True
