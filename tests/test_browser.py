"""The dashboard in headless Chromium (Debian's package, driven by Playwright).

The demo database is built as ``make demo`` builds it (the real pipeline over
examples/corpus) plus a hostile article ingested from a .txt file, then topped up with the
hand-made demo analyses (located events, aid, claims) so every chart has data whatever
the extractors find today. The app is served by uvicorn on 127.0.0.1 (free port) in a
thread. Screenshots go to artifacts/ (gitignored).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from test_api import load_synth_store

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from veille.pipeline import run
    from veille.search import index_articles
    from veille.settings import load_settings
    from veille.store import open_store

    synth = load_synth_store()
    work = tmp_path_factory.mktemp("browser")
    inbox = work / "inbox"
    inbox.mkdir()
    for seed in sorted((ROOT / "examples" / "corpus").glob("*.txt")):
        shutil.copy(seed, inbox / seed.name)
    (inbox / "hostile.txt").write_text(
        "<script>window.__veille_xss = 8;</script> Titre piégé sur Kharkiv\n\n"
        + synth.HOSTILE_TEXT,
        encoding="utf-8",
    )
    settings = load_settings(overrides={"db_path": work / "demo.duckdb"})
    summary = run([inbox], settings)
    assert summary.read == 6, summary

    analyses = synth.demo_analyses()
    store = open_store(settings.db_path)
    try:
        store.save_batch(analyses)
        store.save_incidents(synth.demo_incidents(analyses), replace_all=False)
        index_articles(store, settings)
        hostile_ids = [
            row[0]
            for row in store.connection()
            .execute("SELECT id FROM articles WHERE text LIKE '%__veille_xss%'")
            .fetchall()
        ]
    finally:
        store.close()
    return settings, analyses, hostile_ids


@pytest.fixture(scope="module")
def server(demo):
    import uvicorn

    from veille.api import create_app

    settings, _, _ = demo
    port = free_port()
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    app.state.veille.store.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, server):
    """A page that records dialogs, script errors and every requested URL."""
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    pg = context.new_page()
    pg.events = {"dialogs": [], "errors": [], "requests": []}
    pg.on("dialog", lambda d: (pg.events["dialogs"].append(d.message), d.dismiss()))
    pg.on("pageerror", lambda e: pg.events["errors"].append(str(e)))
    pg.on("request", lambda r: pg.events["requests"].append(r.url))
    yield pg
    assert not pg.events["errors"], pg.events["errors"]
    assert not pg.events["dialogs"], pg.events["dialogs"]
    foreign = [u for u in pg.events["requests"] if not u.startswith(server)]
    assert not foreign, f"requests outside the app: {foreign}"
    context.close()


def shot(pg, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_overview_renders_timeline_and_aid_chart(page, server):
    page.goto(server + "/")
    page.wait_for_selector("#timeline svg rect.bar")
    assert page.locator("#timeline svg rect.bar").count() >= 3
    assert page.locator("#aid-chart svg rect.bar").count() >= 2
    assert int(page.locator("#counts .card .n").first.inner_text().replace(" ", "")) >= 10
    shot(page, "overview")


def test_map_draws_outlines_and_events_offline(page, server):
    page.goto(server + "/map")
    page.wait_for_selector("#map svg circle.event-dot")
    assert page.locator("#map svg .land path").count() > 40  # bundled Natural Earth outlines
    assert page.locator("#map svg circle.event-dot").count() >= 4
    colours = {
        page.locator(f"#map circle[data-type='{t}']").first.get_attribute("fill")
        for t in ("ASSAULT", "AID")
    }
    assert len(colours) == 2  # coloured by type
    shot(page, "map")


def test_aid_table_and_chart(page, server):
    page.goto(server + "/aid")
    page.wait_for_selector("#aid-chart svg rect.bar")
    rows = page.locator("#aid-table tbody tr")
    assert rows.count() >= 3
    assert "USA" in page.locator("#aid-table").inner_text()
    shot(page, "aid")


def test_clicking_an_event_opens_its_evidence_highlighted(page, server, demo):
    _, analyses, _ = demo
    event = analyses[0].events[0]  # Crimea: "... avaient abattu 31 drones ..."
    page.goto(server + "/events?type=ASSAULT&verification=unverified")
    page.locator(f"tr[data-event='{event.id}'] a.event-link").click()
    page.wait_for_url(f"**/articles/{event.article_id}#ev-{event.id}")
    page.wait_for_selector(".article-text .active")
    highlighted = "".join(page.locator(".article-text .active").all_inner_texts())
    assert "avaient abattu 31 drones" in highlighted
    assert page.locator(".article-text .active").first.is_visible()
    assert page.locator(f"li[data-key='ev-{event.id}']").get_attribute("class") == "active"
    shot(page, "evidence")


def test_map_point_opens_the_article(page, server, demo):
    _, analyses, _ = demo
    event = analyses[1].events[0]  # Samara strike
    page.goto(server + "/map")
    point = page.locator(f"#map a[href='/articles/{event.article_id}#ev-{event.id}'] circle")
    point.hover(force=True)  # the tooltip shows the evidence
    assert "Samara" in page.locator(".tooltip").inner_text()
    point.dispatch_event("click")  # other points may overlap it: click this one itself
    page.wait_for_selector(".article-text .active")
    assert "Samara" in "".join(page.locator(".article-text .active").all_inner_texts())


def test_injected_script_never_runs(page, server, demo):
    _, _, hostile_ids = demo
    assert len(hostile_ids) == 2  # ingested from the .txt file and the hand-made one
    for url in [f"/articles/{i}" for i in hostile_ids] + [
        "/",
        "/events",
        "/claims",
        "/entities",
        "/search?q=Kharkiv",
        "/map",
    ]:
        page.goto(server + url)
        page.wait_for_load_state("load")
        page.mouse.move(400, 300)
        for el in page.locator(".article-text span, td, .hit").all()[:40]:
            el.hover(timeout=2000, force=True)
        assert page.evaluate("typeof window.__veille_xss") == "undefined", url
        assert page.locator(".article-text img, td img, .hit img").count() == 0, url
    page.goto(server + f"/articles/{hostile_ids[0]}")
    assert "<script>" in page.locator("body").inner_text()  # shown as text
    shot(page, "hostile")


def test_search_box_with_filters(page, server):
    page.goto(server + "/")
    page.fill("header input[type=search]", "drones")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=drones")
    assert page.locator(".hit").count() >= 1
    page.select_option("select[name=type]", "ASSAULT")
    page.click("#search-form button")
    page.wait_for_url("**type=ASSAULT**")
    assert page.locator(".hit mark").count() >= 1
    shot(page, "search")


def test_date_range_control_filters_every_panel(page, server):
    page.goto(server + "/")
    page.wait_for_selector("#timeline svg rect.bar")
    all_events = int(page.locator("#counts .card .n").nth(1).inner_text().replace(" ", ""))
    all_bars = page.locator("#timeline svg rect.bar").count()
    page.fill("#date-range input[name=date_from]", "2023-10-05")
    page.fill("#date-range input[name=date_to]", "2023-10-05")
    page.locator("#date-range button[type=submit]").click()
    page.wait_for_url("**/?date_from=2023-10-05&date_to=2023-10-05")
    page.wait_for_selector("#date-range-note")
    events = int(page.locator("#counts .card .n").nth(1).inner_text().replace(" ", ""))
    assert 0 < events < all_events
    bars = page.locator("#timeline svg rect.bar")
    assert 0 < bars.count() < all_bars
    # a day, or the month of an event known only to the month (then every bar is a month)
    periods = {bars.nth(i).get_attribute("data-period") for i in range(bars.count())}
    assert periods in ({"2023-10-05"}, {"2023-10"})
    # the latest-events panel obeys the same range
    dates = page.locator("table.events tbody tr td.num").all_inner_texts()
    assert dates and all(d.strip() in ("2023-10-05", "2023-10") for d in dates)
    shot(page, "overview-date-range")


def test_incident_page_opens_from_the_list(page, server):
    page.goto(server + "/incidents")
    link = page.locator("a.incident-link").first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url("**" + href)
    page.wait_for_selector("#incident-mentions tr.mention")
    assert page.locator("#incident-mentions tr.mention").count() >= 1
    assert page.locator("#incident-articles tbody tr").count() >= 1
    assert page.locator(".source-line").count() >= 2  # outlet and date of each report
    page.locator("#incident-mentions tr.mention a").first.click()
    page.wait_for_selector(".article-text .active")
    shot(page, "incident")


def test_download_this_view_keeps_the_filters(page, server):
    page.goto(server + "/events?type=ASSAULT")
    link = page.locator("#downloads a.download[data-format=csv]")
    assert link.get_attribute("href") == "/api/v1/download/events.csv?type=ASSAULT"
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "veille-events.csv"
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    type_col = header.index("type")
    assert len(lines) > 1 and all(row.split(",")[type_col] == "ASSAULT" for row in lines[1:2])
    # sortable columns: clicking a header reorders the rows of the page
    page.locator("table.events thead th").nth(1).click()
    assert page.locator("table.events thead th").nth(1).get_attribute("aria-sort") == "ascending"
