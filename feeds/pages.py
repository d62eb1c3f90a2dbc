"""The human side of the output dir: OPML subscription lists, index.html and the status page and
feed. Plain static HTML (no JavaScript), every value escaped."""

from __future__ import annotations

import html
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

from feedgen.feed import FeedGenerator

from crawler import places
from crawler.clock import parse_iso
from crawler.textnorm import strip_illegal
from feeds.catalog import FEED_NS, FeedSpec, absolute
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
                xmlUrl=absolute(base_url, spec.path("atom")),
                htmlUrl=absolute(base_url, "index.html"),
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
        f'<a href="{_e(absolute(base_url, f"{stem}.{fmt}"))}">{label}</a>'
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
        f'href="{_e(absolute(base_url, "all.atom"))}">',
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Tin từ cổng thông tin điện tử các tỉnh, thành phố</h1>",
        "<p>Các nguồn tin dưới đây được tổng hợp tự động từ cổng thông tin điện tử của 34 tỉnh, "
        "thành phố (và các cổng trước sáp nhập). Mỗi bài dẫn về trang gốc; khi phát hành lại, "
        "xin ghi rõ nguồn. Sao chép địa chỉ một nguồn tin vào trình đọc tin (Miniflux, FreshRSS, "
        "Feedly, Thunderbird…), hoặc nhập cả danh sách "
        f'<a href="{_e(absolute(base_url, "index.opml"))}">index.opml</a>.</p>',
        '<p class="muted">News feeds of Vietnam\'s provincial government portals. '
        "Status of every source: "
        f'<a href="{_e(absolute(base_url, "status.html"))}">status</a>.</p>',
        "<h2>Tất cả</h2><table><tr><th>Nguồn tin</th><th>Đăng ký</th><th>Bài</th>"
        "<th>Mới nhất</th></tr>",
        row("all", "Tất cả tỉnh, thành phố"),
        "</table>",
        "<h2>Theo tỉnh, thành phố</h2><table><tr><th>Tỉnh, thành phố</th><th>Đăng ký</th>"
        "<th>Bài</th><th>Mới nhất</th></tr>",
    ]
    for slug, p in provinces.items():
        opml_link = (
            f' · <a href="{_e(absolute(base_url, f"province/{slug}.opml"))}">OPML theo chủ đề</a>'
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


_ALERT_NAMES = {
    "failing": "lỗi liên tiếp",
    "broken": "hỏng bố cục",
    "silent": "im lặng",
    "degraded": "thiếu trường",
    "gap": "sót trang cũ",
}


def _chart(counts: Sequence[int]) -> str:
    """Articles per day over the last days as a small inline SVG bar chart (no script)."""
    top = max(counts, default=0)
    width, height, bar = 3 * len(counts), 24, 2
    bars = []
    for i, n in enumerate(counts):
        if n <= 0:
            continue
        h = max(1, round(height * n / top))
        bars.append(f'<rect x="{3 * i}" y="{height - h}" width="{bar}" height="{h}"/>')
    total = sum(counts)
    label = f"{total} bài trong {len(counts)} ngày, nhiều nhất {top} bài/ngày"
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{_e(label)}">'
        f"<title>{_e(label)}</title>"
        f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" class="axis"/>'
        + "".join(bars)
        + "</svg>"
    )


def _when(value: object) -> str:
    return str(value)[:16].replace("T", " ") if value else "–"


def status_html(
    reports: Sequence[Mapping[str, Any]],
    episodes: Sequence[Mapping[str, Any]],
    base_url: str,
    built: str,
) -> bytes:
    """Every source with its state, last success, articles per day over 30 days (an SVG chart),
    field coverage and open alerts; then the alert episodes of the last 30 days."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>vnfeeds – trạng thái nguồn tin</title>",
        f'<link rel="alternate" type="application/atom+xml" title="Cảnh báo" '
        f'href="{_e(absolute(base_url, "status.atom"))}">',
        f"<style>{_STYLE}svg.chart rect{{fill:#0b57a4}}svg.chart .axis{{stroke:#bbb}}"
        "</style></head><body>",
        "<h1>Trạng thái nguồn tin</h1>",
        f'<p><a href="{_e(absolute(base_url, "index.html"))}">Danh sách nguồn tin</a> · '
        f'<a href="{_e(absolute(base_url, "status.atom"))}">Cảnh báo (Atom)</a></p>',
        '<div style="overflow-x:auto"><table><tr><th>Nguồn</th><th>Tỉnh</th>'
        "<th>Lần chạy cuối</th><th>Trạng thái</th><th>Thành công gần nhất</th><th>Bài</th>"
        "<th>30 ngày</th><th>Đủ trường (ngày/tác giả/nội dung)</th><th>Cảnh báo</th>"
        "<th>Ghi chú</th></tr>",
    ]
    provinces = places.provinces()
    open_kinds: dict[str, list[str]] = {}
    for a in episodes:
        if not a.get("closed"):
            open_kinds.setdefault(str(a["source_id"]), []).append(str(a["kind"]))
    for r in reports:
        if not r.get("enabled", True) and r.get("state") == "never":
            continue  # archival sources nobody turned on
        run = r.get("last_run") or {}
        state = str(r.get("state") or "never")
        cls = _STATE_CLASS.get(state, "muted")
        prov = provinces.get(str(r.get("province")))
        cov = r.get("coverage")
        coverage = " / ".join(f"{cov[k]:.0%}" for k in ("date", "author", "body")) if cov else "–"
        kinds = sorted(set(open_kinds.get(str(r["id"]), [])))
        alerts = ", ".join(_ALERT_NAMES.get(k, k) for k in kinds)
        parts.append(
            f'<tr><td><a href="{_e(r.get("homepage") or "")}">{_e(r.get("name") or r["id"])}</a>'
            f"<br><code>{_e(r['id'])}</code>{'' if r.get('enabled', True) else ' (tắt)'}</td>"
            f"<td>{_e(prov.name if prov else r.get('province') or '')}</td>"
            f"<td>{_e(_when(run.get('started')))}</td>"
            f'<td class="{cls}">{_e(state)}</td>'
            f"<td>{_e(_when(r.get('last_success')))}</td>"
            f"<td>{_e(r.get('articles', 0))}</td>"
            f"<td>{_chart(r.get('per_day') or [])}</td>"
            f"<td>{_e(coverage)}</td>"
            f'<td class="{"bad" if kinds else "ok"}">{_e(alerts or "–")}</td>'
            f"<td>{_e(run.get('message') or '')}</td></tr>"
        )
    parts.append("</table></div>")
    if episodes:
        parts.append("<h2>Cảnh báo 30 ngày qua</h2><ul>")
        for a in episodes:
            state = f"đóng {_when(a.get('closed'))}" if a.get("closed") else "đang mở"
            parts.append(
                f"<li><code>{_e(a['source_id'])}</code> "
                f"{_e(_ALERT_NAMES.get(str(a['kind']), a['kind']))} – mở {_e(_when(a['opened']))}"
                f", {_e(state)}: {_e(a.get('detail') or '')}</li>"
            )
        parts.append("</ul>")
    parts.append(
        f'<p class="muted">Cập nhật {_e(built[:16].replace("T", " "))}.</p></body></html>\n'
    )
    return "\n".join(parts).encode("utf-8")


def status_atom(episodes: Sequence[Mapping[str, Any]], base_url: str, fallback: str) -> bytes:
    """One entry per alert episode (its id is the episode's, for as long as it lasts); a closed
    episode stays 30 days with `updated` at its closing, so a reader sees it recover."""
    fg = FeedGenerator()
    fg.id(f"urn:uuid:{uuid.uuid5(FEED_NS, 'vnfeeds:status')}")
    fg.title("vnfeeds – cảnh báo nguồn tin")
    fg.subtitle("Nguồn tin lỗi, hỏng bố cục, im lặng, thiếu trường hoặc sót trang")
    fg.link(href=absolute(base_url, "status.html"), rel="alternate")
    fg.link(href=absolute(base_url, "status.atom"), rel="self", type="application/atom+xml")
    fg.author({"name": "vnfeeds", "uri": base_url})
    fg.generator(*GENERATOR)
    fg.language("vi")
    changed = [str(a.get("closed") or a["opened"]) for a in episodes]
    fg.updated(parse_iso(max(changed, default=fallback)))
    ordered = sorted(
        episodes, key=lambda a: (str(a.get("closed") or a["opened"]), str(a["id"])), reverse=True
    )
    for a in ordered:
        kind = str(a["kind"])
        closed = a.get("closed")
        fe = fg.add_entry(order="append")
        fe.id(f"urn:uuid:{a['id']}")
        name = a.get("source_name") or a["source_id"]
        fe.title(
            strip_illegal(
                f"{'[đã khắc phục] ' if closed else ''}{a['source_id']}: "
                f"{_ALERT_NAMES.get(kind, kind)} ({kind})"
            )
        )
        fe.link(href=absolute(base_url, "status.html"), rel="alternate")
        fe.published(parse_iso(str(a["opened"])))
        fe.updated(parse_iso(str(closed or a["opened"])))
        fe.category(term=kind)
        text = f"{name} ({a['source_id']}): {a.get('detail') or ''} Mở lúc {a['opened']}."
        if closed:
            text += f" Đã khắc phục lúc {closed}."
        fe.content(strip_illegal(text), type="text")
    return bytes(fg.atom_str(pretty=True))
