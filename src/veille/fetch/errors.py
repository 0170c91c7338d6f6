"""Fetch errors: one line naming the URL and the reason, like every input error (V1xx).

``skipped`` ones are pages Veille deliberately does not take (robots.txt, too large, not
HTML); the others are failures. ``retry_at`` (monotonic seconds) is set when the server
asked to be left alone for longer than Veille waits in one poll.
"""

from __future__ import annotations

from veille.errors import InputError


class FetchError(InputError):
    code = "V130"
    transient = False  # worth another try on a later poll

    def __init__(self, reason: str, *, path: str | None = None, retry_after: float = 0.0):
        super().__init__(reason, path=path)
        self.retry_after = retry_after


class NetworkError(FetchError):
    """Connection refused or reset, DNS failure, timeout."""

    code = "V131"
    transient = True


class HttpStatusError(FetchError):
    code = "V132"

    def __init__(self, status: int, *, path: str | None = None, retry_after: float = 0.0):
        super().__init__(f"HTTP {status}", path=path, retry_after=retry_after)
        self.status = status
        self.transient = status == 429 or status >= 500


class RobotsForbiddenError(FetchError):
    code = "V133"
    skipped = True


class BodyTooLargeError(FetchError):
    code = "V134"
    skipped = True


class ContentTypeError(FetchError):
    code = "V135"
    skipped = True


class RedirectError(FetchError):
    """A redirect loop or more redirects than allowed."""

    code = "V136"


class NotAFeedError(FetchError):
    """The body is neither a feed, a sitemap nor an HTML page."""

    code = "V137"
