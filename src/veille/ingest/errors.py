"""Per-input errors (V1xx). Each names the file and says why in one line.

``skipped`` errors are inputs Veille deliberately does not take (empty, binary, too large,
no article text); the others are failures (unreadable, undecodable, malformed).
"""

from __future__ import annotations

from veille.errors import InputError


class DecodeError(InputError):
    code = "V101"


class EmptyInputError(InputError):
    code = "V102"
    skipped = True


class BinaryInputError(InputError):
    code = "V103"
    skipped = True


class TooLargeError(InputError):
    code = "V104"
    skipped = True


class UnreadableError(InputError):
    code = "V105"


class NoArticleTextError(InputError):
    code = "V106"
    skipped = True


class PathError(InputError):
    """Missing path, symlink loop, nothing matching a glob."""

    code = "V107"


class FormatError(InputError):
    """Unsupported file type, malformed JSONL line."""

    code = "V108"


class AnalysisError(InputError):
    """An analysis stage raised on this article; it is not stored so a later run retries."""

    code = "V109"


class RepairedInputWarning(InputError):
    """The input was stored, but something in it had to be repaired (a stray invalid byte).

    A warning: printed like an error, but the run still exits 0.
    """

    code = "V112"


def is_skip(error: InputError) -> bool:
    return bool(getattr(error, "skipped", False))
