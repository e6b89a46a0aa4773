"""The real servers the system suite and the benchmarks start: gunicorn, a throwaway PostgreSQL cluster, a
database of our own on a shared server, SMTP servers that accept, refuse or hang.

A server's readiness is polled in short steps; no test result depends on how long anything takes.
"""
import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from cryptography.fernet import Fernet

from .cpu_meter import CpuMeter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED_PG = os.environ.get("SYSTEM_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SYSTEM_REDIS_URL", "redis://127.0.0.1:6379/9")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, what: str, tries: int = 600, pause: float = 0.05):
    """Poll `check()` until it is truthy (readiness of a server we started), or fail saying what never came."""
    for _ in range(tries):
        result = check()
        if result:
            return result
        time.sleep(pause)
    raise RuntimeError(f"gave up waiting for {what}")


def new_keys() -> dict:
    """What a deployment must be given, for one run: keys generated now (never written into the repository), the
    public address, and the security keys' relying party, set apart from the address because a server started with
    these sets its own, which is an IP address (never a relying party)."""
    return {"SECRET_KEY": secrets.token_urlsafe(32), "PORTAL_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "PORTAL_URL": "http://localhost", "WEBAUTHN_RP_ID": "localhost", "WEBAUTHN_ORIGINS": "http://localhost"}


# ---------------------------------------------------------------------------------------------- PostgreSQL

def pg_reachable(url: str) -> bool:
    import psycopg
    try:
        psycopg.connect(url.replace("+psycopg", ""), connect_timeout=3).close()
        return True
    except psycopg.Error:
        return False


class PgCluster:
    """A throwaway PostgreSQL cluster (initdb + pg_ctl) on a free port, removed by stop()."""

    def __init__(self):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in p.split("/")[-2].split(".")])
        if not bins:
            raise RuntimeError("PostgreSQL server binaries are not installed (apt-get install postgresql)")
        self.bin = bins[-1]
        self.dir = tempfile.mkdtemp(prefix="portal-pg-")
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._run("initdb", "-D", f"{self.dir}/data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale")
        self.start()

    def _run(self, tool, *args):
        cmd = [os.path.join(self.bin, tool), *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.dir, "postgres")
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self):
        self._run("pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/log", "-w", "-o",
                  f"-k {self.dir} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
                  f"-c max_connections=200", "start")

    def stop(self, mode: str = "fast"):
        self._run("pg_ctl", "-D", f"{self.dir}/data", "-m", mode, "-w", "stop")

    def remove(self):
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class PgDatabase:
    """A fresh database of its own on a PostgreSQL server (the machine's, or a throwaway cluster when the
    machine's URL points nowhere). `url` is what DATABASE_URL gets."""

    def __init__(self, server_url: str | None = None, prefix: str = "portal_sys"):
        import psycopg
        self.cluster = None
        server_url = server_url or SHARED_PG
        if not pg_reachable(server_url):
            self.cluster = PgCluster()
            server_url = self.cluster.url
        self.name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
        self._admin = server_url.replace("+psycopg", "")
        with psycopg.connect(self._admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.url = server_url.rsplit("/", 1)[0] + "/" + self.name

    def drop(self):
        import psycopg
        try:
            with psycopg.connect(self._admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            if self.cluster:
                self.cluster.remove()


# ---------------------------------------------------------------------------------------------- gunicorn

@dataclass
class Gunicorn:
    """The portal (or any WSGI app) under gunicorn: `Gunicorn(env, app="wsgi:app", workers=4).start()`."""

    env: dict
    app: str = "wsgi:app"
    workers: int = 4
    cwd: str = ROOT
    extra_args: list = field(default_factory=list)

    def __post_init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1]
        self.proc = None
        self.meter = None

    def start(self, ready_path: str = "/agent/login"):
        env = {**os.environ, **self.env}
        self.meter = CpuMeter()  # this server's own, for cpu_seconds()
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
                 "--preload", "--no-control-socket", "--timeout", "60", *self.extra_args, self.app],
                cwd=self.cwd, env=env, stdout=log, stderr=log, start_new_session=True, preexec_fn=self.meter.enter)
        wait_until(lambda: self._ready(ready_path), f"gunicorn on {self.url} (log: {self.log_path})", tries=400)
        wait_until(lambda: len(self.worker_pids()) == self.workers, "all gunicorn workers", tries=400)
        return self

    def _ready(self, path: str) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log()}")
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as r:
                return r.status < 500
        except urllib.error.HTTPError as e:
            return e.code < 500
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        children = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(stat) as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:  # field 4: ppid
                children.append(int(stat.split("/")[2]))
        return children

    def cpu_seconds(self) -> float:
        """CPU time of the master, every worker and every thread they started, from the kernel's own accounting
        (tests/system/cpu_meter.py: exact in a control group of the server's own, else in clock ticks)."""
        return self.meter.seconds([self.proc.pid, *self.worker_pids()])

    def log(self) -> str:
        with open(self.log_path, errors="replace") as fh:
            return fh.read()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.meter:
            self.meter.close()
        try:
            os.unlink(self.log_path)
        except OSError:
            pass


def flask_cli(env: dict, *args: str) -> str:
    """`flask --app wsgi ...` with the given environment, as an operator would run it."""
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                            env={**os.environ, **env}, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# ---------------------------------------------------------------------------------------------- SMTP

class SmtpSink:
    """A real SMTP server (aiosmtpd) that keeps every message it accepts."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        self.messages = []
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        self.port = self.controller.port

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[str]:
        """The text of every message sent to `address`, oldest first."""
        import email
        from email import policy
        with self._lock:
            envelopes = [e for e in self.messages if address in e.rcpt_tos]
        texts = []
        for envelope in envelopes:
            message = email.message_from_bytes(envelope.content, policy=policy.default)
            part = message.get_body(preferencelist=("plain",))
            texts.append(f"Subject: {message['subject']}\n\n{part.get_content() if part else ''}")
        return texts

    def stop(self):
        self.controller.stop()


class HangingSmtp:
    """A mail server that accepts the connection and then never says a word (no SMTP greeting)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)  # held open, silent

    def stop(self):
        self.sock.close()
        for conn in self.accepted:
            conn.close()
