"""The migrations, run as a deploy runs them (`flask db upgrade`), make exactly the schema the models describe, and
go all the way down and up again (on SQLite here; tests/system upgrades a fresh PostgreSQL database the same way)."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db


@pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")  # migrations/env.py's own
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_upgrade_to_head_makes_the_models_schema_and_down_and_up_again(tmp_path, monkeypatch):
    # migrations/env.py reconfigures logging from alembic.ini (which would silence the portal's loggers for later
    # tests): not here.
    monkeypatch.setattr("logging.config.fileConfig", lambda *args, **kwargs: None)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.db'}")
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
