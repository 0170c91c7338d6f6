"""``veille eval``: score predictions (a directory or the store) against gold files."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from veille.cli.common import (
    ConfigOption,
    DbOption,
    JsonOption,
    console,
    handle_errors,
    make_settings,
    open_read_store,
    print_json,
)
from veille.cli.export_cmds import load_kb
from veille.eval import DocScore, EvalReport, PartScore, evaluate_dirs, evaluate_store

PART_LABELS = {"events": "Events", "aid": "Aid", "claims": "Claims", "quantities": "Quantities"}


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def summary_table(overall: DocScore) -> Table:
    """One row per FORMAT.md part: P, R, F1 for lists, a share for the others."""
    table = Table(title="Overall (micro-averaged)")
    for column in ("part", "P", "R", "F1", "share", "counts"):
        table.add_column(column, justify="left" if column in ("part", "counts") else "right")
    shares = (
        ("body checks", overall.body, "passed"),
        ("published", overall.published, "correct"),
        ("entities (recall)", overall.entities, "matched"),
    )
    for label, tally, word in shares:
        table.add_row(label, "", "", "", _fmt(tally.share), f"{tally.correct}/{tally.total} {word}")
    for part, label in PART_LABELS.items():
        s: PartScore = getattr(overall, part)
        counts = f"tp {s.tp}  fp {s.fp}  fn {s.fn}" + (
            f"  optional {s.ignored}" if s.ignored else ""
        )
        table.add_row(label, _fmt(s.precision), _fmt(s.recall), _fmt(s.f1), "", counts)
    return table


def attribute_table(overall: DocScore) -> Table:
    """Per-attribute accuracy on matched (credited) pairs."""
    table = Table(title="Attribute accuracy on matched pairs")
    table.add_column("part")
    table.add_column("attribute")
    table.add_column("accuracy", justify="right")
    table.add_column("correct/total", justify="right")
    for part in ("events", "aid", "claims"):
        for name, tally in getattr(overall, part).attributes.items():
            table.add_row(part, name, _fmt(tally.share), f"{tally.correct}/{tally.total}")
    return table


def documents_table(report: EvalReport) -> Table:
    table = Table(title="Per document")
    table.add_column("doc")
    for column in ("body", "published", "entities R", "events F1", "aid F1", "claims F1", "qty F1"):
        table.add_column(column, justify="right")
    for name, doc in report.documents.items():
        label = name if doc.predicted else f"{name} (no prediction)"
        table.add_row(
            label,
            _fmt(doc.body.share),
            "ok" if doc.published.correct else "wrong",
            _fmt(doc.entities.share),
            _fmt(doc.events.f1),
            _fmt(doc.aid.f1),
            _fmt(doc.claims.f1),
            _fmt(doc.quantities.f1),
        )
    return table


def details_table(report: EvalReport) -> Table:
    """Per document and part: required gold items missed, predictions matching nothing."""
    table = Table(title="Missed gold items (-) and false positives (+)")
    for column in ("doc", "part", "", "item"):
        table.add_column(column)
    for name, doc in report.documents.items():
        for part, lists in doc.details.items():
            for sign, key in (("-", "missed"), ("+", "false_positives")):
                for item in lists[key]:
                    fields = ", ".join(f"{k}={v}" for k, v in item.items() if k != "evidence")
                    evidence = item.get("evidence")
                    text = fields + (f" | {evidence}" if evidence else "")
                    table.add_row(name, part, sign, text)
    return table


def _fields(item: dict, skip: tuple[str, ...] = ("evidence", "sentence", "near")) -> str:
    return ", ".join(f"{k}={v}" for k, v in item.items() if k not in skip)


def print_misses(report: EvalReport, out: Console) -> None:
    """Every missed gold item (-), false positive (+) and matched item with a wrong
    attribute (~), grouped by part, with its sentence.

    Plain lines rather than a table: the sentences are long and meant to be read whole.
    """
    for part in (*PART_LABELS,):
        missed = [
            (name, item)
            for name, doc in report.documents.items()
            for item in doc.details.get(part, {}).get("missed", [])
        ]
        extra = [
            (name, item)
            for name, doc in report.documents.items()
            for item in doc.details.get(part, {}).get("false_positives", [])
        ]
        out.rule(f"{PART_LABELS[part]}: {len(missed)} missed, {len(extra)} false positives")
        line = functools.partial(out.print, markup=False, highlight=False, soft_wrap=True)
        for name, item in missed:
            line(f"- {name}  {_fields(item)}")
            if item.get("evidence"):
                line(f"    gold evidence: {item['evidence']}")
            if item.get("sentence"):
                line(f"    sentence: {item['sentence']}")
            for near in item.get("near") or ():
                line(f"    predicted here: {_fields(near)}")
        for name, item in extra:
            line(f"+ {name}  {_fields(item)}")
            if item.get("evidence"):
                line(f"    sentence: {item['evidence']}")
        for name, doc in report.documents.items():
            for item in doc.details.get(part, {}).get("wrong_attributes", []):
                wrong = ", ".join(
                    f"{k}: gold {g!r}, predicted {p!r}" for k, (g, p) in item["wrong"].items()
                )
                line(f"~ {name}  {wrong}")
                line(f"    sentence: {item['evidence']}")


def print_report(
    report: EvalReport, console: Console, *, details: bool = False, misses: bool = False
) -> None:
    overall = report.overall
    console.print(summary_table(overall))
    console.print(attribute_table(overall))
    console.print(documents_table(report))
    if details:
        console.print(details_table(report))
    if misses:
        print_misses(report, console)
    if report.missing:
        console.print(
            f"[yellow]No prediction for {len(report.missing)} gold document(s):[/] "
            + ", ".join(report.missing)
        )
    if report.unscored:
        console.print(f"{len(report.unscored)} prediction(s) without gold were not scored.")


def eval_command(
    gold_dir: Annotated[Path, typer.Argument(help="Directory of gold JSON files.")],
    pred: Annotated[
        Path | None,
        typer.Option("--pred", help="Directory of prediction files (veille export --format gold)."),
    ] = None,
    db: DbOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
    details: Annotated[
        bool, typer.Option("--details", help="List missed gold items and false positives.")
    ] = False,
    misses: Annotated[
        bool,
        typer.Option(
            "--misses",
            help="Print every missed gold item and false positive with its sentence, by part.",
        ),
    ] = False,
) -> None:
    """Score predictions (--pred DIR, else the store) against gold annotations.

    --json prints {"overall": ..., "documents": ...}; each document also lists its
    missed gold items and false positives under "details".
    """
    with handle_errors():
        if pred is not None:
            report = evaluate_dirs(gold_dir, pred)
        else:
            settings = make_settings(db, config)
            kb = load_kb(settings)
            store = open_read_store(settings)
            try:
                report = evaluate_store(gold_dir, store, kb)
            finally:
                store.close()
    if as_json:
        print_json(report.to_dict())
    else:
        print_report(report, console, details=details, misses=misses)


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
