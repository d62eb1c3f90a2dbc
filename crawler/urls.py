"""Canonical URLs: one spelling per article page, so the same page is never stored twice.

Scheme and host in lower case, default ports dropped, fragment dropped, percent-encoding
normalized, query parameters sorted; tracking parameters (utm_*, fbclid, gclid, Zalo's zarsrc…)
and session noise (jsessionid, ASP.NET cookieless `(S(…))` segments, PHPSESSID, Liferay's
`p_p_*` portlet state) removed. Parameters that identify the article (`nid`, `ItemID`, `id`, …)
are kept because they are the page. Trailing slashes are kept: portals serve different pages with
and without them.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
_TRACKING = {
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "yclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "zarsrc",
    "zaloapp",
    "_ga",
    "_gl",
    "ref",
    "ref_src",
    "share",
    "fb_action_ids",
    "fb_action_types",
    "fb_source",
    "action_object_map",
    "__twitter_impression",
    "s_cid",
    "cmpid",
    "ocid",
    "spm",
}
_SESSION = {"jsessionid", "phpsessid", "sid", "sessionid", "aspsessionid", "cfid", "cftoken"}
# Liferay portlet state that does not change which article is shown.
_LIFERAY_NOISE = re.compile(
    r"^(p_p_(id|lifecycle|state|mode|col_id|col_pos|col_count|auth|r_p_.*)|p_r_p_.*|p_l_id|"
    r"_\d+(_INSTANCE_\w+?)?_(redirect|backURL|returnToFullPageURL|delta|keywords|"
    r"advancedSearch|andOperator|cur|resetCur)|redirect|backURL|_com_liferay_.*_(redirect|backURL))$"
)
_ASPNET_COOKIELESS = re.compile(r"/\((?:[A-Za-z]\([^)]*\))+\)")
_PATH_PARAM_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)


def _drop_param(name: str) -> bool:
    lower = name.lower()
    return (
        lower.startswith(_TRACKING_PREFIXES)
        or lower in _TRACKING
        or lower in _SESSION
        or bool(_LIFERAY_NOISE.match(name))
    )


_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _pct(m: re.Match[str]) -> str:
    char = chr(int(m.group(1), 16))
    return char if char in _UNRESERVED else "%" + m.group(1).upper()


def _normalize_path(path: str) -> str:
    path = _PATH_PARAM_SESSION.sub("", path)
    path = _ASPNET_COOKIELESS.sub("", path)
    # One spelling per path: raw non-ASCII encoded, escapes of unreserved characters decoded,
    # other escapes (%2F is not /) kept with upper-case hex.
    path = quote(path, safe="/%:@!$&'()*+,;=-._~")
    path = _PCT.sub(_pct, path)
    return path or "/"


def canonicalize(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = f"[{host}]" if ":" in host else host  # IPv6 literal
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{netloc}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _drop_param(k)
    ]
    query.sort()
    return urlunsplit(
        (scheme, netloc, _normalize_path(parts.path), urlencode(query, quote_via=quote), "")
    )


def same_site(url: str, homepage: str) -> bool:
    """True when url is on the portal's host or one of its subdomains."""
    host = (urlsplit(url).hostname or "").lower()
    home = (urlsplit(homepage).hostname or "").lower()
    home = home.removeprefix("www.")
    return host == home or host.endswith("." + home) or host == "www." + home


_URL_JUNK = re.compile(r"[\x00-\x20\x7f]")


def join_url(base: str, href: str | None) -> str | None:
    """A page-provided link made absolute, or None when it cannot be a URL.

    As browsers do (WHATWG URL parsing), tabs, newlines and control characters inside the link
    are dropped first ("java\\tscript:" is "javascript:"); a malformed authority
    ("http://[::1") gives None instead of an exception."""
    if href is None:
        return None
    cleaned = _URL_JUNK.sub("", href.strip().replace(" ", "%20"))
    if not cleaned:
        return None
    try:
        joined = urljoin(base, cleaned)
        urlsplit(joined).port  # noqa: B018 - raises ValueError on a malformed port or host
    except ValueError:
        return None
    return joined
