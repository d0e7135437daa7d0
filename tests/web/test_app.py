"""The app's shell: health, errors in one JSON shape, strict headers, the public page frame."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pytest
from fastapi.testclient import TestClient

from tipline.app import create_app
from tipline.config import Settings
from tipline.errors import ConfigError


def test_healthz(http: httpx.Client) -> None:
    response = http.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize("path", ["/", "/help", "/console/login", "/healthz"])
def test_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-request-id"]


def test_public_pages_carry_quick_exit_and_crisis_help(client: TestClient) -> None:
    for path in ("/", "/help"):
        html = client.get(path).text
        assert 'id="quick-exit"' in html
        assert 'href="/help"' in html
        assert "988" in html
        assert "<script>" not in html  # no inline script: the CSP would block it anyway


class _Resources(HTMLParser):
    """Everything a page makes the browser fetch by itself, and every link that leaves."""

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []
        self.leaving: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "src" in a:
            self.fetched.append(a["src"])
        if tag == "link" and "href" in a:
            self.fetched.append(a["href"])
        if tag == "a" and a.get("href", "").startswith("http"):
            self.leaving.append((a["href"], a.get("rel", "")))


@pytest.mark.parametrize(
    "path", ["/", "/help", "/parents", "/report", "/report/follow-up", "/take-it-down"]
)
def test_pages_request_nothing_from_other_origins(client: TestClient, path: str) -> None:
    parser = _Resources()
    parser.feed(client.get(path).text)
    assert parser.fetched, "expected the page's own CSS and JS"
    assert all(url.startswith("/") and not url.startswith("//") for url in parser.fetched)
    # Links away are navigations the person chooses, and never tell the site where they came from.
    assert all("noreferrer" in rel for _, rel in parser.leaving)


def test_api_errors_share_one_json_shape(http: httpx.Client) -> None:
    for method, path in (("GET", "/api/v1/nope"), ("POST", "/api/v1/whoami")):
        response = http.request(method, path)
        assert 400 <= response.status_code < 500
        body = response.json()
        assert set(body) == {"error"}
        assert set(body["error"]) == {"code", "message"}


def test_unknown_page_is_an_html_404(client: TestClient) -> None:
    response = client.get("/no-such-page", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert 'id="quick-exit"' in response.text


def test_language_switch_is_remembered_and_stays_on_site(client: TestClient) -> None:
    response = client.get("/lang/es?next=//evil.example/", follow_redirects=False)
    assert response.headers["location"] == "/"
    assert "tipline_lang=es" in response.headers["set-cookie"]
    assert client.get("/").text.startswith('<!doctype html>\n<html lang="es">')


def test_accept_language_picks_the_page_language(client: TestClient) -> None:
    html = client.get("/", headers={"accept-language": "es-MX,es;q=0.9,en;q=0.5"}).text
    assert '<html lang="es">' in html
    html = client.get("/", headers={"accept-language": "fr, en;q=0.3"}).text
    assert '<html lang="en">' in html


def test_openapi_document_is_served(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/whoami" in doc["paths"]
    assert not any(p.startswith("/console") for p in doc["paths"])


def test_app_refuses_to_start_with_an_exposed_key(settings: Settings) -> None:
    settings.master_key_path.chmod(0o640)
    with pytest.raises(ConfigError):
        create_app(Settings(home=settings.home, database_url=settings.database_url))
