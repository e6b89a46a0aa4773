"""The replay guard holds under concurrency, and a code from an independent TOTP tool signs in."""
import shutil
import subprocess
import threading

from tests.conftest import csrf_token


def pending_agent_with_totp(person):
    person.create()
    person.login()
    secret = person.setup_totp()
    person.post_from("/agent/", "/agent/logout", {})
    person.clock.advance(60)
    person.login()
    return secret


def test_two_threads_same_code_exactly_one_signs_in(app, person, client):
    secret = pending_agent_with_totp(person)
    page = client.get("/agent/login/verify")
    token, cookie = csrf_token(page), client.get_cookie("session").value
    code = person.code(secret)
    clients = [client, app.test_client()]
    clients[1].set_cookie("session", cookie)
    barrier = threading.Barrier(len(clients))
    results = []

    def submit(c):
        barrier.wait()
        r = c.post("/agent/login/verify", data={"csrf_token": token, "code": code})
        results.append((r.status_code, r.headers.get("Location"), c.get("/agent/").status_code))

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Exactly one lands on the console; the other is refused (replay) or finds the login already used.
    assert sorted(console for _, _, console in results) == [200, 302], results
    assert [loc for _, loc, _ in results].count("/agent/") == 1, results


def test_login_with_code_from_oathtool(person, client):
    assert shutil.which("oathtool"), "oathtool is installed by scripts/system-deps.sh"
    secret = pending_agent_with_totp(person)
    epoch = int((person.clock.now() - __import__("datetime").datetime(1970, 1, 1)).total_seconds())
    code = subprocess.run(["oathtool", "--totp", "-b", "--now", f"@{epoch}", secret],
                          capture_output=True, text=True, check=True).stdout.strip()
    r = person.post("/agent/login/verify", {"code": code})
    assert r.status_code == 302 and r.headers["Location"] == "/agent/"
    assert client.get("/agent/").status_code == 200
