"""Turn the paths a user gives (files, folders, globs) into input files, in a stable order."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from veille.ingest.errors import FormatError, PathError

_GLOB_CHARS = set("*?[")


def _walk(folder: Path, extensions: tuple[str, ...]) -> Iterator[Path | PathError]:
    """Files under ``folder`` (following symlinks once; loops are reported, not followed)."""
    seen_dirs: set[tuple[int, int]] = set()
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            info = current.stat()
        except OSError as exc:
            yield PathError(f"cannot enter folder: {exc.strerror or exc}", path=str(current))
            continue
        key = (info.st_dev, info.st_ino)
        if key in seen_dirs:
            yield PathError("symlink loop: this folder was already visited", path=str(current))
            continue
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            yield PathError(f"cannot list folder: {exc.strerror or exc}", path=str(current))
            continue
        subdirs: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
                is_file = not is_dir and entry.is_file(follow_symlinks=True)
            except OSError as exc:  # ELOOP on a self-referencing link, EACCES
                yield PathError(f"cannot follow path: {exc.strerror or exc}", path=str(path))
                continue
            if is_dir:
                subdirs.append(path)
            elif is_file and path.suffix.lower() in extensions:
                yield path
            elif entry.is_symlink() and not path.exists():
                yield PathError("broken or looping symlink", path=str(path))
        stack.extend(reversed(subdirs))  # depth-first, alphabetical


def _glob(pattern: str) -> list[Path]:
    """Paths matching ``pattern`` (``**`` recursive), sorted; never through a symlinked
    folder during ``**`` recursion, so a symlink loop cannot multiply the matches.

    ``glob.glob`` follows such links until the OS gives up (one file 41 times, and
    exponentially many with two loops); ``Path.glob`` does not. Hidden names are left out
    unless the pattern names them, as ``glob.glob`` does.
    """
    parts = Path(pattern).parts
    first = next(i for i, part in enumerate(parts) if _GLOB_CHARS & set(part))
    base = Path(*parts[:first]) if first else Path(".")
    rest = parts[first:]
    explicit_hidden = any(part.startswith(".") for part in rest)
    found = []
    for match in base.glob("/".join(rest)):
        relative = match.relative_to(base).parts
        if not explicit_hidden and any(part.startswith(".") for part in relative):
            continue
        found.append(match if first else Path(os.path.relpath(match)))
    return sorted(found)


def expand_paths(
    paths: Iterable[str | Path], extensions: tuple[str, ...]
) -> Iterator[Path | PathError | FormatError]:
    """Every input file named by ``paths``, each once; problems come out as errors.

    A folder is walked recursively for files with ``extensions``; a path that does not
    exist but contains ``* ? [`` is a glob (``**`` recursive). A file named explicitly
    must have a supported extension.
    """
    emitted: set[str] = set()

    def once(path: Path) -> Iterator[Path]:
        key = os.path.realpath(path)  # one file reached by two names is read once
        if key not in emitted:
            emitted.add(key)
            yield path

    for given in paths:
        path = Path(given)
        if path.is_dir():
            for item in _walk(path, extensions):
                if isinstance(item, Path):
                    yield from once(item)
                else:
                    yield item
        elif path.exists() or path.is_symlink():
            if path.suffix.lower() not in extensions:
                yield FormatError(
                    f"unsupported file type {path.suffix or '(none)'}; "
                    f"expected one of {', '.join(extensions)}",
                    path=str(path),
                )
            elif not path.exists():
                yield PathError("broken or looping symlink", path=str(path))
            else:
                yield from once(path)
        elif _GLOB_CHARS & set(str(given)):
            try:
                matches = _glob(str(given))
            except (OSError, ValueError) as exc:
                yield PathError(f"cannot expand this pattern: {exc}", path=str(given))
                continue
            files = [m for m in matches if m.suffix.lower() in extensions]
            if not files and not any(m.is_dir() for m in matches):
                yield PathError("no input file matches this pattern", path=str(given))
            for match in files:
                if not match.is_dir():
                    yield from once(match)
        else:
            yield PathError("no such file or folder", path=str(given))
