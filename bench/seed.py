"""Databases for the benchmark, made as an operator would (`flask db upgrade`) and filled fast, in bulk:
COPY on PostgreSQL, one executemany transaction on SQLite.

User ids 1..agents are agents with a confirmed authenticator app (id 1 is also an admin); the rest are end
users. Every authenticator holds the same secret (encrypted once with the run's key): what makes each flow
fresh is that it is another person's authenticator row, so the replay guard never trips. The floor app's tables
hold the agents again (email, password hash, the clear secret). Where asked (`fst`), Flask-Security-Too's tables
(bench/fst_app.py) hold the agents too, with FST's own password hash and an authenticator secret made by FST's
`Totp` class, the same for everyone, as its primary (and only) second factor.
"""
import os
import sqlite3
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import create_engine

from bench.floor_app import metadata as floor_metadata
from tests.system.servers import PgDatabase, flask_cli


def stored_secret(keys: dict, secret: str, for_older: bool = False) -> str:
    """The authenticators' secret as the portal stores it, with the run's PORTAL_ENCRYPTION_KEYS. `for_older`: as a
    Fernet token, the form stored before 2026-12-02, which every version reads (for a run beside an older
    revision; this tree then decrypts it the older, slower way too)."""
    from cryptography.fernet import Fernet

    from portal.crypto import KeyRing, parse_keys
    key = parse_keys(keys["PORTAL_ENCRYPTION_KEYS"])[0]
    if for_older:
        return Fernet(key.strip().encode()).encrypt(secret.encode()).decode()
    return KeyRing([key]).encrypt(secret)


@dataclass
class FstPeople:
    """What FST's people get: its password hash (production cost) and its stored TOTP secret."""
    password_hash: str
    totp_secret: str


@dataclass
class BenchDatabase:
    kind: str  # "sqlite" or "postgresql"
    users: int
    agents: int
    url: str
    handle: object = None  # PgDatabase, or the SQLite file's directory
    fst: bool = False  # Flask-Security-Too's tables made and filled

    def drop(self):
        if isinstance(self.handle, PgDatabase):
            self.handle.drop()
        elif self.handle:
            import shutil
            shutil.rmtree(self.handle, ignore_errors=True)


def _row_defaults(table) -> dict:
    """What each column gets when we don't say: its scalar default, else NULL (failing loudly if NOT NULL)."""
    values = {}
    for column in table.columns:
        if column.default is not None and getattr(column.default, "is_scalar", False):
            values[column.name] = column.default.arg
        elif column.nullable or column.primary_key:
            values[column.name] = None
        else:
            values[column.name] = KeyError(column.name)
    return values


def _rows(table, count: int, make):
    defaults, names = _row_defaults(table), [c.name for c in table.columns]
    for i in range(1, count + 1):
        row = {**defaults, **make(i)}
        missing = [k for k, v in row.items() if isinstance(v, KeyError)]
        if missing:
            raise RuntimeError(f"no value for NOT NULL column(s) {missing} of {table.name}")
        yield tuple(row[n] for n in names)


def create(kind: str, users: int, agents: int, env: dict, secret: str, secret_enc: str, password_hash: str,
           totp_instance: int = 1, fst: FstPeople | None = None) -> BenchDatabase:
    if kind == "postgresql":
        handle = PgDatabase(prefix=f"portal_bench_{users}")
        url = handle.url
    else:
        handle = tempfile.mkdtemp(prefix=f"portal-bench-{users}-")
        url = f"sqlite:///{os.path.join(handle, 'portal.db')}"
    database = BenchDatabase(kind, users, min(agents, users), url, handle)
    flask_cli({**env, "DATABASE_URL": url}, "db", "upgrade")
    engine = create_engine(url)
    floor_metadata.create_all(engine)
    if fst:
        from bench.fst_app import db as fst_db
        fst_db.metadata.create_all(engine)
        database.fst = True
    engine.dispose()

    from portal.models import Authenticator, User
    now = datetime(2026, 1, 1)
    n_agents = database.agents

    def user(i):
        agent = i <= n_agents
        return {"id": i, "email": f"u{i:07d}@example.com", "name": f"Person {i:07d}",
                "password_hash": password_hash, "kind": "agent" if agent else "end_user", "is_admin": i == 1,
                "enforce_2fa": False, "skip_forfeited": False, "session_version": 1, "created_at": now,
                "failure_count": 0, "admin_locked": False}

    def authenticator(i):
        return {"id": i, "user_id": i, "method": "totp", "instance_id": totp_instance, "name": "Phone",
                "secret_enc": secret_enc, "is_default": True, "created_at": now, "confirmed_at": now}

    def floor(i):
        return {"id": i, "user_id": i, "secret": secret}

    def floor_user(i):
        return {"id": i, "email": f"u{i:07d}@example.com", "password_hash": password_hash}

    tables = [(User.__table__, users, user), (Authenticator.__table__, n_agents, authenticator),
              (floor_metadata.tables["floor_authenticators"], n_agents, floor),
              (floor_metadata.tables["floor_users"], n_agents, floor_user)]
    if fst:
        from bench.fst_app import User as FstUser

        def fst_user(i):
            return {"id": i, "email": f"u{i:07d}@example.com", "password": fst.password_hash, "active": True,
                    "fs_uniquifier": uuid.uuid4().hex, "tf_primary_method": "authenticator",
                    "tf_totp_secret": fst.totp_secret}
        tables.append((FstUser.__table__, n_agents, fst_user))
    if kind == "postgresql":
        _copy_postgresql(url, tables)
    else:
        _insert_sqlite(url, tables)
    return database


def set_password_hash(database: BenchDatabase, user_ids, password_hash: str, fst_password_hash: str | None = None):
    """Give these people another stored password hash (the benchmark's cheapest-hash sign-ins): in the portal's
    and the floor's tables, and in FST's (its own format) when given."""
    from portal.models import User
    ids = list(user_ids)
    updates = [(User.__table__, "password_hash", password_hash),
               (floor_metadata.tables["floor_users"], "password_hash", password_hash)]
    if fst_password_hash and database.fst:
        from bench.fst_app import User as FstUser
        updates.append((FstUser.__table__, "password", fst_password_hash))
    engine = create_engine(database.url)
    try:
        with engine.begin() as conn:
            for table, column, value in updates:
                conn.execute(table.update().where(table.c.id.in_(ids)).values({column: value}))
    finally:
        engine.dispose()


def _copy_postgresql(url: str, tables):
    import psycopg
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        for table, count, make in tables:
            names = ", ".join(f'"{c.name}"' for c in table.columns)
            with conn.cursor().copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in _rows(table, count, make):
                    copy.write_row(row)
            conn.execute(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), {count})")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


def _insert_sqlite(url: str, tables):
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        for table, count, make in tables:
            names = ", ".join(f'"{c.name}"' for c in table.columns)
            marks = ", ".join("?" for _ in table.columns)
            conn.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
                             (tuple(v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v
                                    for v in row) for row in _rows(table, count, make)))
        conn.commit()
        conn.execute("ANALYZE")
    finally:
        conn.close()
