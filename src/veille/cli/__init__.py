"""The ``veille`` command line: a typer app; each command module registers itself here.

Registration is explicit (no import side effects): ``veille.cli.<x>_cmds.register(app)``.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="veille",
    help="Turn French war reporting into a structured, source-linked database.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Order is the order of `veille --help`.
COMMAND_MODULES: tuple[str, ...] = (
    "veille.cli.pipeline_cmds",  # run, articles, show, stats
    "veille.cli.export_cmds",  # export
    "veille.cli.eval_cmds",  # eval
    "veille.cli.link_cmds",  # incidents, stories, duplicates
    "veille.cli.serve_cmds",  # serve, report
    "veille.cli.sources_cmds",  # sources add|list|remove|import
    "veille.cli.watch_cmds",  # watch
)

for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def main() -> None:
    """Entry point of the ``veille`` script."""
    app()


__all__ = ["app", "main"]
