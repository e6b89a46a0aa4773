"""Which language a signed-out page is in: the footer switcher's choice, else the browser's Accept-Language."""
import re


def _lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_accept_language_picks_the_page_language(client):
    assert _lang(client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})) == "de"
    assert _lang(client.get("/login", headers={"Accept-Language": "fr-CA"})) == "fr"
    assert _lang(client.get("/login", headers={"Accept-Language": "ja"})) == "en"
    assert _lang(client.get("/login")) == "en"


def test_footer_switcher_sets_a_cookie_that_wins_over_the_browser(client):
    page = client.get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    footer = re.search(r"<footer.*?</footer>", page, re.S).group(0)
    assert 'aria-current="true" lang="de"' in footer
    link = re.search(r'href="(/language/fr[^"]*)"', footer).group(1).replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert _lang(client.get("/login", headers={"Accept-Language": "de"})) == "fr"


def test_switcher_never_leaves_the_site_and_ignores_unknown_languages(client):
    response = client.get("/language/de?next=//evil.example/")
    assert response.status_code == 302 and "evil" not in response.headers["Location"]
    response = client.get("/language/xx?next=/login")
    assert "portal_language" not in response.headers.get("Set-Cookie", "")


def test_a_token_in_the_address_never_travels_in_the_switcher_links(client):
    page = client.get("/reset-password/abcdefghijklmnopqrstuvwxyz0123456789").get_data(as_text=True)
    footer = re.search(r"<footer.*?</footer>", page, re.S).group(0)
    assert "abcdefghijklmnopqrstuvwxyz" not in footer and 'href="/language/de"' in footer
