"""``render --open`` writes a page under the same policy as the TUI's browser preview: the email's scripts
never run and remote content loads only with ``--remote-images`` — checked in a real headless Chromium
opening the written file as a browser would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ses_workbench.cli import main
from ses_workbench.project import Project
from tests.tui import chromium

SCRIPT = "<script>document.title = 'PWNED'</script>"
IMAGE = '<img id="remote" src="http://127.0.0.1:9/t.png">'


@pytest.fixture(scope="module")
def browser() -> Iterator[chromium.Page]:
    with chromium.required_page("this test opens the written page in") as page:
        yield page


def _written(project: Project, monkeypatch: pytest.MonkeyPatch, *extra: str) -> Path:
    folder = project.root / "hostile"
    folder.mkdir()
    (folder / "subject.txt").write_text("Hi\n")
    (folder / "body.html").write_text(f"<!doctype html><html><body><p>MARK</p>{SCRIPT}{IMAGE}</body></html>")
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    assert main(["render", "hostile", "--open", "--dir", str(project.root), *extra]) == 0
    [url] = opened
    return Path(url.removeprefix("file://"))


def _load(page: chromium.Page, path: Path) -> None:
    page.call("Page.navigate", url=path.as_uri())
    page.wait_for(lambda: page.evaluate("document.readyState") == "complete"
                  and "MARK" in (page.evaluate("document.body && document.body.innerText") or ""),
                  "the written page to load")


def test_render_open_page_runs_no_script_and_blocks_remote_images(
        sample_project: Project, monkeypatch: pytest.MonkeyPatch, browser: chromium.Page) -> None:
    path = _written(sample_project, monkeypatch)
    assert path.parent == sample_project.root / ".ses-workbench" / "preview"
    _load(browser, path)
    assert browser.evaluate("document.title") != "PWNED"
    policy = browser.evaluate(
        "document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content")
    assert "default-src 'none'" in policy and "http:" not in policy


def test_render_open_remote_images_only_when_asked(sample_project: Project, monkeypatch: pytest.MonkeyPatch,
                                                   browser: chromium.Page) -> None:
    path = _written(sample_project, monkeypatch, "--remote-images")
    _load(browser, path)
    policy = browser.evaluate(
        "document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content")
    assert "img-src data: cid: http: https:" in policy
    assert browser.evaluate("document.title") != "PWNED"  # scripts stay off either way
