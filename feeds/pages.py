"""The human side of the output dir: OPML subscription lists, index.html and the status page and
feed. Plain static HTML (no JavaScript), every value escaped."""

from __future__ import annotations

import html
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urljoin
from xml.etree import ElementTree as ET

from feedgen.feed import FeedGenerator

from crawler import places
from crawler.clock import parse_iso
from crawler.textnorm import strip_illegal
from feeds.catalog import FEED_NS, FeedSpec
from feeds.render import GENERATOR


def _e(value: object) -> str:
    return html.escape(strip_illegal(str(value if value is not None else "")), quote=True)


def opml(title: str, groups: Sequence[tuple[str, Sequence[FeedSpec]]], base_url: str) -> bytes:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "ownerName").text = "vnfeeds"
    body = ET.SubElement(root, "body")
    for group_title, specs in groups:
        parent = ET.SubElement(body, "outline", text=group_title)
        for spec in specs:
            ET.SubElement(
                parent,
                "outline",
                type="rss",
                text=spec.title,
                title=spec.title,
                xmlUrl=urljoin(base_url, spec.path("atom")),
                htmlUrl=urljoin(base_url, "index.html"),
                description=spec.description,
            )
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def index_opml(base_url: str) -> bytes:
    return opml(
        "vnfeeds – cổng thông tin điện tử các tỉnh, thành phố",
        [
            ("Tất cả", [FeedSpec("all")]),
            (
                "Tỉnh, thành phố",
                [FeedSpec(f"province/{p}", province=p) for p in places.provinces()],
            ),
            ("Chủ đề", [FeedSpec(f"topic/{t}", topic=t) for t in places.topics()]),
        ],
        base_url,
    )


def province_opml(province: str, base_url: str) -> bytes:
    name = places.provinces()[province].name
    return opml(
        f"{name} – tin theo chủ đề (vnfeeds)",
        [
            (
                name,
                [
                    FeedSpec(f"province/{province}/{t}", province=province, topic=t)
                    for t in places.topics()
                ],
            )
        ],
        base_url,
    )


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;"
    "color:#1b1b1b;line-height:1.45}"
    "table{border-collapse:collapse;width:100%;margin:1rem 0}"
    "th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}a{color:#0b57a4}code{background:#f3f3f3;padding:0 .25rem}"
    ".muted{color:#666}.bad{color:#a40b0b;font-weight:600}.ok{color:#176b1d}"
    "details{margin:.2rem 0}summary{cursor:pointer}"
)


def _links(stem: str, base_url: str) -> str:
    return " · ".join(
        f'<a href="{_e(urljoin(base_url, f"{stem}.{fmt}"))}">{label}</a>'
        for fmt, label in (("atom", "Atom"), ("rss", "RSS"), ("json", "JSON"))
    )


def index_html(counts: Mapping[str, tuple[int, str | None]], base_url: str, built: str) -> bytes:
    """The page a person uses to find and subscribe to a feed.

    counts: feed stem -> (entries, newest published) for the feeds listed.
    """

    def row(stem: str, label: str, extra: str = "") -> str:
        n, newest = counts.get(stem, (0, None))
        newest_s = _e(newest[:16].replace("T", " ")) if newest else '<span class="muted">–</span>'
        return (
            f"<tr><td>{label}</td><td>{_links(stem, base_url)}{extra}</td>"
            f"<td>{n}</td><td>{newest_s}</td></tr>"
        )

    provinces = places.provinces()
    topics = places.topics()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>vnfeeds – tin từ cổng thông tin điện tử các tỉnh, thành phố</title>",
        f'<link rel="alternate" type="application/atom+xml" title="Tất cả" '
        f'href="{_e(urljoin(base_url, "all.atom"))}">',
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Tin từ cổng thông tin điện tử các tỉnh, thành phố</h1>",
        "<p>Các nguồn tin dưới đây được tổng hợp tự động từ cổng thông tin điện tử của 34 tỉnh, "
        "thành phố (và các cổng trước sáp nhập). Mỗi bài dẫn về trang gốc; khi phát hành lại, "
        "xin ghi rõ nguồn. Sao chép địa chỉ một nguồn tin vào trình đọc tin (Miniflux, FreshRSS, "
        "Feedly, Thunderbird…), hoặc nhập cả danh sách "
        f'<a href="{_e(urljoin(base_url, "index.opml"))}">index.opml</a>.</p>',
        '<p class="muted">News feeds of Vietnam\'s provincial government portals. '
        f'Status of every source: <a href="{_e(urljoin(base_url, "status.html"))}">status</a>.</p>',
        "<h2>Tất cả</h2><table><tr><th>Nguồn tin</th><th>Đăng ký</th><th>Bài</th>"
        "<th>Mới nhất</th></tr>",
        row("all", "Tất cả tỉnh, thành phố"),
        "</table>",
        "<h2>Theo tỉnh, thành phố</h2><table><tr><th>Tỉnh, thành phố</th><th>Đăng ký</th>"
        "<th>Bài</th><th>Mới nhất</th></tr>",
    ]
    for slug, p in provinces.items():
        opml_link = (
            f' · <a href="{_e(urljoin(base_url, f"province/{slug}.opml"))}">OPML theo chủ đề</a>'
        )
        topic_links = "".join(
            f"<li>{_e(t.name)}: {_links(f'province/{slug}/{ts}', base_url)}</li>"
            for ts, t in topics.items()
        )
        label = (
            f'{_e(p.name)}<details><summary class="muted">theo chủ đề</summary>'
            f"<ul>{topic_links}</ul></details>"
        )
        parts.append(row(f"province/{slug}", label, opml_link))
    parts.append(
        "</table><h2>Theo chủ đề</h2><table><tr><th>Chủ đề</th><th>Đăng ký</th>"
        "<th>Bài</th><th>Mới nhất</th></tr>"
    )
    for slug, t in topics.items():
        parts.append(row(f"topic/{slug}", _e(t.name)))
    parts.append("</table>")
    parts.append(
        f'<p class="muted">Cập nhật theo dữ liệu đến {_e(built[:16].replace("T", " "))}'
        " (giờ Việt Nam). Tạo bởi vnfeeds.</p></body></html>\n"
    )
    return "\n".join(parts).encode("utf-8")


_STATE_CLASS = {
    "ok": "ok",
    "partial": "ok",
    "failed": "bad",
    "timeout": "bad",
    "interrupted": "bad",
    "running": "muted",
}


def status_html(health: Sequence[Mapping[str, Any]], base_url: str, built: str) -> bytes:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>vnfeeds – trạng thái nguồn tin</title>",
        f'<link rel="alternate" type="application/atom+xml" title="Cảnh báo" '
        f'href="{_e(urljoin(base_url, "status.atom"))}">',
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Trạng thái nguồn tin</h1>",
        f'<p><a href="{_e(urljoin(base_url, "index.html"))}">Danh sách nguồn tin</a> · '
        f'<a href="{_e(urljoin(base_url, "status.atom"))}">Cảnh báo (Atom)</a></p>',
        "<table><tr><th>Nguồn</th><th>Tỉnh</th><th>Lần chạy cuối</th><th>Trạng thái</th>"
        "<th>Thành công gần nhất</th><th>Bài</th><th>Ghi chú</th></tr>",
    ]
    provinces = places.provinces()
    for h in health:
        run = h.get("last_run") or {}
        status = run.get("status", "never")
        cls = _STATE_CLASS.get(status, "muted")
        prov = provinces.get(h["province"])
        parts.append(
            f'<tr><td><a href="{_e(h["homepage"])}">{_e(h["name"])}</a><br>'
            f"<code>{_e(h['id'])}</code>{'' if h['enabled'] else ' (tắt)'}</td>"
            f"<td>{_e(prov.name if prov else h['province'])}</td>"
            f"<td>{_e((run.get('started') or '–')[:16].replace('T', ' '))}</td>"
            f'<td class="{cls}">{_e(status)}</td>'
            f"<td>{_e((h.get('last_success') or '–')[:16].replace('T', ' '))}</td>"
            f"<td>{_e(h['articles'])}</td>"
            f"<td>{_e(run.get('message') or '')}</td></tr>"
        )
    parts.append(
        f'</table><p class="muted">Cập nhật {_e(built[:16].replace("T", " "))}.</p></body></html>\n'
    )
    return "\n".join(parts).encode("utf-8")


def status_atom(alerts: Sequence[Mapping[str, Any]], base_url: str, fallback: str) -> bytes:
    """One entry per failure episode of a source (its id stays while the episode lasts)."""
    fg = FeedGenerator()
    fg.id(f"urn:uuid:{uuid.uuid5(FEED_NS, 'vnfeeds:status')}")
    fg.title("vnfeeds – cảnh báo nguồn tin")
    fg.subtitle("Nguồn tin đang lỗi")
    fg.link(href=urljoin(base_url, "status.html"), rel="alternate")
    fg.link(href=urljoin(base_url, "status.atom"), rel="self", type="application/atom+xml")
    fg.author({"name": "vnfeeds", "uri": base_url})
    fg.generator(*GENERATOR)
    fg.language("vi")
    newest: datetime = parse_iso(max((a["since"] for a in alerts), default=fallback))
    fg.updated(newest)
    for alert in alerts:
        fe = fg.add_entry(order="append")
        fe.id(f"urn:uuid:{uuid.uuid5(FEED_NS, 'alert:' + str(alert['episode']))}")
        fe.title(strip_illegal(f"{alert['source_id']}: {alert['status']}"))
        fe.link(href=urljoin(base_url, "status.html"), rel="alternate")
        fe.published(parse_iso(alert["since"]))
        fe.updated(parse_iso(alert["since"]))
        fe.content(
            strip_illegal(
                f"{alert['name']} ({alert['source_id']}): "
                f"{alert['failures']} lần chạy lỗi liên tiếp "
                f"từ {alert['since']}. {alert.get('message') or ''}"
            ),
            type="text",
        )
    return bytes(fg.atom_str(pretty=True))
