"""`veille serve --workers N`: N server processes, each reading the database on its own;
single-article reads run on a cursor per request (no lock held while querying)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from test_api import load_synth_store


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    synth = load_synth_store()
    analyses = synth.demo_analyses()
    settings = synth.build_store(
        tmp_path_factory.mktemp("serve") / "demo.duckdb", analyses, synth.demo_incidents(analyses)
    )
    return settings, analyses


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_article_reads_run_on_a_cursor_each(demo):
    from veille.api import create_app

    settings, analyses = demo
    app = create_app(settings)
    st = app.state.veille
    with TestClient(app, base_url="http://127.0.0.1") as client:
        article_id = analyses[0].article.id
        assert client.get(f"/api/v1/articles/{article_id}").status_code == 200
        # many reads at once, each on its own cursor: all answer, none fails
        with ThreadPoolExecutor(8) as pool:
            codes = list(
                pool.map(
                    lambda _: client.get(f"/api/v1/articles/{article_id}").status_code, range(32)
                )
            )
        assert codes == [200] * 32
        cur = st.store.connection().cursor()
        view = st.store.on_connection(cur)
        assert view.get_analysis(article_id).article.id == article_id
        assert view.read_only and st.store.connection() is not cur
        cur.close()
    st.store.close()


@pytest.mark.slow
def test_serve_with_two_workers_answers(demo, tmp_path):
    settings, analyses = demo
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    cmd = [sys.executable, "-c", "from veille.cli import main; main()", "serve"]
    cmd += ["--db", str(settings.db_path), "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(
        cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                stats = get_json(f"http://127.0.0.1:{port}/api/v1/stats")
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        assert stats["articles"] == len(analyses)
        article_id = analyses[0].article.id
        with ThreadPoolExecutor(8) as pool:
            urls = [f"http://127.0.0.1:{port}/api/v1/articles/{article_id}"] * 16
            bodies = list(pool.map(get_json, urls))
        assert {b["article"]["id"] for b in bodies} == {article_id}
        if sys.platform.startswith("linux"):  # each worker listens itself (SO_REUSEPORT)
            assert listening_sockets(port) == 2
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode == 0


def listening_sockets(port: int) -> int:
    """How many sockets listen on ``port`` (IPv4, from /proc/net/tcp)."""
    with open("/proc/net/tcp") as table:
        rows = [line.split() for line in table.readlines()[1:]]
    return sum(1 for row in rows if row[1].endswith(f":{port:04X}") and row[3] == "0A")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT sharing")
def test_a_taken_port_is_one_error_line(demo, monkeypatch):
    from typer.testing import CliRunner

    from veille.cli import app

    settings, _ = demo
    monkeypatch.setattr(os, "environ", dict(os.environ))  # serve --workers sets VEILLE_*
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            app, ["serve", "--db", str(settings.db_path), "--port", str(port), "--workers", "2"]
        )
    assert result.exit_code == 1
    assert "V603" in result.output and f"127.0.0.1:{port}" in result.output


def test_served_connections_have_nagle_off():
    """uvicorn's workers get their listening socket rebuilt from a descriptor with protocol
    number 0, so asyncio leaves Nagle on: kept-alive requests then waited ~40 ms each for
    the client's delayed ACK. The protocol `veille serve` runs turns it off itself."""
    from veille.api.nodelay import set_nodelay

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.create_connection(listener.getsockname()) as client:
            accepted, _ = listener.accept()
            rebuilt = socket.fromfd(accepted.fileno(), socket.AF_INET, socket.SOCK_STREAM)
            with accepted, rebuilt as sock:
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0

                class Transport:
                    def get_extra_info(self, name):
                        return sock if name == "socket" else None

                set_nodelay(Transport())
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
                assert client.getsockname()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_runs_the_nodelay_protocol(demo, monkeypatch, workers):
    import uvicorn
    from typer.testing import CliRunner

    from veille.api.nodelay import PROTOCOL
    from veille.cli import app

    settings, _ = demo
    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    monkeypatch.setattr(  # the workers of `--workers 2` (veille.api.workers)
        "veille.api.workers.serve", lambda host, port, n, options: seen.update(options) or 0
    )
    monkeypatch.setattr("signal.signal", lambda *a: None)  # serve handles SIGTERM itself
    for name in ("VEILLE_DB_PATH", "VEILLE_CONFIG", "VEILLE_SERVE_HOSTS", "VEILLE_SERVE_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os, "environ", dict(os.environ))  # serve --workers sets VEILLE_*
    result = CliRunner().invoke(app, ["serve", "--db", str(settings.db_path), "--workers", workers])
    assert result.exit_code == 0, result.output
    assert seen["http"] == PROTOCOL
    if workers == "2":  # the workers share the cores out between their DuckDB threads
        from veille.api import THREADS_ENV, create_app

        assert os.environ[THREADS_ENV] == str(max(1, (os.cpu_count() or 1) // 2))
        os.environ[THREADS_ENV] = "1"
        app = create_app(settings)
        con = app.state.veille.store.connection()
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 1
        app.state.veille.store.close()
