# ruff: noqa: E501  (the pages below are printed as the CMSs print them, long lines and all)
"""The generic extractor's rules, one page shape at a time.

The held-out sample portals (WebSphere, Drupal, WordPress) check the whole crawl against goldens
in test_golden.py; these tests pin each rule that crawl depends on, on small pages written the
way those CMSs print them, and the cases each rule must leave alone.
"""

from __future__ import annotations

import pytest
from parsel import Selector

from crawler.extract.article import extract_article
from crawler.extract.links import article_links, url_shape
from crawler.platforms import get_platform
from crawler.registry import Selectors

BASE = "http://127.0.0.1:8000"
TEXT = (
    "Sáng 14/4, UBND phường tổ chức hội nghị đánh giá tình hình kinh tế - xã hội, quốc phòng - "
    "an ninh quý I và triển khai nhiệm vụ trọng tâm quý II năm 2026, với sự tham dự của các "
    "khóm, các đoàn thể và các cơ quan, đơn vị trên địa bàn phường."
)
SECOND = (
    "Trong quý I, thu ngân sách trên địa bàn đạt 31,2% dự toán; công tác cải cách hành chính, "
    "chuyển đổi số được đẩy mạnh, 100% hồ sơ được tiếp nhận và giải quyết đúng hạn."
)


def generic_extract(html: str, url: str = BASE + "/bai-viet") -> object:
    generic = get_platform("generic")
    return extract_article(Selector(text=html), url, generic.selectors(Selectors()))


def links_of(html: str, url: str = BASE + "/tin-tuc") -> list[str]:
    return [link.url.removeprefix(BASE) for link in article_links(Selector(text=html), url)]


def page(body: str, title: str = "Tin tức") -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


# -- list pages ---------------------------------------------------------------------------------


def test_opaque_tokens_share_one_shape() -> None:
    """WebSphere article URLs differ only in their compressed portlet state."""
    a = "/wps/portal/Home/tin-tuc/chi-tiet-tin/!ut/p/z1/vZFNb8IwDIZ_C4cdrYS2Q!!/dz/d5/L2dBISEvZ0FBIS9nQSEh/"
    b = "/wps/portal/Home/tin-tuc/chi-tiet-tin/!ut/p/z1/xVHJbsIwEP0WDj2O7ARKnC/dz/d5/L2dBISEvZ0FBIS9nQSEh/"
    assert url_shape(BASE + a) == url_shape(BASE + b)


def test_year_at_the_end_of_a_slug_is_not_an_id() -> None:
    assert url_shape(BASE + "/2025/06/trao-giai-hoi-thi-nam-2025/") == url_shape(
        BASE + "/2025/06/ra-mat-to-cong-nghe-so/"
    )
    assert url_shape(BASE + "/tin-a-31562.html") != url_shape(BASE + "/tin-a.html")


WCM_LIST = """
<div class="ag-wcm-menu"><div class="ag-news-list">
  <div class="ag-news-item"><a class="ag-news-title" href="/wps/portal/Home/tin-tuc/chi-tiet-tin/!ut/p/z1/AbCdEfGhIjKlMnOpQr1!/dz/d5/L2dBISEvZ0FBIS9nQSEh/">Nghiệm thu đề tài ứng dụng chế phẩm vi sinh xử lý rơm rạ</a>
    <span>Ngày đăng: 18/03/2026</span></div>
  <div class="ag-news-item"><a class="ag-news-title" href="/wps/portal/Home/tin-tuc/chi-tiet-tin/!ut/p/z1/ZyXwVuTsRqPoNmLk2!!/dz/d5/L2dBISEvZ0FBIS9nQSEh/">Tăng cường kiểm tra đo lường, chất lượng xăng dầu trên địa bàn</a>
    <span>Ngày đăng: 16/03/2026</span></div>
</div></div>
<ul class="mainmenu"><li><a href="/gioi-thieu/">Giới thiệu</a></li><li><a href="/lien-he/">Liên hệ</a></li>
<li><a href="/so-do-site/">Sơ đồ site</a></li></ul>
"""


def test_a_menu_of_headlines_is_a_list_not_navigation() -> None:
    """WebSphere's WCM "Menu" component prints the news list; a navigation menu stays out."""
    found = links_of(page(WCM_LIST))
    assert len(found) == 2 and all("chi-tiet-tin" in u for u in found)
    assert not any("gioi-thieu" in u for u in found)


WP_LIST = """
<div class="site"><main class="site-main">
{items}
</main><aside class="sidebar widget-area"><section class="widget"><h2>Bài viết mới</h2><ul>
<li><a href="/2025/04/bai-viet-cu-hon-trong-thang-tu-nam-2025/">Bài viết cũ hơn trong tháng tư năm 2025</a></li>
</ul></section></aside></div>
"""
WP_ITEM = """
<article class="post-{n} post type-post status-publish category-tin-tuc{tags}">
  <header class="entry-header"><h2 class="entry-title"><a href="{url}" rel="bookmark">{title}</a></h2></header>
  <div class="entry-summary"><p>{text}</p></div>
  <footer class="entry-footer"><span class="comments-link"><a href="{url}#respond">Để lại bình luận<span class="screen-reader-text"> trong {title}</span></a></span>
  <span class="tags-links"><a href="/tag/to-cong-nghe-so-cong-dong/" rel="tag">Tổ công nghệ số cộng đồng</a></span></footer>
</article>
"""


def _wp_item(n: int, url: str, title: str, tags: str = "") -> str:
    return WP_ITEM.format(n=n, url=url, title=title, text=TEXT, tags=tags)


def test_wordpress_entries_in_article_headers() -> None:
    items = _wp_item(
        1,
        "/2025/06/ra-mat-to-cong-nghe-so-cong-dong-kieu-mau/",
        "Ra mắt Tổ công nghệ số cộng đồng kiểu mẫu",
    ) + _wp_item(
        2,
        "/2025/05/thong-bao-ket-nap-hoi-vien-moi-nam-2025/",
        "Thông báo về việc kết nạp hội viên mới năm 2025",
        " tag-thong-bao",
    )
    html = page(WP_LIST.format(items=items)).replace("<body>", '<body class="wp-custom-logo">')
    found = article_links(Selector(text=html), BASE + "/category/tin-tuc/page/2/")
    # Both entries (their URL shapes differ: one ends in a year), not the tag link, not the
    # sidebar's recent posts; titles from the headline, not from the comments link.
    assert [f.url.removeprefix(BASE) for f in found] == [
        "/2025/06/ra-mat-to-cong-nghe-so-cong-dong-kieu-mau/",
        "/2025/05/thong-bao-ket-nap-hoi-vien-moi-nam-2025/",
    ]
    assert found[0].title == "Ra mắt Tổ công nghệ số cộng đồng kiểu mẫu"


DRUPAL_ROW = """
<div class="views-row row clearfix row-{n}"><div class="views-col col-1">
  <div class="node post-block"><div class="post-content">
    <h3 class="post-title"><a href="{url}" rel="bookmark"><span>{title}</span></a></h3>
    <div class="post-meta"><span class="post-created"><span>0{n}/04/2026 - 08:30</span></span></div>
  </div></div>
</div></div>
"""


def test_items_of_the_same_list_whatever_their_urls() -> None:
    """An unaliased Drupal node among path aliases is in the same slot of the same list."""
    rows = DRUPAL_ROW.format(
        n=1, url="/node/1530", title="Hướng dẫn người dân nộp hồ sơ thủ tục hành chính trực tuyến"
    ) + DRUPAL_ROW.format(
        n=2,
        url="/ra-quan-ngay-chu-nhat-xanh-lam-sach-rach-cai-son",
        title="Ra quân “Ngày Chủ nhật xanh” làm sạch rạch Cái Sơn",
    )
    sidebar = (
        '<div class="region-sidebar-right"><div class="post-title"><a href="/tin-cu-hon-trong'
        '-nam-2025-da-dang-tu-lau">Một tin cũ hơn đã đăng từ lâu trên trang</a></div></div>'
    )
    found = links_of(page(f'<div class="views-view-grid">{rows}</div>{sidebar}'))
    assert found == ["/node/1530", "/ra-quan-ngay-chu-nhat-xanh-lam-sach-rach-cai-son"]


# -- article pages ------------------------------------------------------------------------------


def test_page_name_title_gives_way_to_the_headline() -> None:
    """<title> and a portlet title say "Chi tiết tin"; the article's headline is the h1."""
    html = page(
        '<div class="wpsPortletTitleBar"><h2 class="wpsPortletTitle">Chi tiết tin</h2></div>'
        '<div class="wpsPortletBody"><h1 class="ag-detail-title">Nghiệm thu đề tài ứng dụng '
        "chế phẩm vi sinh xử lý rơm rạ tại ruộng</h1><div class='ag-detail-date'>Ngày đăng: "
        f"18/03/2026</div><div class='ag-detail-content'><p>{TEXT}</p><p>{SECOND}</p></div></div>",
        title="Chi tiết tin",
    )
    out = generic_extract(html)
    assert out.title == "Nghiệm thu đề tài ứng dụng chế phẩm vi sinh xử lý rơm rạ tại ruộng"  # type: ignore[attr-defined]


def test_short_title_kept_when_nothing_better() -> None:
    html = page(
        f"<h1>Thông báo tuyển dụng</h1><div><p>{TEXT}</p><p>{SECOND}</p></div>",
        title="Thông báo tuyển dụng",
    )
    assert generic_extract(html).title == "Thông báo tuyển dụng"  # type: ignore[attr-defined]


def test_a_body_field_named_with_summary_is_not_the_sapo() -> None:
    """Drupal's body field class is "field--type-text-with-summary"."""
    html = page(
        "<h1>UBND phường đánh giá tình hình kinh tế - xã hội quý I năm 2026</h1>"
        '<div class="field field--name-body field--type-text-with-summary">'
        f"<p>{TEXT}</p><p>{SECOND}</p></div>"
    )
    out = generic_extract(html)
    assert out.summary == ""  # type: ignore[attr-defined]
    assert out.body.text == f"{TEXT}\n\n{SECOND}"  # type: ignore[attr-defined]


WP_ARTICLE = """
<article class="post type-post">
 <header class="entry-header"><h1 class="entry-title">Tập huấn kỹ năng bảo đảm an toàn thông tin năm 2025</h1></header>
 <div class="entry-content"><p>{text}</p><p>{second}</p>{extra}
  <div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Chia sẻ:</h3><ul><li><a href="#">Facebook</a></li></ul></div>
  <div class="sharedaddy sd-like"><h3 class="sd-title">Thích điều này:</h3><span>Đang tải...</span></div>
  <div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>Có liên quan</em></h3></div>
 </div>
 <footer class="entry-footer"><span class="byline"><span class="author vcard"><span class="screen-reader-text">Tác giả </span><a class="url fn n" href="/author/lethuha/">Lê Thu Hà</a></span></span>
 <span class="posted-on"><time class="entry-date published" datetime="2025-06-19T08:30:00+07:00">19/06/2025</time></span></footer>
</article>
<div id="comments" class="comments-area"><ol class="comment-list"><li class="comment">
 <div class="comment-author vcard"><b class="fn">Trần Văn Bình</b> <span class="says">bình luận:</span></div>
 <p>Cảm ơn Hội đã tổ chức lớp tập huấn rất bổ ích cho hội viên chúng tôi.</p></li></ol></div>
"""


def test_wordpress_byline_jetpack_and_header_title() -> None:
    out = generic_extract(page(WP_ARTICLE.format(text=TEXT, second=SECOND, extra="")))
    assert out.title == "Tập huấn kỹ năng bảo đảm an toàn thông tin năm 2025"  # type: ignore[attr-defined]
    assert out.author == "Lê Thu Hà"  # type: ignore[attr-defined]  (not the commenter)
    text = out.body.text  # type: ignore[attr-defined]
    assert text == f"{TEXT}\n\n{SECOND}"
    assert out.published.isoformat() == "2025-06-19T08:30:00+07:00"  # type: ignore[attr-defined]


def test_writer_trailer_beats_byline_and_byline_beats_source_line() -> None:
    writer = generic_extract(
        page(
            WP_ARTICLE.format(
                text=TEXT, second=SECOND, extra="<p><strong>Tin, ảnh: Thanh Tùng</strong></p>"
            )
        )
    )
    assert writer.author == "Thanh Tùng"  # type: ignore[attr-defined]
    source = generic_extract(
        page(
            WP_ARTICLE.format(
                text=TEXT, second=SECOND, extra="<p><em>Nguồn: UBND phường Ghềnh Ráng</em></p>"
            )
        )
    )
    assert source.author == "Lê Thu Hà"  # type: ignore[attr-defined]
    assert "Nguồn" not in source.body.text  # type: ignore[attr-defined]


def test_download_box_is_an_attachment_not_text() -> None:
    box = (
        '<div class="wp-block-file"><a href="/wp-content/uploads/2025/05/mau-don.pdf">Mẫu đơn '
        'xin gia nhập Hội</a><a href="/wp-content/uploads/2025/05/mau-don.pdf" '
        'class="wp-block-file__button" download>Tải về</a></div>'
    )
    out = generic_extract(page(WP_ARTICLE.format(text=TEXT, second=SECOND, extra=box)))
    assert out.body.text == f"{TEXT}\n\n{SECOND}"  # type: ignore[attr-defined]
    assert [(a.url, a.title) for a in out.body.attachments] == [  # type: ignore[attr-defined]
        (BASE + "/wp-content/uploads/2025/05/mau-don.pdf", "Mẫu đơn xin gia nhập Hội")
    ]


def test_a_sentence_naming_its_attachment_stays_text() -> None:
    line = '<p>File đính kèm: <a href="/files/du-thao-quy-che.pdf">Dự thảo Quy chế phối hợp</a></p>'
    out = generic_extract(page(WP_ARTICLE.format(text=TEXT, second=SECOND, extra=line)))
    assert out.body.text.endswith("File đính kèm: Dự thảo Quy chế phối hợp")  # type: ignore[attr-defined]
    assert len(out.body.attachments) == 1  # type: ignore[attr-defined]


def test_lead_picture_between_title_and_text() -> None:
    """No og:image: the image field printed between the headline and the body is the lead."""
    html = page(
        "<h1 class='post-title'>Ngày hội hiến máu tình nguyện thu nhận 412 đơn vị máu</h1>"
        '<img src="/themes/logo-icon.png" width="32" height="32">'
        '<figure><img src="/sites/default/files/articles/10042026-1.jpg" width="1200" height="800">'
        "<figcaption>Người dân hiến máu</figcaption></figure>"
        f"<div class='post-content'><p>{TEXT}</p><figure><img src='/inline/anh-2.jpg'></figure>"
        f"<p>{SECOND}</p></div>"
    )
    out = generic_extract(html)
    assert out.image_url == BASE + "/sites/default/files/articles/10042026-1.jpg"  # type: ignore[attr-defined]


# -- every sample page --------------------------------------------------------------------------


def _token_f1(predicted: str, gold: str) -> float:
    from collections import Counter

    from crawler.textnorm import syllables

    p, g = Counter(syllables(predicted)), Counter(syllables(gold))
    overlap = sum((p & g).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def _sample_pages() -> list[tuple[str, str]]:
    from crawler.samples import sample_portals

    return [
        (portal.name, str(golden))
        for portal in sample_portals()
        for golden in sorted(portal.golden_dir.glob("*.json"))
    ]


@pytest.mark.parametrize(("portal_name", "golden_path"), _sample_pages())
def test_generic_reads_every_sample_page(portal_name: str, golden_path: str) -> None:
    """With no selectors and no list page, on every family's article pages: the golden title,
    the body (token F1 >= 0.95) and no boilerplate. A rule added for one portal that breaks
    another fails here (a "widget" class on a page-wide layout grid once emptied every
    upload-cms page)."""
    import json
    from pathlib import Path

    from crawler.extract.encoding import decode_html
    from crawler.samples import sample_portals
    from crawler.textnorm import clean_text

    portal = next(p for p in sample_portals() if p.name == portal_name)
    gold = json.loads(Path(golden_path).read_text(encoding="utf-8"))
    page_file = portal.file_for(gold["url"])
    assert page_file is not None, gold["url"]
    text = decode_html(page_file.read_bytes(), None).text
    out = generic_extract(f"{text}", BASE + gold["url"])
    body = out.body.text  # type: ignore[attr-defined]
    assert clean_text(out.title) == clean_text(gold["title"])  # type: ignore[attr-defined]
    assert _token_f1(body, " ".join(gold["body"])) >= 0.95
    leaked = [
        b
        for b in gold["boilerplate"]
        if b and b in body and b not in " ".join(gold["body"]) and b not in (gold["author"] or "")
    ]
    assert leaked == []
