"""Revisits of known articles (crawler/revisit.py) with the real spider against binhdinh.gov.vn's
copy: an edit becomes a revision under the same id, a moved article keeps its id, a removed one
gets `gone_at` and leaves the feeds; the schedule grows (1 h, 1 day, 7 days, then never)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import feedparser

from crawler.samples import Route
from tests.conftest import Site

SEED = (
    "/tin-tuc/tin-tong-hop/hoi-nghi-giam-doc-cac-so-khoa-hoc-va-cong-nghe-toan-quoc-nam-2023.html"
)
OTHER = "/tin-tuc/tin-tong-hop/hai-thang-dau-nam-2023-binh-dinh-thu-hut-12-du-an-dau-tu-moi.html"
TITLE = "Hội nghị Giám đốc các Sở Khoa học và Công nghệ toàn quốc năm 2023"
FIRST = "2023-03-18T09:00:00+07:00"  # the copy's capture time: the first crawl
HOUR = "2023-03-18T10:05:00+07:00"  # first revisits due (first seen + 1 h)
DAY = "2023-03-19T09:30:00+07:00"  # second revisits due (+ 1 day)
WEEK = "2023-03-25T09:30:00+07:00"  # third revisits due (+ 7 days)


def _q(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _article(db: Path, path_end: str) -> dict[str, Any]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    row = con.execute("SELECT * FROM articles WHERE url LIKE ?", (f"%{path_end}",)).fetchone()
    con.close()
    return dict(row)


def _page(site: Site, path: str) -> str:
    found = site.servers["binhdinh"].portal.file_for(path)
    assert found is not None
    return found.read_text(encoding="utf-8")


def _entries(site: Site, feed: str) -> dict[str, Any]:
    parsed = feedparser.parse((site.out / feed).read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return {e.id: e for e in parsed.entries}


def _taken_down(site: Site) -> dict[str, Any]:
    """The first crawl, then the seed article answers 410 to its first revisit (at HOUR):
    gone. The seed's row as first stored."""
    site.crawl(["binh-dinh"])
    seed = _article(site.db, SEED)
    server = site.servers["binhdinh"]
    server.add_route(Route(path=SEED, status=410, body="<html><body>Gone</body></html>"))
    site.crawl(["binh-dinh"], now=HOUR)
    return seed


def _republished_elsewhere(site: Site) -> str:
    """The portal publishes the seed's page again at a new address, which its list links to
    instead of the old one; the new path."""
    server = site.servers["binhdinh"]
    listed = "/tin-tuc/tin-tong-hop"
    old_name = SEED.rsplit("/", 1)[1]
    new_path = SEED.replace(".html", "-1.html")
    server.add_route(Route(path=new_path, body=_page(site, SEED)))
    listing = _page(site, listed)
    assert old_name in listing
    server.add_route(Route(path=listed, body=listing.replace(old_name, new_path.rsplit("/", 1)[1])))
    return new_path


def test_an_edit_is_a_revision_under_the_same_id(fresh_site: Site) -> None:
    assert fresh_site.crawl(["binh-dinh"])[0].status == "ok"
    fresh_site.build(now=HOUR)
    before = _article(fresh_site.db, SEED)
    entry_id = f"urn:uuid:{before['id']}"
    assert _entries(fresh_site, "all.atom")[entry_id].title == TITLE

    # The portal corrects the title and a figure of the text, an hour after publishing.
    page = _page(fresh_site, SEED)
    assert page.count(TITLE) >= 1
    edited_title = TITLE.replace("Hội nghị", "Khai mạc Hội nghị")
    edited = page.replace(TITLE, edited_title)
    server = fresh_site.servers["binhdinh"]
    server.add_route(Route(path=SEED, body=edited))

    o = fresh_site.crawl(["binh-dinh"], now=HOUR)[0]
    assert (o.status, o.new, o.updated, o.errors) == ("ok", 0, 1, 0)
    after = _article(fresh_site.db, SEED)
    assert after["id"] == before["id"] and after["first_seen"] == before["first_seen"]
    assert after["title"] == edited_title
    assert after["updated"] == HOUR and after["published"] == before["published"]
    revisions = _q(
        fresh_site.db,
        "SELECT title, reason, replaced_at FROM revisions WHERE article_id = ?",
        before["id"],
    )
    assert revisions == [(TITLE, "edit", HOUR)]
    # Every other article answered 304 to its conditional GET and did not move.
    statuses = dict(_q(fresh_site.db, "SELECT last_status, count(*) FROM revisits GROUP BY 1"))
    assert statuses == {200: 1, 304: 9}

    fresh_site.build(now=HOUR)
    entry = _entries(fresh_site, "all.atom")[entry_id]
    assert entry.title == edited_title
    assert entry.updated == HOUR and entry.published == before["published"]


def test_a_moved_article_keeps_its_id(fresh_site: Site) -> None:
    fresh_site.crawl(["binh-dinh"])
    before = _article(fresh_site.db, SEED)
    new_path = "/tin-tuc/khoa-hoc-cong-nghe/hoi-nghi-giam-doc-so-khcn-toan-quoc-2023.html"
    server = fresh_site.servers["binhdinh"]
    server.add_route(Route(path=SEED, status=301, headers={"Location": new_path}))
    server.add_route(Route(path=new_path, body=_page(fresh_site, SEED)))

    o = fresh_site.crawl(["binh-dinh"], now=HOUR)[0]
    assert (o.status, o.new, o.updated, o.duplicates, o.errors) == ("ok", 0, 0, 0, 0)
    after = _article(fresh_site.db, SEED)
    assert after["id"] == before["id"]
    urls = {
        u
        for (u,) in _q(
            fresh_site.db, "SELECT url FROM article_urls WHERE article_id = ?", before["id"]
        )
    }
    assert any(u.endswith(new_path) for u in urls) and any(u.endswith(SEED) for u in urls)
    assert _q(fresh_site.db, "SELECT count(*) FROM articles")[0][0] == 10


def test_removed_articles_get_gone_at_and_leave_the_feeds(fresh_site: Site) -> None:
    fresh_site.crawl(["binh-dinh"])
    seed, other = _article(fresh_site.db, SEED), _article(fresh_site.db, OTHER)
    server = fresh_site.servers["binhdinh"]
    server.add_route(Route(path=SEED, status=410, body="<html><body>Gone</body></html>"))
    # The other one now redirects to the home page, as many portals answer a deleted article.
    server.add_route(Route(path=OTHER, status=302, headers={"Location": "/"}))

    o = fresh_site.crawl(["binh-dinh"], now=HOUR)[0]
    assert (o.status, o.errors) == ("ok", 0)
    assert _article(fresh_site.db, SEED)["gone_at"] == HOUR  # 410: gone at once
    assert _article(fresh_site.db, OTHER)["gone_at"] is None  # first strike: confirm later
    confirm = "2023-03-18T11:10:00+07:00"
    o = fresh_site.crawl(["binh-dinh"], now=confirm)[0]
    assert (o.status, o.errors, o.pages) == ("ok", 0, 2 + 1)  # lists + the confirmation
    assert _article(fresh_site.db, OTHER)["gone_at"] == confirm

    fresh_site.build(now=confirm)
    ids = set(_entries(fresh_site, "all.atom"))
    assert f"urn:uuid:{seed['id']}" not in ids and f"urn:uuid:{other['id']}" not in ids
    assert len(ids) == 8
    # Gone articles are not revisited with the others (their return is checked a week and a
    # month later); nothing is deleted from the store.
    assert _q(fresh_site.db, "SELECT count(*) FROM articles")[0][0] == 10
    o = fresh_site.crawl(["binh-dinh"], now=DAY)[0]
    assert o.pages == 2 + 8  # lists + the second revisit of the 8 live articles


def test_a_404_then_back_is_not_a_removal(fresh_site: Site) -> None:
    fresh_site.crawl(["binh-dinh"])
    server = fresh_site.servers["binhdinh"]
    server.add_route(Route(path=SEED, status=404, body="<html><body>404</body></html>"))
    fresh_site.crawl(["binh-dinh"], now=HOUR)
    server._server.extra_routes.clear()  # the portal's bad minute is over
    fresh_site.crawl(["binh-dinh"], now="2023-03-18T11:10:00+07:00")
    row = _q(
        fresh_site.db,
        "SELECT a.gone_at, r.strikes, r.step, r.last_status FROM articles a"
        " JOIN revisits r ON r.article_id = a.id WHERE a.url LIKE ?",
        f"%{SEED}",
    )
    assert row == [(None, 0, 1, 304)]


def test_the_schedule_grows_then_stops(fresh_site: Site) -> None:
    fresh_site.crawl(["binh-dinh"])
    pages = [fresh_site.crawl(["binh-dinh"], now=when)[0].pages for when in (HOUR, DAY, WEEK)]
    assert pages == [12, 12, 12]  # each step revisits all ten articles once
    later = fresh_site.crawl(["binh-dinh"], now="2023-04-30T09:00:00+07:00")[0]
    assert later.pages == 2  # the schedule is over: only the lists
    assert _q(fresh_site.db, "SELECT step, next_at, count(*) FROM revisits GROUP BY 1, 2") == [
        (3, None, 10)
    ]


def test_an_article_back_after_its_removal_starts_its_revisits_over(fresh_site: Site) -> None:
    """Taken down (410), then published again under another address: the crawl finds it (the
    same text: the same article), clears `gone_at`, and its revisits start over from its
    return, at the new address; so its second removal is caught too."""
    seed = _taken_down(fresh_site)
    server = fresh_site.servers["binhdinh"]
    assert _article(fresh_site.db, SEED)["gone_at"] == HOUR

    # Three days later the portal puts it back at a new address, linked from its list.
    new_path = _republished_elsewhere(fresh_site)
    back = "2023-03-21T09:00:00+07:00"
    o = fresh_site.crawl(["binh-dinh"], now=back)[0]
    assert (o.status, o.new, o.errors) == ("ok", 0, 0)
    after = _article(fresh_site.db, SEED)
    assert after["id"] == seed["id"] and after["gone_at"] is None
    new_url = seed["url"].removesuffix(SEED) + new_path
    schedule = _q(
        fresh_site.db,
        "SELECT url, step, next_at, strikes, since FROM revisits WHERE article_id = ?",
        seed["id"],
    )
    assert schedule == [(new_url, 0, "2023-03-21T10:00:00+07:00", 0, back)]

    # Its first revisit, an hour after its return: taken down again.
    server.add_route(Route(path=new_path, status=410, body="<html><body>Gone</body></html>"))
    again = "2023-03-21T10:05:00+07:00"
    fresh_site.crawl(["binh-dinh"], now=again)
    assert _article(fresh_site.db, SEED)["gone_at"] == again


def test_the_schedule_of_an_article_back_grows_from_its_return(fresh_site: Site) -> None:
    """After a return, the next steps count from the return, not from the first sight."""
    seed = _taken_down(fresh_site)
    _republished_elsewhere(fresh_site)
    fresh_site.crawl(["binh-dinh"], now="2023-04-10T09:00:00+07:00")  # back, weeks later
    fresh_site.crawl(["binh-dinh"], now="2023-04-10T10:05:00+07:00")  # step 0: 304 or 200
    schedule = _q(
        fresh_site.db,
        "SELECT step, next_at, strikes FROM revisits WHERE article_id = ?",
        seed["id"],
    )
    assert schedule == [(1, "2023-04-11T09:00:00+07:00", 0)]


GONE_WEEK = "2023-03-25T10:05:00+07:00"  # HOUR + 7 days: the first check for a return
GONE_MONTH = "2023-04-17T10:05:00+07:00"  # HOUR + 30 days: the last one


def _schedule(site: Site, article_id: str) -> tuple[Any, ...]:
    (row,) = _q(
        site.db,
        "SELECT r.step, r.next_at, r.strikes, r.since, r.last_status, a.gone_at, a.seq"
        " FROM revisits r JOIN articles a ON a.id = r.article_id WHERE a.id = ?",
        article_id,
    )
    return row


def test_a_gone_article_restored_at_its_address_comes_back(fresh_site: Site) -> None:
    """A portal restores an article it took down, at the same address. A crawl never fetches a
    link it knows, so only the check for its return (a week after it went, a plain GET) can
    bring it back: the article is back in the feeds under its id, its schedule starts over."""
    seed = _taken_down(fresh_site)
    server = fresh_site.servers["binhdinh"]
    gone = _schedule(fresh_site, seed["id"])
    assert gone[1:6] == (GONE_WEEK, 1, None, 410, HOUR)
    assert gone[6] == _q(fresh_site.db, "SELECT max(seq) FROM articles")[0][0]  # feeds change

    server._server.extra_routes.clear()  # restored
    checked = "2023-03-25T10:10:00+07:00"
    o = fresh_site.crawl(["binh-dinh"], now=checked)[0]
    assert (o.status, o.new, o.errors) == ("ok", 0, 0)
    step, next_at, strikes, since, status, gone_at, _ = _schedule(fresh_site, seed["id"])
    assert (step, next_at, strikes, since, status, gone_at) == (
        0,
        "2023-03-25T11:10:00+07:00",
        0,
        checked,
        200,
        None,
    )
    fresh_site.build(now=checked)
    entry = _entries(fresh_site, "all.atom")[f"urn:uuid:{seed['id']}"]
    assert entry.title == TITLE


def test_a_gone_article_is_checked_twice_then_left(fresh_site: Site) -> None:
    """Still gone a week and a month later: each check moves only the next one (the article's
    gone_at and seq stay, so no feed is rewritten for it); after the second, no more."""
    seed = _taken_down(fresh_site)
    server = fresh_site.servers["binhdinh"]
    gone = _schedule(fresh_site, seed["id"])
    assert gone[1] == GONE_WEEK and gone[5] == HOUR

    fresh_site.crawl(["binh-dinh"], now="2023-03-25T10:10:00+07:00")
    week = _schedule(fresh_site, seed["id"])
    assert week[1] == GONE_MONTH and (week[4], week[5], week[6]) == (410, HOUR, gone[6])

    server.add_route(Route(path=SEED, status=404, body="<html><body>404</body></html>"))
    fresh_site.crawl(["binh-dinh"], now="2023-04-17T10:10:00+07:00")
    month = _schedule(fresh_site, seed["id"])
    assert month[1] is None and (month[4], month[5], month[6]) == (404, HOUR, gone[6])

    later = fresh_site.crawl(["binh-dinh"], now="2023-06-01T09:00:00+07:00")[0]
    assert later.pages == 2  # only the lists: every schedule is over
