"""`rag ui` in a real headless Chromium: streaming answers, citation chips, abstention, uploads.

Everything is real: the app runs as `rag ui` in a subprocess over a private copy of
seeds/ (uploads never touch the repository) with its own index, the packaged LLM
answers, and Playwright drives Debian's Chromium. Screenshots of each step go to
test-artifacts/. Answers take 10-20 s on an idle 2-core CPU and minutes on a busy
one, so the waits are long.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
RAG = REPO / ".venv" / "bin" / "rag"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
STARTUP_S = 600  # index build and model load on a busy machine
ANSWER_S = 600  # the first answer may wait for the model; others queue behind other users' answers
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(tmp: Path) -> Iterator[tuple[str, Path]]:
    """`rag ui` on a free port over a copy of seeds/; yields its URL and its corpus folder."""
    corpus = tmp / "corpus"
    shutil.copytree(REPO / "seeds", corpus)
    env = {**os.environ, "RAG_CORPUS": str(corpus), "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    env.pop("RAG_INDEX_DIR", None)
    port = free_port()
    log = tmp / "server.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [str(RAG), "ui", "--port", str(port), "--index", str(tmp / "index")],
            cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=out, text=True,
        )  # fmt: skip
        try:
            url = _wait_for_url(process, log)
            yield url, corpus
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_for_url(process: subprocess.Popen[str], log: Path) -> str:
    """The URL the app prints once it is serving; stdout keeps being drained so the app never blocks on it."""
    found: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            match = re.search(r"running at (http://\S+)", line)
            if match and not found:
                found.append(match.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(STARTUP_S) or not found:
        raise AssertionError(f"rag ui did not start (exit code {process.poll()}):\n{log.read_text()[-3000:]}")
    return found[0]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install chromium` (setup.sh --dev does)")
    with running_app(tmp_path_factory.mktemp("ui")) as started:
        yield started


@pytest.fixture(scope="module")
def requested_urls() -> list[str]:
    """Every URL the page asks for, across the module's tests."""
    return []


@pytest.fixture(scope="module")
def browser_page(app: tuple[str, Path], requested_urls: list[str]):
    """One page for the whole module, as one person would use the app."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda request: requested_urls.append(request.url))
        page.set_default_timeout(60_000)
        page.goto(app[0])
        page.wait_for_selector("#rag-chat")
        page.evaluate(_WATCH_STREAMING)
        yield page
        browser.close()


# Records whether an answer was ever on screen while still streaming, i.e. before it was complete.
_WATCH_STREAMING = """
window.ragSawPartial = false;
new MutationObserver(() => {
  if (document.querySelector("#rag-chat .rag-streaming .rag-chip")) window.ragSawPartial = true;
}).observe(document.body, {subtree: true, childList: true, characterData: true});
"""


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"ui-{name}.png"), full_page=True)


def new_chat(page) -> None:
    page.get_by_role("button", name="New chat").click()
    page.wait_for_function("!document.querySelector('#rag-chat .rag-answer')")


def ask(page, question: str):
    """Send a question and wait for its finished answer; returns that assistant message."""
    done = "#rag-chat .rag-meta, #rag-chat .rag-error"
    before = page.locator(done).count()
    page.locator("#rag-question textarea").fill(question)
    page.locator("#rag-question textarea").press("Enter")
    try:
        page.wait_for_function(
            f"document.querySelectorAll({done!r}).length > {before}", timeout=ANSWER_S * 1000, polling=500
        )
    except Exception:
        shot(page, "timed-out")
        raise
    message = page.locator("#rag-chat .rag-answer, #rag-chat .rag-error").last
    assert "rag-error" not in (message.get_attribute("class") or ""), message.inner_text()
    return message


def open_citation(page, message, citation_id: int):
    """Click chip [n] of a message; returns the highlighted passage, which must be visible in its document."""
    message.locator(f'.rag-chip[class$="-c{citation_id}"]').first.click()
    mark = page.locator("#rag-sources .rag-doc:not([hidden]) mark.rag-active").first
    mark.wait_for(state="visible")
    box = page.locator("#rag-sources .rag-doc:not([hidden]) .rag-doc-text").bounding_box()
    spot = mark.bounding_box()
    assert box and spot and box["y"] <= spot["y"] <= box["y"] + box["height"], "passage not scrolled into view"
    return mark


def supporting_citation(figure) -> int:
    """The citation a number's badge names: its tooltip reads "supported by [n]"."""
    title = figure.get_attribute("title")
    assert title.startswith("supported by ["), title
    return int(re.search(r"\[(\d+)\]", title).group(1))


def test_answer_streams_with_chips_and_a_chip_opens_its_passage(browser_page) -> None:
    page = browser_page
    shot(page, "0-start")
    assert page.locator("#rag-chat button", has_text="What do the documents say about").count() >= 1  # examples
    message = ask(page, "How much will ByteDance invest abroad in 2025?")
    shot(page, "1-answer")
    assert page.evaluate("window.ragSawPartial"), "the answer was never shown before it was complete"
    citation_id = supporting_citation(message.locator(".rag-num", has_text="6.8").first)
    mark = open_citation(page, message, citation_id)
    assert "6.8" in mark.inner_text()
    item = page.locator("#rag-sources .rag-cite-item.rag-active")
    assert "6.8" in item.inner_text() and re.search(r"lines? \d+", item.inner_text())
    shot(page, "2-source-open")


def test_unanswerable_question_is_an_abstention_notice(browser_page) -> None:
    page = browser_page
    new_chat(page)
    message = ask(page, "What clock speed does ByteDance's SeedChip run at?")
    shot(page, "3-abstention")
    assert message.locator(".rag-abstain").is_visible()
    assert "Not in the documents" in message.inner_text()


def test_uploaded_file_is_indexed_and_cited(browser_page, app, tmp_path: Path) -> None:
    page = browser_page
    upload = tmp_path / "zephyr_sensor.txt"
    upload.write_text(
        "Zephyr-9 Sensor Datasheet\n"
        "The Zephyr-9 sensor was introduced for environmental monitoring stations.\n"
        "The Zephyr-9 sensor draws 42 milliwatts in continuous measurement mode.\n"
    )
    page.get_by_role("tab", name="Corpus").click()
    page.locator("#rag-upload input[type=file]").set_input_files(str(upload))
    page.locator("#rag-build-log", has_text="1 added").wait_for(timeout=ANSWER_S * 1000)
    assert (app[1] / "zephyr_sensor.txt").exists()
    assert page.locator("#rag-files", has_text="zephyr_sensor.txt").count() == 1
    shot(page, "4-uploaded")
    page.get_by_role("tab", name="Ask").click()
    new_chat(page)
    message = ask(page, "How much power does the Zephyr-9 sensor draw?")
    citation_id = supporting_citation(message.locator(".rag-num", has_text="42").first)
    mark = open_citation(page, message, citation_id)
    assert "42" in mark.inner_text()
    assert "zephyr_sensor.txt" in page.locator("#rag-sources .rag-doc:not([hidden]) .rag-doc-head").inner_text()
    shot(page, "5-uploaded-answer")


def test_the_page_fetched_nothing_from_outside(browser_page, requested_urls: list[str], app) -> None:
    host = urlparse(app[0]).hostname
    outside = [url for url in requested_urls if urlparse(url).scheme in ("http", "https", "ws", "wss")
               and urlparse(url).hostname != host]  # fmt: skip
    assert requested_urls and outside == []
