"""Migration 0007 makes the same two tables as the models, and the built-in plugin row switched off."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db

TABLES = {"webauthn_credentials", "webauthn_challenges"}


def _mine(obj, name, type_, reflected, compare_to) -> bool:
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table in TABLES


def _mine_by_name(name, type_, parent_names) -> bool:
    if type_ == "schema":
        return True
    return name in TABLES if type_ == "table" else parent_names.get("table_name") in TABLES


@pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")  # migrations/env.py's own
# Going down past later migrations that drop a users column rebuilds that table on SQLite (they restore the one
# expression index reflection skips).
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_upgrade_matches_the_models_and_downgrade_removes_them(tmp_path, monkeypatch):
    # migrations/env.py reconfigures logging from alembic.ini (silencing the portal's loggers for the tests after
    # this one): not here.
    monkeypatch.setattr("logging.config.fileConfig", lambda *args, **kwargs: None)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.db'}")
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": _mine, "include_name": _mine_by_name})
            assert compare_metadata(context, db.metadata) == []
            assert conn.execute(text("SELECT installed, active FROM plugins WHERE key = 'webauthn'")).one() == (1, 0)
            assert conn.execute(text("SELECT name FROM plugin_instances WHERE plugin_key = 'webauthn'")).scalar() \
                == "Security key or passkey"
        downgrade(revision="0006_pending_registrations")
        assert TABLES.isdisjoint(inspect(db.engine).get_table_names())
