"""`rag serve` as a client sees it: a real server process on a free port, real HTTP clients.

One server per module (the fast model, an API key, the chat mounted at /ui) over a private
copy of the seed corpus, so the index routes may change it. Clients: httpx, and the
official `openai` package against /v1/chat/completions.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conftest import REPO, SEEDS  # the tests folder is on sys.path (pytest's default import mode)
from servers import free_port, running

pytestmark = pytest.mark.slow

KEY = "test-key-0123456789"
QUESTION = "How many chips has Iluvatar CoreX shipped?"
STARTUP_S = 600  # first use assembles the fast model (0.5 GB) and builds the index
ANSWER_S = 900  # one answer on a CPU that other work may share, behind the others in the queue
HEALTH_TIMEOUT_S = 3.0  # /healthz must answer within this while answers queue


@dataclass
class Server:
    url: str
    corpus: Path
    log: Path

    def client(self, key: str | None = KEY) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=ANSWER_S)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("serve")
    corpus = root / "seeds"
    shutil.copytree(SEEDS, corpus)
    port = free_port()
    env = {
        **os.environ,
        "RAG_INDEX_DIR": str(root / "index"),
        "RAG_CORPUS": str(corpus),
        "RAG_API_KEY": KEY,
        "HF_HUB_OFFLINE": "1",
    }
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "rag.cli", "serve", "--fast", "--port", str(port)]
    log = root / "server.log"
    with running(command, ready_url=url + "/healthz", log=log, startup_s=STARTUP_S, cwd=REPO, env=env):
        yield Server(url, corpus, log)


def assert_error(response: httpx.Response, status: int) -> dict:
    """A refusal: the status, a JSON body in OpenAI's error shape with a message, and no traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["message"] and "Traceback" not in response.text
    return error


def assert_verified(answer: dict, corpus: Path) -> None:
    """Cited quotes are exact spans of the files; every number in a non-abstaining answer is backed."""
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer["answer"])}
    assert markers <= {c["id"] for c in answer["citations"]}
    for citation in answer["citations"]:
        text = (corpus.parent / citation["source"]).read_text(encoding="utf-8")
        assert text[citation["start"] : citation["end"]] == citation["quote"]
    if not answer["abstained"]:
        assert markers, answer["answer"]
        assert all(n["supported"] for n in answer["numbers"]), answer["numbers"]


def sse_events(response: httpx.Response) -> list[tuple[str, dict]]:
    events, name = [], "message"
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line[len("event:") :].strip()
        elif line.startswith("data:"):
            events.append((name, json.loads(line[len("data:") :])))
            name = "message"
    return events


# -- access ----------------------------------------------------------------------------------------


def test_healthz_answers_without_a_key_and_every_other_route_needs_it(server: Server) -> None:
    assert httpx.get(server.url + "/healthz").json()["status"] == "ok"
    for key in (None, "wrong-key"):
        with server.client(key) as client:
            assert_error(client.get("/v1/models"), 401)
            assert_error(client.post("/v1/ask", json={"question": QUESTION}), 401)
            assert_error(client.post("/v1/search", json={"query": "chips"}), 401)
            assert_error(client.get("/v1/documents"), 401)
    with server.client() as client:
        assert "fast" in [m["id"] for m in client.get("/v1/models").json()["data"]]


def test_the_chat_is_mounted_at_ui_behind_a_login_with_the_key(server: Server) -> None:
    page = httpx.get(server.url + "/ui/", follow_redirects=True)
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert httpx.get(server.url + "/ui/config").status_code in (401, 403)  # no session: no app
    login = httpx.post(server.url + "/ui/login", data={"username": "me", "password": KEY})
    assert login.status_code == 200, login.text
    assert httpx.get(server.url + "/ui/config", cookies=login.cookies).status_code == 200


# -- bad requests ----------------------------------------------------------------------------------


def test_bad_requests_get_a_4xx_json_error(server: Server) -> None:
    with server.client() as client:
        headers = {"content-type": "application/json"}
        assert_error(client.post("/v1/ask", content=b'{"question": "unclosed', headers=headers), 400)
        assert_error(client.post("/v1/ask", json={"question": 42}), 422)
        assert_error(client.post("/v1/ask", json={"question": QUESTION, "top_k": "3"}), 422)
        assert_error(client.post("/v1/ask", json={"question": QUESTION, "top_k": 0}), 422)
        assert_error(client.post("/v1/ask", json={"question": QUESTION, "colour": "red"}), 422)
        assert_error(client.post("/v1/ask", json={"question": "   "}), 400)
        assert_error(client.post("/v1/ask", json={"question": "x" * 5000}), 400)
        assert_error(client.post("/v1/search", json={"query": ["a"]}), 422)
        assert_error(client.post("/v1/chat/completions", json={"model": "fast", "messages": "hi"}), 422)
        big = json.dumps({"question": "y" * (10 * 1024 * 1024)}).encode()
        assert_error(client.post("/v1/ask", content=big, headers=headers), 413)
        error = assert_error(client.post("/v1/ask", json={"question": QUESTION, "model": "no-such-model"}), 404)
        assert "fast" in error["message"]
        assert_error(client.get("/v1/no-such-route"), 404)
        assert_error(client.delete("/v1/documents/seeds/no-such-file.txt"), 404)
        assert_error(client.post("/v1/index", json={"files": [{"name": "../escape.md", "text": "x"}]}), 400)
        assert_error(client.post("/v1/index", json={"files": [{"name": "tool.exe", "base64": "AAAA"}]}), 400)
        assert_error(client.post("/v1/index", json={"files": [{"name": "a.md", "base64": "not base64!"}]}), 400)
        assert client.get("/healthz").status_code == 200  # and the server carries on


def test_an_unknown_model_is_refused_through_the_openai_client(server: Server) -> None:
    import openai

    client = openai.OpenAI(base_url=server.url + "/v1", api_key=KEY)
    with pytest.raises(openai.NotFoundError, match="unknown model"):
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": QUESTION}])
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=server.url + "/v1", api_key="wrong").models.list()


# -- answers ---------------------------------------------------------------------------------------


def test_ask_returns_the_answer_json_of_rag_ask(server: Server) -> None:
    with server.client() as client:
        answer = client.post("/v1/ask", json={"question": QUESTION, "top_k": 3}).json()
    assert {"question", "answer", "abstained", "citations", "numbers", "conflict", "timings", "model", "passages"} <= set(answer)
    assert answer["question"] == QUESTION and len(answer["passages"]) <= 3
    assert_verified(answer, server.corpus)


def test_ask_stream_sends_the_sources_before_any_text(server: Server) -> None:
    with server.client() as client, client.stream("POST", "/v1/ask", json={"question": QUESTION, "stream": True}) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response)
    names = [name for name, _ in events]
    assert names[0] == "sources" and names[-1] == "answer" and set(names[1:-1]) <= {"delta"}, names
    sources = events[0][1]["passages"]
    assert sources and all(p["text"] and p["source"] and p["line_start"] >= 1 for p in sources)
    answer = events[-1][1]
    assert "".join(data["text"] for name, data in events if name == "delta") == answer["answer"]
    assert_verified(answer, server.corpus)


def test_the_openai_client_gets_answers_with_their_citations(server: Server) -> None:
    import openai

    client = openai.OpenAI(base_url=server.url + "/v1", api_key=KEY)
    assert "fast" in [m.id for m in client.models.list()]
    messages = [{"role": "system", "content": "ignored"}, {"role": "user", "content": QUESTION}]

    completion = client.chat.completions.create(model="fast", messages=messages)
    content = completion.choices[0].message.content
    rag = completion.model_extra["rag"]
    assert {"citations", "numbers", "abstained", "conflict"} <= set(rag)
    assert_verified({"answer": content, **rag}, server.corpus)

    chunks = list(client.chat.completions.create(model="fast", messages=messages, stream=True))
    assert chunks[0].model_extra["rag"]["sources"], "the first chunk carries the passages being read"
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks)
    final = chunks[-1]
    assert final.choices[0].finish_reason == "stop"
    assert_verified({"answer": streamed, **final.model_extra["rag"]}, server.corpus)


def test_twenty_simultaneous_questions_are_all_answered_while_healthz_stays_up(server: Server) -> None:
    """Answers queue in front of the one model; /healthz and /v1/search never wait behind them."""
    questions = [f"{QUESTION} ({n})" if n else QUESTION for n in range(20)]
    results: dict[str, httpx.Response] = {}
    failures: dict[str, BaseException] = {}

    def ask(question: str) -> None:
        try:
            with server.client() as client:
                results[question] = client.post("/v1/ask", json={"question": question, "top_k": 2})
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures[question] = exc

    threads = [threading.Thread(target=ask, args=(q,), daemon=True) for q in questions]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    health, searches = [], []
    with httpx.Client(base_url=server.url, timeout=HEALTH_TIMEOUT_S) as probe:
        while any(t.is_alive() for t in threads) and time.monotonic() - started < ANSWER_S:
            began = time.monotonic()
            assert probe.get("/healthz").status_code == 200  # a timeout here fails the test
            health.append(time.monotonic() - began)
            if len(health) % 10 == 0:
                began = time.monotonic()
                found = probe.post("/v1/search", json={"query": "chips"}, headers={"Authorization": f"Bearer {KEY}"})
                assert found.status_code == 200 and found.json()["passages"]
                searches.append(time.monotonic() - began)
            time.sleep(0.2)
    elapsed = time.monotonic() - started
    for thread in threads:
        thread.join(5)
    assert not failures, failures
    assert len(results) == len(questions)
    print(
        f"\n20 answers in {elapsed:.0f} s; /healthz {len(health)} probes, slowest {max(health):.3f} s; "
        f"/v1/search {len(searches)} probes, slowest {max(searches, default=0):.3f} s"
    )
    for question, response in results.items():
        assert response.status_code == 200, response.text
        assert response.json()["question"] == question  # each client got the answer to its own question


# -- the index -------------------------------------------------------------------------------------


def test_documents_can_be_added_listed_and_removed(server: Server) -> None:
    fact = "The Quillmoor observatory recorded 4,812 meteors during the autumn survey."
    with server.client() as client:
        added = client.post("/v1/index", json={"files": [{"name": "quillmoor.md", "text": f"# Quillmoor\n\n{fact}\n"}]})
        assert added.status_code == 200, added.text
        assert added.json()["added"] == ["seeds/quillmoor.md"]
        sources = [d["source"] for d in client.get("/v1/documents").json()["documents"]]
        assert "seeds/quillmoor.md" in sources
        found = client.post("/v1/search", json={"query": "Quillmoor meteors", "top_k": 1}).json()["passages"]
        assert found[0]["source"] == "seeds/quillmoor.md" and "4,812" in found[0]["text"]

        removed = client.delete("/v1/documents/seeds/quillmoor.md")
        assert removed.status_code == 200 and removed.json()["removed"] == ["seeds/quillmoor.md"]
        assert not (server.corpus / "quillmoor.md").exists()
        sources = [d["source"] for d in client.get("/v1/documents").json()["documents"]]
        assert "seeds/quillmoor.md" not in sources
        found = client.post("/v1/search", json={"query": "Quillmoor meteors", "top_k": 3}).json()["passages"]
        assert all(p["source"] != "seeds/quillmoor.md" for p in found)
