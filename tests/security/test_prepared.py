"""portal.prepared sends what `connection.execute` would: the same SQL, the same values bound (a datetime in the
database's own form, the statement's own literals), the same rows changed. On SQLite and PostgreSQL."""
from datetime import datetime

import pytest
from sqlalchemy import bindparam, event, insert, select, update

from portal.extensions import db
from portal.models import SecurityEvent, User
from portal.prepared import Prepared
from portal.security_log import INSERT_WITHIN, event_row, within_params
from portal.twofactor import lockout, login, totp

AT = datetime(2026, 3, 1, 9, 0, 0, 123456)
_users = User.__table__


@pytest.fixture
def sent(app):
    """Each (SQL, parameters) the driver is handed, in order."""
    with app.app_context():
        log = []

        def record(conn, cursor, statement, parameters, context, executemany):
            log.append((statement, parameters if isinstance(parameters, (tuple, dict)) else tuple(parameters)))

        event.listen(db.engine, "before_cursor_execute", record)
        yield log
        event.remove(db.engine, "before_cursor_execute", record)


def one_account(connection) -> int:
    return connection.execute(insert(_users).values(email="p@example.com", name="P", kind="agent",
                                                    password_hash="x", created_at=AT, session_version=1,
                                                    failure_count=3, admin_locked=False)
                              .returning(_users.c.id)).scalar_one()


def statements_of_the_quick_way(account_id: int):
    admit, params = lockout.admission(User(id=account_id), login.signed_in_now(AT), AT)
    event_params = within_params(event_row("login.success", account_id, at=AT, how="totp"))
    params = {**params, **event_params, "authenticator_id": 999, "step": 7, "used_at": AT, "pending_id": "gone"}
    return [admit, totp.CLAIM_STEP, login.CLAIM_PENDING, INSERT_WITHIN], params


def test_each_write_of_the_quick_way_is_sent_as_execute_sends_it(app, sent):
    with app.app_context(), db.engine.connect() as connection:
        account_id = one_account(connection)
        statements, params = statements_of_the_quick_way(account_id)
        for statement in statements:
            sent.clear()
            through_execute = connection.execute(statement, params).rowcount
            by_execute = list(sent)
            sent.clear()
            prepared = Prepared(statement)
            rowcounts = [prepared.execute(connection, params).rowcount for _ in range(2)]  # compiled once, used twice
            assert sent == by_execute * 2
            if statement is not INSERT_WITHIN:  # (SQLAlchemy reports no row count for an INSERT on PostgreSQL)
                assert rowcounts == [through_execute] * 2
        connection.rollback()


def test_values_reach_the_database_as_execute_writes_them(app):
    """Written by Prepared, read back through SQLAlchemy: the stamp is the same datetime (SQLite keeps text)."""
    with app.app_context(), db.engine.connect() as connection:
        account_id = one_account(connection)
        admit, params = lockout.admission(User(id=account_id), login.signed_in_now(AT), AT)
        assert Prepared(admit).execute(connection, params).rowcount == 1
        row = connection.execute(select(_users.c.last_login_at, _users.c.failure_count, _users.c.next_attempt_at)
                                 .where(_users.c.id == account_id)).one()
        assert tuple(row) == (AT, 0, None)  # the statement's own literals (the refund) went with it
        Prepared(INSERT_WITHIN).execute(connection, within_params(event_row("login.success", account_id, at=AT)))
        stored = connection.execute(select(SecurityEvent.__table__.c.created_at)
                                    .where(SecurityEvent.__table__.c.user_id == account_id)).scalar_one()
        assert stored == AT
        connection.rollback()


def test_a_missing_parameter_is_refused_before_anything_is_sent(app, sent):
    with app.app_context(), db.engine.connect() as connection:
        with pytest.raises(KeyError):
            Prepared(totp.CLAIM_STEP).execute(connection, {"authenticator_id": 1, "step": 3})
        assert sent == []


def test_expanding_parameters_are_refused(app):
    statement = update(_users).where(_users.c.id.in_(bindparam("ids", expanding=True))).values(failure_count=0)
    with app.app_context(), db.engine.connect() as connection:
        with pytest.raises(ValueError):
            Prepared(statement).execute(connection, {"ids": [1]})
