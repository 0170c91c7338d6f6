"""``veille serve --watch``: the server is the single writer and keeps answering reads.

A local feed gains an item while API requests (a search among them) keep running; the new
article must appear in /api/v1/articles within one poll interval, and no read may fail,
including those made while the writer is inside a batch.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
import time

import pytest
from fastapi.testclient import TestClient

from test_cli import cli  # noqa: F401 - the CLI fixture
from test_fetch import settings, stages  # noqa: F401 - short timeouts, fake analysis
from veille.api import create_app
from veille.fetch import new_source
from veille.fetch.writer import SingleWriter
from veille.store import open_store
from webfixtures import FeedEntry, SiteServer

POLL_EVERY_S = 2


@pytest.fixture
def site():
    with SiteServer() as running:
        yield running


class SlowStage:
    """Makes each batch take a while and says when a write is under way."""

    name = "slow"
    version = "1"

    def __init__(self) -> None:
        self.writing = threading.Event()

    def setup(self) -> None:
        pass

    def process(self, batch):
        self.writing.set()
        time.sleep(0.6)
        self.writing.clear()
        return batch


def _wait_for(predicate, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not true within {timeout} s")


@pytest.fixture
def served(site, settings, stages, monkeypatch):  # noqa: F811
    monkeypatch.setenv("VEILLE_API_TOKEN", "jeton-de-test")
    store = open_store(settings.db_path)
    store.add_source(new_source(site.base + "/rss.xml", settings, every_seconds=POLL_EVERY_S))
    slow = SlowStage()
    writer = SingleWriter(store, settings, tick_s=0.2, stages=[*stages, slow])
    app = create_app(settings, store=store)
    app.state.veille.writer = writer
    writer.start()
    try:
        yield TestClient(app, base_url="http://127.0.0.1"), slow, writer
    finally:
        writer.stop()
        store.close()


def test_new_feed_item_appears_while_reads_keep_answering(site, served):
    client, slow, _ = served

    def total() -> int:
        return client.get("/api/v1/articles").json()["total"]

    _wait_for(lambda: total() == 3, timeout=30)  # a1, a2, nodate (secret: robots.txt)
    failures: list[str] = []
    searches_during_write = 0
    reads = 0
    stop = threading.Event()

    def reader() -> None:
        nonlocal searches_during_write, reads
        while not stop.is_set():
            for path in ("/api/v1/articles?q=Kharkiv", "/api/v1/stats", "/api/v1/sources"):
                during = slow.writing.is_set()
                response = client.get(path)
                reads += 1
                if response.status_code != 200:
                    failures.append(f"{path}: {response.status_code} {response.text[:200]}")
                elif "q=" in path and during and slow.writing.is_set():
                    searches_during_write += 1

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        site.rss_entries.insert(0, FeedEntry("/articles/a7.html", "Nouvelle dépêche"))
        elapsed = _wait_for(lambda: total() == 4, timeout=POLL_EVERY_S + 15)
    finally:
        stop.set()
        thread.join()
    # one poll interval, plus the time the (slowed) batch takes to analyse and store
    assert elapsed <= POLL_EVERY_S + 5
    assert not failures
    assert reads > 10 and searches_during_write >= 1
    # the source's status is written just after the articles' batch commits
    _wait_for(lambda: client.get("/api/v1/sources").json()["items"][0]["articles"] == 4, 5)
    sources = client.get("/api/v1/sources").json()
    assert sources["items"][0]["last_new_at"] and sources["writer"]["running"]
    page = client.get("/sources")
    assert page.status_code == 200 and "rss.xml" in page.text


def test_ingest_endpoint_needs_the_token_and_stores_files(served):
    client, _, _ = served
    text = (
        "Le Parlement européen a adopté jeudi une résolution sur l'aide à l'Ukraine.\n"
        "Le texte appelle à accélérer les livraisons de munitions.\n"
    )
    body = {
        "files": [
            {
                "name": "../../dépêche.txt",
                "content_base64": base64.b64encode(text.encode()).decode(),
            }
        ]
    }
    assert client.post("/api/v1/ingest", json=body).status_code == 401
    wrong = {"Authorization": "Bearer faux"}
    assert client.post("/api/v1/ingest", json=body, headers=wrong).status_code == 401
    good = {"Authorization": "Bearer jeton-de-test"}
    result = client.post("/api/v1/ingest", json=body, headers=good)
    assert result.status_code == 200, result.text
    assert result.json()["stored"] == 1
    bad = {"files": [{"name": "x.txt", "content_base64": "pas du base64 !"}]}
    assert client.post("/api/v1/ingest", json=bad, headers=good).status_code == 422


def test_ingest_on_a_read_only_server_says_how_to_start_a_writer(settings, monkeypatch):  # noqa: F811
    monkeypatch.setenv("VEILLE_API_TOKEN", "jeton")
    open_store(settings.db_path).close()
    with open_store(settings.db_path, read_only=True) as store:
        client = TestClient(create_app(settings, store=store), base_url="http://127.0.0.1")
        response = client.post(
            "/api/v1/ingest", json={"files": []}, headers={"Authorization": "Bearer jeton"}
        )
    assert response.status_code == 409 and "--watch" in response.json()["detail"]


@pytest.mark.slow
def test_run_on_a_database_held_by_a_server_says_so_in_one_line(settings, tmp_path):  # noqa: F811
    from veille.server_file import ServerInfo, remove_server_info, write_server_info

    open_store(settings.db_path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True);"
            " time.sleep(60)",
            str(settings.db_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        write_server_info(settings.db_path, ServerInfo("http://127.0.0.1:8765", holder.pid, True))
        note = tmp_path / "note.txt"
        note.write_text("Une dépêche écrite pour ce test, assez longue pour compter.\n")
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "from veille.cli import main; main()",
                "run",
                str(note),
                "--db",
                str(settings.db_path),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        holder.kill()
        holder.wait()
        remove_server_info(settings.db_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "in use by the Veille server at http://127.0.0.1:8765" in lines[0]
    assert "veille run --server http://127.0.0.1:8765" in lines[0]


@pytest.fixture
def live_server(served):
    """The watching app on a real socket (127.0.0.1, a free port)."""
    import uvicorn

    client, _, _ = served
    server = uvicorn.Server(uvicorn.Config(client.app, host="127.0.0.1", port=0, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    _wait_for(lambda: server.started, timeout=10)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_run_server_sends_files_to_the_writer(cli, live_server, tmp_path):  # noqa: F811
    folder = tmp_path / "depeches"
    folder.mkdir()
    (folder / "une.txt").write_text(
        "La Pologne a annoncé mardi l'envoi de nouveaux blindés à l'Ukraine.\n"
        "Le ministre a évoqué une livraison avant la fin du mois.\n",
        encoding="utf-8",
    )
    (folder / "vide.txt").write_text("", encoding="utf-8")
    args = ("run", folder, "--server", live_server, "--json")
    refused = cli(*args, "--token", "faux")
    assert refused.exit_code == 1 and "HTTP 401" in refused.output
    result = cli(*args, "--token", "jeton-de-test")
    summary = json.loads(result.output[result.output.index("{") :])
    assert summary["stored"] == 1 and summary["skipped"] == 1
    assert any("vide.txt" in e["path"] for e in summary["errors"])


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_veille_serve_watch_process_end_to_end(site, tmp_path):
    """The real command, real analysis: a new feed item shows up while searches answer."""
    import os

    import httpx

    db = tmp_path / "served.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env.update(VEILLE_FETCH_HOST_INTERVAL_S="0", VEILLE_API_TOKEN="jeton", VEILLE_DB=str(db))
    veille = [sys.executable, "-c", "from veille.cli import main; main()"]
    add = [*veille, "sources", "add", site.base + "/atom.xml", "--every", f"{POLL_EVERY_S}s"]
    subprocess.run(add, env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen(
        [*veille, "serve", "--watch", "--tick", "0.5", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:

            def total() -> int:
                try:
                    return client.get("/api/v1/articles").json()["total"]
                except httpx.HTTPError:
                    return -1

            _wait_for(lambda: total() == 2, timeout=240)  # model load, then a2 and a3
            site.atom_entries.append(FeedEntry("/articles/a1.html", "Frappe à Kharkiv"))
            searches = 0
            started = time.monotonic()
            while total() != 3:
                assert time.monotonic() - started < POLL_EVERY_S + 60, "new item never showed"
                found = client.get("/api/v1/articles", params={"q": "Kherson"})
                assert found.status_code == 200
                searches += 1
            assert searches >= 1
            # a second command on the same database is told who holds it
            held = subprocess.run(
                [*veille, "stats"], env=env, capture_output=True, text=True, timeout=120
            )
            assert held.returncode == 1
            assert f"in use by the Veille server at {base}" in held.stderr
    finally:
        server.terminate()
        server.wait(timeout=60)
    from veille.server_file import server_file

    # SIGTERM unwinds cleanly: writer stopped, database closed, the server note removed
    assert server.returncode == 0, server.stderr.read()[-2000:]
    assert not server_file(db).exists()


def test_writer_stops_quickly_even_during_a_retry_wait(site, settings, stages):  # noqa: F811
    from dataclasses import replace

    patient = replace(settings, fetch_backoff_s=10.0, fetch_retries=3)
    store = open_store(settings.db_path)
    store.add_source(new_source(site.base + "/broken.html", settings))
    writer = SingleWriter(store, patient, tick_s=0.2, stages=stages)
    writer.start()
    try:
        _wait_for(lambda: site.hits["/broken.html"] >= 1, timeout=10)
        time.sleep(0.2)  # now in its first backoff (5 to 15 s)
        started = time.monotonic()
        writer.stop()
        assert time.monotonic() - started < 3
        assert not writer.alive
    finally:
        store.close()
