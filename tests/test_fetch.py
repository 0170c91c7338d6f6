"""Fetching politely, against a local site (127.0.0.1 only): one test per behaviour.

The analysis stage is the fake one from test_pipeline: fetching, storing and the source
bookkeeping are under test here, not the NLP.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from test_pipeline import FakeNLP, fake_enrich
from veille.fetch import Fetcher, Watcher, canonical_url, new_source, parse_every, parse_opml
from veille.fetch.client import PAGE_TYPES, parse_retry_after, user_agent
from veille.fetch.errors import (
    BodyTooLargeError,
    ContentTypeError,
    HttpStatusError,
    NetworkError,
    RedirectError,
    RobotsForbiddenError,
)
from veille.fetch.raw import RawStore
from veille.model import SourceKind
from veille.settings import load_settings
from veille.store import open_store
from webfixtures import FeedEntry, SiteServer


@pytest.fixture
def site():
    with SiteServer() as running:
        yield running


@pytest.fixture
def settings(tmp_path):
    return load_settings(
        overrides={
            "db_path": tmp_path / "w.duckdb",
            "fetch_host_interval_s": 0.0,
            "fetch_timeout_s": 0.5,
            "fetch_total_timeout_s": 2.0,
            "fetch_retries": 2,
            "fetch_backoff_s": 0.01,
            "fetch_max_wait_s": 5.0,
            "fetch_max_mb": 0.1,
            "poll_every_s": 60,
        },
        env={},
    )


@pytest.fixture
def fetcher(settings):
    with Fetcher(settings) as client:
        yield client


@pytest.fixture
def stages(monkeypatch):
    from veille.pipeline import AnalyzeStage, LanguageStage

    monkeypatch.setattr("veille.enrich.enrich", fake_enrich)
    monkeypatch.setattr("veille.extract.extract", lambda analysis, pack, kb: analysis)
    return [LanguageStage(), AnalyzeStage(kb=object(), nlps={"fr": FakeNLP()})]


@pytest.fixture
def store(settings):
    with open_store(settings.db_path) as opened:
        yield opened


# ---------------------------------------------------------------------------
# URLs, durations, headers


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://Example.FR:443/a.html#commentaires", "https://example.fr/a.html"),
        ("https://example.fr/a.html?utm_source=rss&utm_medium=x", "https://example.fr/a.html"),
        ("https://example.fr/a.html?xtor=RSS-3208&id=7", "https://example.fr/a.html?id=7"),
        ("https://example.fr/a?fbclid=abc&b=2&a=1", "https://example.fr/a?a=1&b=2"),
        ("http://example.fr", "http://example.fr/"),
    ],
)
def test_urls_are_canonical(given, expected):
    assert canonical_url(given) == expected


@pytest.mark.parametrize(
    ("text", "seconds"), [("15m", 900), ("1h", 3600), ("90s", 90), ("1h30m", 5400), ("45", 45)]
)
def test_poll_intervals(text, seconds):
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["0s", "quinze", "m15", "10x", "15q"])
def test_bad_poll_intervals_are_refused(text):
    with pytest.raises(ValueError, match="duration"):
        parse_every(text)


def test_retry_after_as_seconds_or_a_date():
    now = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Tue, 05 Mar 2024 08:00:30 GMT", now) == 30.0
    assert parse_retry_after("demain") is None


def test_user_agent_names_veille_and_its_version(site, fetcher, settings):
    from veille import __version__

    fetcher.get(site.base + "/articles/a1.html", accept=PAGE_TYPES)
    sent = next(h for p, h in site.requests if p == "/articles/a1.html")
    assert sent["user-agent"] == user_agent(settings)
    assert sent["user-agent"].startswith(f"Veille/{__version__}")


# ---------------------------------------------------------------------------
# Politeness and limits, one case each


def test_robots_txt_forbids_a_path_and_is_fetched_once(site, fetcher):
    with pytest.raises(RobotsForbiddenError, match=r"robots\.txt"):
        fetcher.get(site.base + "/private/secret.html")
    fetcher.get(site.base + "/articles/a1.html")
    assert "/private/secret.html" not in site.paths_requested()
    assert site.hits["/robots.txt"] == 1


def test_conditional_get_gets_a_304(site, fetcher):
    first = fetcher.get(site.base + "/rss.xml")
    assert first.status == 200 and first.etag
    second = fetcher.get(site.base + "/rss.xml", etag=first.etag)
    assert second.not_modified and second.body == b""
    assert site.requests[-1][1]["if-none-match"] == first.etag


def test_429_waits_for_retry_after_then_succeeds(site, fetcher):
    started = time.monotonic()
    response = fetcher.get(site.base + "/limited.html", accept=PAGE_TYPES)
    assert response.status == 200
    assert time.monotonic() - started >= 0.9  # Retry-After: 1
    assert site.hits["/limited.html"] == 2


def test_429_asking_longer_than_we_wait_is_reported_with_the_delay(site, settings):
    strict = load_settings(overrides={**_overrides(settings), "fetch_max_wait_s": 0.5}, env={})
    with Fetcher(strict) as client, pytest.raises(HttpStatusError) as caught:
        client.get(site.base + "/limited.html")
    assert caught.value.status == 429 and caught.value.retry_after == 1.0
    assert site.hits["/limited.html"] == 1


def test_500_that_recovers_is_retried(site, fetcher):
    response = fetcher.get(site.base + "/flaky.html", accept=PAGE_TYPES)
    assert response.status == 200
    assert site.hits["/flaky.html"] == 2


def test_500_for_ever_gives_up_after_the_retries(site, fetcher, settings):
    with pytest.raises(HttpStatusError, match="HTTP 500"):
        fetcher.get(site.base + "/broken.html")
    assert site.hits["/broken.html"] == 1 + settings.fetch_retries


def test_slow_response_times_out(site, fetcher):
    site.slow_seconds = 1.5
    started = time.monotonic()
    with pytest.raises(NetworkError, match="timed out"):
        fetcher.get(site.base + "/slow.html")
    assert time.monotonic() - started < 4 * 1.5  # 3 tries of 0.5 s, not 3 of 1.5 s


def test_redirect_loop_is_refused(site, fetcher):
    with pytest.raises(RedirectError, match="loop"):
        fetcher.get(site.base + "/loop-a")
    assert site.hits["/loop-a"] == 1 and site.hits["/loop-b"] == 1


def test_redirect_is_followed(site, fetcher):
    response = fetcher.get(site.base + "/moved.html", accept=PAGE_TYPES)
    assert response.url == site.base + "/articles/a1.html"


@pytest.mark.parametrize("path", ["/huge.html", "/huge-stream.html"])
def test_body_over_the_size_limit_is_dropped(site, fetcher, path):
    with pytest.raises(BodyTooLargeError, match="limit"):
        fetcher.get(site.base + path)


def test_unexpected_content_type_is_refused(site, fetcher):
    with pytest.raises(ContentTypeError, match="image/png"):
        fetcher.get(site.base + "/image.png", accept=PAGE_TYPES)


def test_connection_refused_is_a_network_error(settings):
    with Fetcher(settings) as client, pytest.raises(NetworkError, match="connection"):
        client.get("http://127.0.0.1:9/feed.xml")


def test_per_host_rate_limit_spaces_requests(site, settings):
    paced = load_settings(overrides={**_overrides(settings), "fetch_host_interval_s": 0.3}, env={})
    with Fetcher(paced) as client:
        started = time.monotonic()
        for key in ("a1", "a2", "a3"):
            client.get(f"{site.base}/articles/{key}.html")
        elapsed = time.monotonic() - started
    # robots.txt + 3 pages = 4 requests, 3 gaps of 0.3 s
    assert elapsed >= 0.85
    assert client.requests_per_host[site.base] == 4


def test_robots_crawl_delay_slows_the_pace_for_its_host(site, fetcher):
    site.robots = "User-agent: *\nCrawl-delay: 1\nDisallow: /private/\n"
    started = time.monotonic()
    fetcher.get(f"{site.base}/articles/a1.html")
    fetcher.get(f"{site.base}/articles/a2.html")
    # robots.txt, then two pages, each a second after the one before
    assert time.monotonic() - started >= 1.9


def _overrides(settings) -> dict:
    from dataclasses import asdict

    return {k: v for k, v in asdict(settings).items() if v is not None}


# ---------------------------------------------------------------------------
# Sources, OPML, watching


def test_opml_lists_the_feeds(site, tmp_path, fetcher):
    opml = tmp_path / "abonnements.opml"
    opml.write_bytes(fetcher.get(site.base + "/feeds.opml", accept=("text/x-opml",)).body)
    found = parse_opml(opml)
    assert [(s.url, s.name, s.language) for s in found] == [
        (site.base + "/rss.xml", "Le Quotidien", None),
        (site.base + "/atom.xml", "La Gazette", "fr"),
    ]


def test_bad_opml_is_one_clear_error(tmp_path):
    from veille.ingest.errors import FormatError

    bad = tmp_path / "cassé.opml"
    bad.write_text("<opml><body>", encoding="utf-8")
    with pytest.raises(FormatError, match="invalid OPML") as caught:
        parse_opml(bad)
    assert str(bad) in str(caught.value)


def _watch(store, settings, site, stages, *sources):
    for path in sources:
        store.add_source(new_source(site.base + path, settings, name=None))
    fetcher = Fetcher(settings)
    return Watcher(store, settings, fetcher=fetcher, stages=stages)


def test_a_poll_fetches_feeds_and_new_pages_once(site, settings, store, stages):
    watcher = _watch(store, settings, site, stages, "/rss.xml", "/atom.xml")
    report = watcher.poll()
    assert {r.source.kind for r in report.sources} == {SourceKind.FEED}
    # a2 is in both feeds (with different tracking parameters): fetched once
    pages = [p for p in site.paths_requested() if p.startswith(("/articles/", "/nodate"))]
    assert sorted(p.split("?")[0] for p in pages) == [
        "/articles/a1.html",
        "/articles/a2.html",
        "/articles/a3.html",
        "/nodate.html",
    ]
    assert "/private/secret.html" not in site.paths_requested()
    assert report.stored == 4
    items, total = store.list_articles(limit=10)
    assert total == 4
    sources = {s.url: s for s in store.list_sources()}
    rss = sources[site.base + "/rss.xml"]
    assert rss.articles + sources[site.base + "/atom.xml"].articles == 4
    assert rss.last_new_at is not None and rss.error_count == 0 and rss.etag
    assert rss.next_poll_at > rss.last_fetch_at
    # the forbidden item is recorded as skipped, with its reason
    states = store.fetched_states([site.base + "/private/secret.html"])
    assert states[site.base + "/private/secret.html"]["status"] == "skipped"
    # canonical URLs are the sources of the stored articles
    sources_stored = {i["source"] for i in items}
    assert site.base + "/articles/a1.html" in sources_stored


def test_feed_metadata_fills_what_the_page_lacks(site, settings, store, stages):
    watcher = _watch(store, settings, site, stages, "/rss.xml")
    watcher.poll()
    by_source = {
        a.source: a for a in (store.get_article(i) for i in store.article_ids()) if a is not None
    }
    bare = by_source[site.base + "/nodate.html"]
    assert bare.title == "Titre venu du flux"
    assert bare.published.iso() == "2024-03-05"
    assert bare.outlet == "Le Quotidien du Test"  # the feed's title, not the host name
    full = by_source[site.base + "/articles/a1.html"]
    assert full.title == "Article a1"  # the page's own title wins over the feed's


def test_second_poll_of_unchanged_feeds_is_conditional_and_stores_nothing(
    site, settings, store, stages
):
    watcher = _watch(store, settings, site, stages, "/rss.xml", "/atom.xml")
    watcher.poll()
    before = len(site.requests)
    later = datetime.now(UTC) + timedelta(hours=1)
    report = watcher.poll(now=later)
    new_requests = site.requests[before:]
    assert sorted(p for p, _ in new_requests) == ["/atom.xml", "/rss.xml"]
    assert all("if-none-match" in h for _, h in new_requests)
    assert [r.status for r in report.sources] == ["not modified", "not modified"]
    assert report.summary is None and store.stats()["articles"] == 4


def test_a_new_feed_item_is_fetched_on_the_next_poll(site, settings, store, stages):
    watcher = _watch(store, settings, site, stages, "/rss.xml")
    watcher.poll()
    site.rss_entries.insert(0, FeedEntry("/articles/a9.html", "Nouvel article"))
    report = watcher.poll(now=datetime.now(UTC) + timedelta(hours=1))
    assert report.stored == 1
    assert site.hits["/articles/a9.html"] == 1
    assert site.hits["/articles/a1.html"] == 1  # the known ones are not fetched again


def test_a_failing_source_is_backed_off_and_does_not_block_others(site, settings, store, stages):
    watcher = _watch(store, settings, site, stages, "/broken.html", "/atom.xml")
    now = datetime.now(UTC)
    report = watcher.poll(now=now)
    by_url = {r.source.url: r for r in report.sources}
    broken = by_url[site.base + "/broken.html"]
    assert broken.error is not None and broken.status.startswith("error: V132")
    assert by_url[site.base + "/atom.xml"].new == 2
    source = next(s for s in store.list_sources() if s.url.endswith("/broken.html"))
    assert source.error_count == 1
    first_wait = source.next_poll_at - now
    watcher.poll(now=source.next_poll_at)
    source = next(s for s in store.list_sources() if s.url.endswith("/broken.html"))
    assert source.error_count == 2
    assert source.next_poll_at - source.last_fetch_at > first_wait  # spaced out
    assert "HTTP 500" in source.last_error


def test_a_page_source_and_a_sitemap_source(site, settings, store, stages):
    watcher = _watch(store, settings, site, stages, "/articles/a1.html", "/sitemap.xml")
    report = watcher.poll()
    kinds = {r.source.url.rsplit("/", 1)[-1]: r.source.kind for r in report.sources}
    assert kinds == {"a1.html": SourceKind.PAGE, "sitemap.xml": SourceKind.SITEMAP}
    assert report.stored == 3  # a1 itself, then a3 and s1 from the sitemap
    assert site.hits["/articles/a1.html"] == 1


def test_fetched_bytes_are_kept_content_addressed(site, settings, store, stages):
    watcher = _watch(store, settings, site, stages, "/atom.xml")
    watcher.poll()
    raw = RawStore(settings.raw_store_dir)
    for article_id in store.article_ids():
        article = store.get_article(article_id)
        kept = raw.get(article.raw_hash)
        assert kept is not None and b"<article>" in kept


def test_transient_page_failures_are_retried_on_later_polls(site, settings, store, stages):
    site.rss_entries = [FeedEntry("/slow.html", "Lent")]
    site.slow_seconds = 1.0
    fast = load_settings(overrides={**_overrides(settings), "fetch_retries": 0}, env={})
    watcher = _watch(store, fast, site, stages, "/rss.xml")
    watcher.poll()
    state = store.fetched_states([site.base + "/slow.html"])[site.base + "/slow.html"]
    assert state["status"] == "retry"
    site.slow_seconds = 0.0
    site.rss_entries.append(FeedEntry("/articles/a1.html", "Un autre"))  # feed changes
    report = watcher.poll(now=datetime.now(UTC) + timedelta(hours=1))
    assert report.stored == 2
    state = store.fetched_states([site.base + "/slow.html"])[site.base + "/slow.html"]
    assert state["status"] == "stored" and state["attempts"] == 2


def test_watched_folder_ingests_new_files(site, settings, store, stages, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    watcher = Watcher(store, settings, fetcher=Fetcher(settings), stages=stages, folders=[inbox])
    assert watcher.poll().stored == 0
    (inbox / "depeche.txt").write_text(
        "Kiev a annoncé mardi la livraison de nouveaux systèmes de défense aérienne.\n"
        "Les premiers exemplaires seront déployés autour de la capitale.\n",
        encoding="utf-8",
    )
    assert watcher.poll().stored == 1
    assert watcher.poll().files == 0  # unchanged files are not read again


class PidStage:
    """Marks each article with the process that analysed it."""

    name = "pid"
    version = "1"

    def setup(self) -> None:
        pass

    def process(self, batch):
        import dataclasses
        import os

        for analysis in batch:
            flags = (*analysis.article.flags, f"pid:{os.getpid()}")
            analysis.article = dataclasses.replace(analysis.article, flags=flags)
        return batch


def test_watch_analyses_in_its_own_process_whatever_workers_says(site, settings, stages):
    import os

    forking = load_settings(
        overrides={**_overrides(settings), "workers": 2, "batch_size": 1}, env={}
    )
    with open_store(forking.db_path) as store:
        watcher = _watch(store, forking, site, [*stages, PidStage()], "/atom.xml")
        assert watcher.poll().stored == 2
        flags = {f for i in store.article_ids() for f in store.get_article(i).flags}
    assert {f for f in flags if f.startswith("pid:")} == {f"pid:{os.getpid()}"}
