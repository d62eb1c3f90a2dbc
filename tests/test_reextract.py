"""`vnfeeds reextract`: a selector fix applied to archived pages, without fetching anything."""

from __future__ import annotations

import json
import sqlite3

from crawler.samples import Route
from tests.conftest import Site, load_golden, run_cli


def _rows(db: object) -> dict[str, tuple[str, str, str, str]]:
    con = sqlite3.connect(str(db))
    rows = {
        url: (aid, text, updated, first_seen)
        for url, aid, text, updated, first_seen in con.execute(
            "SELECT url, id, content_text, updated, first_seen FROM articles"
            " WHERE source_id = 'hung-yen'"
        )
    }
    con.close()
    return rows


def test_a_selector_fix_is_applied_to_archived_pages(fresh_site: Site) -> None:
    toml = fresh_site.sources_dir / "hungyen.toml"
    good = toml.read_text(encoding="utf-8")
    # A wrong body selector: the first paragraph instead of the whole article.
    wrong_body = 'body = "div.article-content > p:first-of-type"\n'
    toml.write_text(
        good.replace("[source.selectors]\n", "[source.selectors]\n" + wrong_body),
        encoding="utf-8",
    )
    assert fresh_site.crawl(["hung-yen"])[0].status == "partial"  # the pager's dead page 3
    before = _rows(fresh_site.db)
    # Pages whose first paragraph is too short were refused (kept raw, not stored).
    refused = 10 - len(before)
    assert 8 <= len(before) <= 10
    portal = fresh_site.servers["hungyen"].portal
    goldens = {
        fresh_site.url("hungyen", g["url"]): g
        for g in (load_golden(p) for p in portal.golden_dir.glob("*.json"))
    }
    for url, (_, text, _, _) in before.items():
        assert text.split("\n\n") != goldens[url]["body"]

    toml.write_text(good, encoding="utf-8")  # the fix
    log_before = len(fresh_site.servers["hungyen"].log)
    env = {**fresh_site.config().to_env(), "VNFEEDS_NOW": "2026-06-11T08:00:00+07:00"}
    result = run_cli("reextract", "hung-yen", "--json", env=env)
    assert result.returncode == 0, result.stderr
    (summary,) = json.loads(result.stdout)
    assert (summary["changed"], summary["recovered"], summary["failed"]) == (
        len(before),
        refused,
        0,
    )
    assert len(fresh_site.servers["hungyen"].log) == log_before  # nothing fetched

    after = _rows(fresh_site.db)
    assert len(after) == 10
    for url, (aid, text, updated, first_seen) in after.items():
        if url in before:
            assert aid == before[url][0]  # permanent ids
            assert (updated, first_seen) == before[url][2:]  # not an edit of the portal's
        assert text.split("\n\n") == goldens[url]["body"]
    con = sqlite3.connect(fresh_site.db)
    reasons = con.execute("SELECT reason, count(*) FROM revisions GROUP BY reason").fetchall()
    con.close()
    assert reasons == [("reextract", len(before))]

    again = json.loads(run_cli("reextract", "hung-yen", "--json", env=env).stdout)[0]
    assert (again["changed"], again["unchanged"], again["recovered"]) == (0, 10, 0)


NO_TITLE_SOURCE = """
[[source]]
id = "no-title"
province = "thanh-hoa"
name = "Cổng có tiêu đề khó tìm"
homepage = "{base}/"
platform = "upload-cms"
[[source.section]]
url = "{base}/ds-tin"
"""
LIST = """<html><body><div modulerootid="1"><article class="article-news-default">
<a class="article-title" href="/tin/bai-1.html"><img src="/a.jpg" alt=""></a>
<span class="article-date">10/06/2026</span></article></div></body></html>"""
PAGE = """<html><head><title></title></head><body>
<div id="khung"><span>Tỉnh tổ chức hội nghị tổng kết công tác phòng chống thiên tai năm 2026</span>
</div><div class="article-content"><p>Sáng 9/6, Ban Chỉ huy Phòng thủ dân sự tỉnh tổ chức hội nghị
tổng kết công tác phòng, chống thiên tai và tìm kiếm cứu nạn, triển khai nhiệm vụ năm 2026.</p>
<p>Hội nghị đánh giá các địa phương đã chủ động xây dựng phương án ứng phó, bố trí lực lượng và
phương tiện tại các khu vực xung yếu.</p></div></body></html>"""


def test_a_refused_page_is_recovered_after_the_fix(fresh_site: Site) -> None:
    server = fresh_site.servers["hungyen"]
    server.add_route(Route(path="/ds-tin", body=LIST))
    server.add_route(Route(path="/tin/bai-1.html", body=PAGE))
    toml = fresh_site.sources_dir / "no-title.toml"
    toml.write_text(NO_TITLE_SOURCE.replace("{base}", server.base_url), encoding="utf-8")
    outcome = fresh_site.crawl(["no-title"], now="2026-06-10T10:00:00+07:00")[0]
    assert (outcome.new, outcome.dropped) == (0, 1)

    toml.write_text(
        toml.read_text(encoding="utf-8") + '[source.selectors]\ntitle = "#khung span"\n',
        encoding="utf-8",
    )
    env = {**fresh_site.config().to_env(), "VNFEEDS_NOW": "2026-06-11T08:00:00+07:00"}
    summary = json.loads(run_cli("reextract", "no-title", "--json", env=env).stdout)[0]
    assert summary["recovered"] == 1
    con = sqlite3.connect(fresh_site.db)
    title, first_seen = con.execute(
        "SELECT title, first_seen FROM articles WHERE source_id = 'no-title'"
    ).fetchone()
    con.close()
    assert title == "Tỉnh tổ chức hội nghị tổng kết công tác phòng chống thiên tai năm 2026"
    assert first_seen == "2026-06-10T10:00:00+07:00"  # when it was fetched, not now
