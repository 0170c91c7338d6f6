"""Property tests over ingest with hostile input (issue 12): whatever the files, a run
never raises, every input ends stored or named by a one-line ``Vxxx`` error, and the
valid files beside it are always stored.

Bounded in ``make test``; ``make fuzz`` runs them long (``VEILLE_FUZZ=1``).
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hostile import CASES, FUZZ, RELATIVE, WEIRD_TEXT, fuzz_settings, hostile_file
from test_pipeline import FakeNLP, fake_enrich
from veille.errors import printable
from veille.ingest.formats import source_key
from veille.lang.fr.dates import find_times
from veille.model import FuzzyDate, Precision
from veille.pipeline import AnalyzeStage, LanguageStage, run
from veille.settings import load_settings
from veille.store import open_store

ERROR_LINE = re.compile(r"^V\d{3} \S")


@pytest.fixture(scope="module")
def fake_stages():
    mp = pytest.MonkeyPatch()
    mp.setattr("veille.enrich.enrich", fake_enrich)
    mp.setattr("veille.extract.extract", lambda analysis, pack, kb: analysis)
    yield [LanguageStage(), AnalyzeStage(kb=object(), nlps={"fr": FakeNLP()})]
    mp.undo()


GOOD = (
    "Frappes sur Odessa {n}\n\nDes frappes russes ont touché le port d'Odessa dans la nuit, "
    "faisant {n} blessés selon les autorités régionales ukrainiennes.\n"
)


FILES_PER_RUN = (12, 24) if FUZZ else (3, 8)


@given(
    files=st.integers(*FILES_PER_RUN).flatmap(
        lambda n: st.tuples(*[hostile_file(i) for i in range(n)])
    )
)
@fuzz_settings(quick=10, long=600)
def test_hostile_folders_never_break_a_run(fake_stages, files):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        paths = []
        for name, data, _kind in files:
            path = os.path.join(os.fsencode(folder), os.fsencode(name))
            with open(path, "wb") as handle:
                handle.write(data)
            paths.append(os.fsdecode(path))
        good = [folder / f"zz_good_{n}.txt" for n in (1, 2)]
        for n, path in enumerate(good, start=1):
            path.write_text(GOOD.format(n=n + 10 * len(files)), encoding="utf-8")
        settings = load_settings(
            overrides={"db_path": Path(tmp) / "f.duckdb", "workers": 1}, env={}
        )

        summary = run([folder], settings, stages=fake_stages)  # never raises

        CASES["ingest: hostile files"] += len(files)
        with open_store(settings.db_path, read_only=True) as store:
            rows = store.connection().execute("SELECT source FROM articles").fetchall()
        sources = {row[0] for row in rows}
        for path in good:  # valid neighbours are always stored
            assert source_key(path) in sources, [str(e) for e in summary.errors]
        named = [str(e) for e in (*summary.errors, *summary.warnings)]
        for line in named:  # one line, printable, with a code
            assert ERROR_LINE.match(line) and printable(line) == line, repr(line)
        for index, (path, (name, _data, kind)) in enumerate(zip(paths, files, strict=True)):
            key = source_key(Path(path))
            stored = key in sources or any(s.startswith(f"{key}#L") for s in sources)
            if kind == "jsonl":  # a record with a URL is stored under it
                stored = stored or any(s.startswith(f"https://f{index}-") for s in sources)
            named_here = any((e.path or "").startswith(printable(path)) for e in summary.errors)
            assert stored or named_here, (name, kind, named)
        assert not any(e.code == "V401" for e in summary.errors), named  # linking, indexing


@given(
    published=st.dates(),
    precision=st.sampled_from(list(Precision)),
    text=st.lists(st.one_of(RELATIVE, WEIRD_TEXT), min_size=1, max_size=6).map(" ".join),
)
@fuzz_settings(quick=150, long=6_000)
def test_dates_anywhere_in_the_calendar_never_overflow(published, precision, text):
    fuzzy = FuzzyDate(published, precision)
    for found in find_times(SimpleNamespace(text=text), fuzzy):
        for value in (found.date, found.end_date):
            assert value is None or value.value is None or date.min < value.value < date.max
    CASES["dates: relative expressions"] += 1
