"""The database going away in the instant between a request's last statement and its end: the answer already
made is sent, the failed ROLLBACK that ends the session is logged, and the next request is served."""
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.conftest import page_text
from tests.security.helpers import enrolled_agent, signed_in_agent


def test_a_database_gone_while_a_request_ends_is_logged_not_a_500(person, client, monkeypatch, caplog):
    secret, _ = enrolled_agent(person)
    signed_in_agent(person, secret)
    real_close = Session.close

    def dead_close(self):  # what psycopg raises when PostgreSQL was shut down under an open transaction
        monkeypatch.setattr(Session, "close", real_close)
        raise OperationalError("ROLLBACK", {}, Exception("terminating connection due to administrator command"))

    monkeypatch.setattr(Session, "close", dead_close)
    r = client.get("/agent/")
    assert r.status_code == 200 and "Welcome, Sam Agent" in page_text(r)
    assert "database unavailable while ending a request: OperationalError" in caplog.text
    assert "administrator command" not in caplog.text  # the driver's words stay out of the log line
    assert client.get("/agent/").status_code == 200
