"""Fetched bytes kept on disk, content-addressed, so a later Veille can re-analyse them.

``<db>.raw/ab/abcdef...`` holds the exact bytes of a fetched page, named by the same
blake2b digest that becomes the article's ``raw_hash``; ``fetched_urls`` maps URLs to it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from veille.ingest.formats import raw_digest


class RawStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest

    def put(self, raw: bytes) -> str:
        """Keep ``raw`` (once) and return its digest."""
        digest = raw_digest(raw)
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            # write then rename: a reader never sees half a file
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(raw)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return digest

    def get(self, digest: str) -> bytes | None:
        try:
            return self.path(digest).read_bytes()
        except FileNotFoundError:
            return None
