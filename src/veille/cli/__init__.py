"""The ``veille`` command line: a typer app; each command module registers itself here.

Registration is explicit (no import side effects): ``veille.cli.<x>_cmds.register(app)``.
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated, Any

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError  # typer vendors click
from typer.core import TyperGroup

from veille import __version__
from veille.errors import printable

USAGE_CODE = "V010"  # a usage error: unknown option, missing argument, bad value


class OneLineErrors(TyperGroup):
    """Usage errors as one ``V010 command: reason`` line on stderr (exit 2), never a box."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as exc:
            if not standalone_mode:
                raise
            typer.echo(exc.ctx.get_help() if exc.ctx else str(exc))
            sys.exit(0)
        except ClickException as exc:
            if not standalone_mode:
                raise
            where = exc.ctx.command_path if getattr(exc, "ctx", None) else "veille"
            message = printable(exc.format_message())
            sys.stderr.write(f"{USAGE_CODE} {where}: {message}\n")
            sys.exit(exc.exit_code)
        except typer.Abort:
            if not standalone_mode:
                raise
            sys.stderr.write("Aborted.\n")
            sys.exit(1)
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    name="veille",
    cls=OneLineErrors,
    help="Turn French war reporting into a structured, source-linked database.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"veille {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Turn French war reporting into a structured, source-linked database."""


_: Any = _root

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
