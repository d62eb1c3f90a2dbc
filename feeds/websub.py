"""WebSub publisher pings: after a build, tell the hub which feeds changed.

The feeds name the hub (`<link rel="hub">` in Atom, `<atom:link rel="hub">` in RSS, `hubs` in
JSON Feed); subscribers subscribe there, and the hub fetches a feed when pinged. A ping is the
de-facto publish request of the WebSub hubs in use (Google's PubSubHubbub, Superfeedr,
WebSub.Rocks): a form POST `hub.mode=publish` with one `hub.url` per changed feed, several
feeds per request. A hub that is down costs a logged error, never the build.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlencode

log = logging.getLogger(__name__)

PER_REQUEST = 50  # hub.url values per POST
TIMEOUT_S = 5.0
FEED_SUFFIXES = (".atom", ".rss", ".json")


@dataclass
class PingResult:
    urls: list[str] = field(default_factory=list)  # the feed URLs the hub accepted
    errors: list[str] = field(default_factory=list)


def ping(hub: str, feed_urls: list[str], *, timeout: float = TIMEOUT_S) -> PingResult:
    """POST the changed feed URLs to the hub, PER_REQUEST at a time."""
    # Imported here: most builds have no hub, and urllib.request (http.client, email) is a
    # twentieth of the build command's start-up.
    import urllib.error
    import urllib.request

    result = PingResult()
    for start in range(0, len(feed_urls), PER_REQUEST):
        chunk = feed_urls[start : start + PER_REQUEST]
        body = urlencode([("hub.mode", "publish"), *(("hub.url", u) for u in chunk)]).encode()
        request = urllib.request.Request(
            hub,
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, OSError) as exc:
            result.errors.append(f"hub {hub}: {getattr(exc, 'reason', exc)}")
            log.warning("WebSub ping to %s failed: %s", hub, exc)
            continue
        if 200 <= status < 300:
            result.urls += chunk
        else:
            result.errors.append(f"hub {hub}: HTTP {status}")
            log.warning("WebSub hub %s answered %s", hub, status)
    return result


def changed_feeds(written: list[str], base_url: str) -> list[str]:
    """The absolute URLs of the feed files a build rewrote (pages and OPML are not feeds)."""
    return [base_url + path for path in written if path.endswith(FEED_SUFFIXES)]
