"""GraphiQL in a real browser: Debian's Chromium, driven by Playwright, against a real server; nothing may load from elsewhere.

The browser must be /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it): Playwright's own browser
download is never used. Without Chromium or Playwright the browser test skips, except in CI, where it fails.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.http.graphiql import EXAMPLES, IMMUTABLE
from tests import needs
from tests.e2e.conftest import Server, create_token, start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = ROOT / "test-artifacts" / "graphiql.png"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}

QUERY = '{ expulsions(actor: "PL") { nodes { actor { name } headcount { value } target { name } } } }'
MUTATION = 'mutation { createWave(input: {name: "Made in GraphiQL"}) { __typename ... on Wave { name } } }'


@dataclass(frozen=True)
class Site:
    server: Server
    editor_token: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server with the demo record on SQLite, and an editor's token for it."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('graphiql') / 'demarche.db'}"
    running = start_server(database_url)
    try:
        yield Site(running, create_token(database_url, "graphiql-editor", "editor"))
    finally:
        stop_server(running)


def readme_examples() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Three queries to paste into GraphiQL", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```graphql\n(.*?)```", section, flags=re.DOTALL)]


def test_the_readme_shows_the_examples_graphiql_opens_as_tabs() -> None:
    assert readme_examples() == list(EXAMPLES)


def test_the_page_loads_only_its_own_files_under_a_strict_policy(site: Site) -> None:
    server = site.server
    page = httpx.get(f"{server.url}/graphql", headers=BROWSER, timeout=10)
    assert page.status_code == 200
    policy = dict(directive.split(" ", 1) for directive in page.headers["content-security-policy"].split("; "))
    assert policy["default-src"] == policy["script-src"] == policy["connect-src"] == "'self'"
    assert re.fullmatch(r"'self' 'nonce-[\w-]{24}'", policy["style-src"]), policy["style-src"]
    assert policy["style-src"].split("'nonce-")[1].rstrip("'") in page.text  # the nonce reaches the bundle
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in page.headers["content-security-policy"]
    assert not re.search(r"https?:|//", page.text), "the page names another place"
    assets = re.findall(r'(?:href|src)="(/graphiql-assets/[^"]+)"', page.text)
    assert sorted(Path(asset).suffix for asset in assets) == [".css", ".js"]
    for asset in assets:
        answer = httpx.get(f"{server.url}{asset}", timeout=10)
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == IMMUTABLE
    assert httpx.get(f"{server.url}/graphiql-assets/manifest.json", timeout=10).status_code == 404


def launch() -> Any:
    """Playwright, or a skip (a failure in CI) saying what is missing."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium at {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing.append("Playwright (pip install -c constraints.txt -e '.[dev]')")
    if missing:
        needs.missing("the GraphiQL browser test needs " + " and ".join(missing))
    return sync_playwright()


def editor_text(page: Any, editor: str) -> str:
    text: str = page.evaluate(f"() => document.querySelector('{editor} .CodeMirror').CodeMirror.getValue()")
    return text


def type_into(page: Any, editor: str, text: str) -> None:
    """Replace an editor's text by typing, as a person would; the editor closes brackets and quotes itself."""
    page.locator(f"{editor} .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)
    page.keyboard.press("Escape")  # closes any completion list still open
    assert editor_text(page, editor) == text


def run_and_read(page: Any, expected: str) -> str:
    page.locator(".graphiql-execute-button").click()
    response = page.locator(".graphiql-response .CodeMirror-code")
    response.filter(has_text=expected).wait_for(timeout=10_000)
    return editor_text(page, ".graphiql-response")


STORES = """async () => {
  const stores = {localStorage: {...localStorage}, sessionStorage: {...sessionStorage}, cookie: document.cookie, indexedDB: {}};
  for (const {name} of await indexedDB.databases()) {
    const database = await new Promise((done, failed) => {
      const opening = indexedDB.open(name);
      opening.onsuccess = () => done(opening.result);
      opening.onerror = () => failed(opening.error);
    });
    for (const store of database.objectStoreNames) {
      stores.indexedDB[`${name}/${store}`] = await new Promise((done, failed) => {
        const reading = database.transaction(store).objectStore(store).getAll();
        reading.onsuccess = () => done(reading.result);
        reading.onerror = () => failed(reading.error);
      });
    }
    database.close();
  }
  stores.cacheStorage = await caches.keys();
  return JSON.stringify(stores);
}"""
"""Everything the page can find in the browser's stores, as one text."""


def assert_no_secret_stored(browser: Any, page: Any, secret: str) -> None:
    """No browser store holds `secret`, while GraphiQL does keep its history there (else the check would prove nothing)."""
    stored = page.evaluate(STORES)
    assert "graphiql:queries" in stored, stored[:500]
    assert "Made in GraphiQL" in stored, stored[:500]
    assert secret not in stored, f"a browser store holds the token: {stored[:2000]}"
    assert secret.split("_", 1)[-1] not in stored
    assert all(secret not in cookie["value"] for cookie in browser.cookies())


def holds(path: Path, secret: str) -> bool:
    """Whether a file holds `secret`, as UTF-8 or UTF-16 (Chromium keeps some stores in UTF-16)."""
    if not path.is_file():
        return False
    content = path.read_bytes()
    return any(form in content for form in (secret.encode(), secret.encode("utf-16-le")))


def test_graphiql_runs_queries_docs_and_mutations_without_leaving_the_server(site: Site) -> None:
    started = time.monotonic()
    server = site.server
    requests: list[str] = []
    errors: list[str] = []
    with launch() as playwright, tempfile.TemporaryDirectory() as profile:
        browser = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, viewport={"width": 1400, "height": 900}
        )
        try:
            page = browser.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{server.url}/graphql")
            page.locator(".graphiql-query-editor .CodeMirror").wait_for(timeout=15_000)
            assert page.locator(".graphiql-logo").inner_text() == "Demarche"
            assert page.locator(".graphiql-tab").count() == len(EXAMPLES)

            type_into(page, ".graphiql-query-editor", QUERY)
            result = run_and_read(page, "Poland")
            assert '"value": 45' in result, result
            assert "Russian Federation" in result, result

            page.get_by_label("Show Documentation Explorer").click()
            docs = page.locator(".graphiql-doc-explorer")
            docs.get_by_role("link", name="Root", exact=True).click()
            docs.get_by_text("Everything Demarche can be asked").wait_for(timeout=5_000)
            assert docs.locator(".graphiql-doc-explorer-title").inner_text() == "Root"

            page.get_by_label("Show GraphiQL Explorer").click()
            page.locator(".graphiql-explorer-root").get_by_text("expulsions", exact=True).first.wait_for(timeout=5_000)

            page.get_by_label("Open settings dialog").click()  # a dialog adds a <style>, admitted only by its nonce
            page.get_by_role("dialog").get_by_text("Theme").wait_for(timeout=5_000)
            page.keyboard.press("Escape")

            page.get_by_text("Headers", exact=True).click()
            assert "Bearer dmr_" in page.locator(".graphiql-editor-tool .CodeMirror-placeholder").inner_text()
            type_into(page, ".graphiql-editor-tool .graphiql-editor:not(.hidden)", f'{{"Authorization": "Bearer {site.editor_token}"}}')
            type_into(page, ".graphiql-query-editor", MUTATION)
            result = run_and_read(page, "Made in GraphiQL")
            assert '"__typename": "Wave"' in result, result
            page.get_by_label("Show History").click()  # the history, where GraphiQL kept each query's headers
            page.locator(".graphiql-history-item").first.wait_for(timeout=5_000)
            page.wait_for_timeout(600)  # GraphiQL writes its tabs' state after a debounce of 500 ms
            assert_no_secret_stored(browser, page, site.editor_token)
            page.reload()
            page.locator(".graphiql-query-editor .CodeMirror").wait_for(timeout=15_000)
            assert site.editor_token not in page.evaluate("() => document.documentElement.innerHTML")
            assert_no_secret_stored(browser, page, site.editor_token)

            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))
            print(f"GraphiQL screenshot: {SCREENSHOT}")
        finally:
            browser.close()
        on_disk = [str(path.relative_to(profile)) for path in Path(profile).rglob("*") if holds(path, site.editor_token)]
        assert not on_disk, f"the token was written into the browser's profile: {on_disk}"
    assert server.data("{ waves(first: 100) { nodes { name } } }")["waves"]["nodes"].count({"name": "Made in GraphiQL"}) == 1
    strays = [url for url in requests if not url.startswith(f"{server.url}/")]
    assert not strays, f"GraphiQL reached beyond its server: {strays}"
    assert not errors, f"the browser console reported errors: {errors}"
    assert time.monotonic() - started < 30
