"""crawler/classify.py and crawler/data/topic_rules.toml: keyword topic rules."""

from __future__ import annotations

import csv
import tomllib
import unicodedata
from pathlib import Path
from typing import NamedTuple

import pytest

from crawler.classify import (
    KINDS,
    RULES_FILE,
    RulesError,
    classify,
    explain,
    load_rules,
    match_form,
    scores,
    topics_for,
)

TOPICS_CSV = Path(RULES_FILE).parent / "topics.csv"

# The 16 slugs fixed by DESIGN.md ("Provinces and topics").
DESIGN_TOPICS = {
    "chinh-tri",
    "chi-dao-dieu-hanh",
    "kinh-te",
    "nong-nghiep",
    "khoa-hoc-cong-nghe",
    "chuyen-doi-so",
    "giao-duc",
    "y-te",
    "van-hoa-the-thao-du-lich",
    "xa-hoi-lao-dong",
    "tai-nguyen-moi-truong",
    "xay-dung-giao-thong",
    "quoc-phong-an-ninh",
    "cai-cach-hanh-chinh",
    "doi-ngoai",
    "thong-bao",
}


def csv_slugs() -> set[str]:
    with TOPICS_CSV.open(encoding="utf-8", newline="") as f:
        return {row["slug"] for row in csv.DictReader(f)}


# --------------------------------------------------------------------------------------------
# the rules file
# --------------------------------------------------------------------------------------------


def test_topics_csv_has_the_16_design_slugs() -> None:
    assert csv_slugs() == DESIGN_TOPICS


def test_rules_file_loads_and_uses_only_known_slugs() -> None:
    raw = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    assert set(raw["topics"]) <= csv_slugs()
    rules = load_rules()
    assert set(rules.phrases) == csv_slugs()
    assert all(rules.phrases[t] for t in rules.phrases), "a topic without any phrase"
    assert rules.title_weight > rules.summary_weight > 1
    assert rules.min_score > 0
    assert 0 < rules.relative <= 1
    assert rules.max_topics >= 1


def test_rules_file_has_only_known_keys() -> None:
    raw = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    assert set(raw) <= {"settings", "ignore", "topics"}
    for topic, spec in raw["topics"].items():
        assert set(spec) <= set(KINDS), topic
        for phrases in spec.values():
            assert all(isinstance(p, str) and p.strip() == p and p for p in phrases), topic


def test_no_phrase_is_listed_twice_under_one_topic() -> None:
    rules = load_rules()
    for topic, phrases in rules.phrases.items():
        forms = [match_form(p.text) for p in phrases]
        assert len(forms) == len(set(forms)), topic


def _every_phrase() -> list[tuple[str, str]]:
    raw = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    return [
        (topic, phrase)
        for topic, spec in raw["topics"].items()
        for phrases in spec.values()
        for phrase in phrases
    ]


def test_every_phrase_matches_itself_in_a_title() -> None:
    # A phrase that cannot match its own text (bad escaping, stray punctuation) is dead weight.
    def found(topic: str, phrase: str) -> bool:
        return any(h.topic == topic and h.phrase == phrase for h in explain(phrase, "", ""))

    dead = [(t, p) for t, p in _every_phrase() if not found(t, p)]
    assert dead == []


def test_unknown_topic_in_rules_file_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text(
        '[settings]\nmin_score = 8.0\n\n[topics.the-thao]\nstrong = ["bóng đá"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="the-thao"):
        load_rules(bad)


def test_custom_rules_file_is_used(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        "[settings]\ntitle_weight = 1.0\nsummary_weight = 1.0\nmin_score = 1.0\n\n"
        '[topics.y-te]\nwords = ["bệnh viện"]\n',
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert set(rules.phrases) == {"y-te"}
    assert scores("Bệnh viện tỉnh", "", "", rules) == {"y-te": 1.0}
    assert classify("Bệnh viện tỉnh", "", "", rules) == ["y-te"]


# --------------------------------------------------------------------------------------------
# hand-labelled portal news items
# --------------------------------------------------------------------------------------------


class Item(NamedTuple):
    id: str
    primary: str
    allowed: frozenset[str]  # topics that may also be assigned besides the primary one
    title: str
    summary: str
    body: str


def item(
    id: str, primary: str, title: str, summary: str, body: str, also: tuple[str, ...] = ()
) -> Item:
    return Item(id, primary, frozenset((primary, *also)), title, summary, body)


ITEMS = [
    item(
        "hdnd-ky-hop",
        "chinh-tri",
        "Khai mạc Kỳ họp thứ 20 Hội đồng nhân dân tỉnh Gia Lai khóa XII",
        "Sáng 9/12, Hội đồng nhân dân tỉnh khai mạc kỳ họp thứ 20.",
        "Các đại biểu xem xét, thông qua nhiều nghị quyết quan trọng. Bí thư Tỉnh ủy phát "
        "biểu chỉ đạo kỳ họp. Kỳ họp dự kiến kéo dài ba ngày.",
        also=("chi-dao-dieu-hanh",),
    ),
    item(
        "dai-hoi-dang-bo",
        "chinh-tri",
        "Đại hội Đảng bộ tỉnh Quảng Ninh lần thứ XVI, nhiệm kỳ 2025-2030",
        "",
        "Đại hội đại biểu Đảng bộ tỉnh đã bầu Ban Chấp hành Đảng bộ tỉnh khóa mới. Đồng chí "
        "Bí thư Tỉnh ủy được tín nhiệm tái cử. Đại hội thông qua Nghị quyết về công tác xây "
        "dựng Đảng.",
    ),
    item(
        "cong-dien-bao",
        "chi-dao-dieu-hanh",
        "UBND tỉnh ban hành công điện chỉ đạo ứng phó với bão số 3",
        "",
        "Chủ tịch UBND tỉnh yêu cầu các sở, ngành và địa phương khẩn trương triển khai "
        "phương án ứng phó. Các đơn vị báo cáo kết quả trước 17 giờ. Giao Văn phòng UBND "
        "tỉnh đôn đốc thực hiện.",
        also=("tai-nguyen-moi-truong",),
    ),
    item(
        "khu-cong-nghiep",
        "kinh-te",
        "Thu hút đầu tư vào khu công nghiệp đạt kết quả tích cực",
        "",
        "Năm 2025, tỉnh thu hút thêm 12 dự án với tổng vốn đăng ký hơn 800 triệu USD. Các "
        "doanh nghiệp trong khu công nghiệp duy trì sản xuất kinh doanh ổn định. Kim ngạch "
        "xuất khẩu tăng 15% so với cùng kỳ.",
    ),
    item(
        "ocop-khanh-hoa",
        "nong-nghiep",
        "Khánh Hoà có thêm 25 sản phẩm đạt chuẩn OCOP",
        "",
        "Hội đồng đánh giá sản phẩm OCOP cấp tỉnh đã công nhận 25 sản phẩm đạt từ 3 sao trở "
        "lên. Các sản phẩm chủ yếu là nông sản, thuỷ sản chế biến của hợp tác xã. Chương "
        "trình góp phần xây dựng nông thôn mới.",
        also=("kinh-te",),
    ),
    item(
        "vu-dong-xuan",
        "nong-nghiep",
        "Nông dân xuống giống vụ Đông Xuân đúng lịch thời vụ",
        "",
        "Ngành nông nghiệp khuyến cáo nông dân sử dụng giống lúa chất lượng cao. Diện tích "
        "gieo sạ toàn tỉnh đạt hơn 40.000 ha. Cán bộ khuyến nông hướng dẫn bà con phòng trừ "
        "sâu bệnh.",
    ),
    item(
        "de-tai-sam",
        "khoa-hoc-cong-nghe",
        "Nghiệm thu đề tài nghiên cứu khoa học cấp tỉnh về giống sâm Ngọc Linh",
        "",
        "Hội đồng khoa học đã nghiệm thu đề tài do Viện Sinh học thực hiện. Kết quả nghiên "
        "cứu sẽ được chuyển giao công nghệ cho doanh nghiệp trên địa bàn. Sở Khoa học và Công "
        "nghệ đánh giá cao tính ứng dụng của đề tài.",
        also=("nong-nghiep",),
    ),
    item(
        "chinh-quyen-so",
        "chuyen-doi-so",
        "Đẩy mạnh chuyển đổi số, xây dựng chính quyền số",
        "",
        "Tỉnh triển khai nền tảng số dùng chung cho các cơ quan nhà nước. Tỷ lệ thanh toán "
        "không dùng tiền mặt tiếp tục tăng. Dữ liệu số được kết nối với Đề án 06 của Chính "
        "phủ.",
    ),
    item(
        "thi-tot-nghiep",
        "giao-duc",
        "Hơn 20.000 thí sinh dự kỳ thi tốt nghiệp THPT năm 2025",
        "",
        "Sở Giáo dục và Đào tạo đã chuẩn bị 45 điểm thi. Các trường học bố trí phòng thi an "
        "toàn cho học sinh. Giáo viên được tập huấn nghiệp vụ coi thi.",
    ),
    item(
        "sot-xuat-huyet",
        "y-te",
        "Bệnh viện Đa khoa tỉnh tiếp nhận nhiều ca sốt xuất huyết",
        "",
        "Số bệnh nhân sốt xuất huyết nhập viện tăng mạnh trong tháng qua. Ngành y tế khuyến "
        "cáo người dân diệt lăng quăng, phòng chống dịch bệnh. Các bác sĩ theo dõi sát người "
        "bệnh có dấu hiệu nặng.",
    ),
    item(
        "tap-huan-bac-si",
        "y-te",
        "Bệnh viện tỉnh tổ chức tập huấn cho bác sĩ tuyến xã",
        "",
        "Lớp tập huấn cập nhật kiến thức điều trị cho 60 bác sĩ. Các học viên được thực hành "
        "khám bệnh tại khoa. Sở Y tế sẽ nhân rộng mô hình trong năm tới.",
    ),
    item(
        "festival-bien",
        "van-hoa-the-thao-du-lich",
        "Lễ hội Festival biển Nha Trang thu hút đông đảo du khách",
        "",
        "Chuỗi hoạt động văn hoá, nghệ thuật diễn ra trong ba ngày. Lượng du khách đến tham "
        "quan các di tích, điểm đến du lịch tăng cao. Các cơ sở lưu trú đạt công suất phòng "
        "trên 80%.",
    ),
    item(
        "qua-tet-ho-ngheo",
        "xa-hoi-lao-dong",
        "Trao tặng quà cho gia đình chính sách và hộ nghèo dịp Tết",
        "",
        "Lãnh đạo tỉnh đến thăm, tặng quà người có công với cách mạng và thương binh. Chương "
        "trình an sinh xã hội hỗ trợ hơn 5.000 hộ nghèo. Ngành lao động cũng tổ chức phiên "
        "giao dịch việc làm cho người lao động.",
    ),
    item(
        "sat-lo-bo-bien",
        "tai-nguyen-moi-truong",
        "Khắc phục sạt lở bờ biển do triều cường",
        "",
        "Triều cường kết hợp mưa lớn gây sạt lở hơn 200 m bờ biển. Sở Tài nguyên và Môi "
        "trường kiểm tra, đề xuất phương án phòng chống thiên tai. Người dân được khuyến cáo "
        "không xả rác thải gây ô nhiễm môi trường.",
    ),
    item(
        "khoi-cong-cao-toc",
        "xay-dung-giao-thong",
        "Khởi công tuyến cao tốc nối Quốc lộ 1 với cảng biển",
        "",
        "Dự án có tổng chiều dài 35 km, đi qua ba xã. Chủ đầu tư cam kết thi công đúng tiến "
        "độ, bảo đảm an toàn giao thông. Công tác giải phóng mặt bằng đã hoàn thành 90%.",
        also=("kinh-te",),
    ),
    item(
        "ma-tuy",
        "quoc-phong-an-ninh",
        "Công an tỉnh triệt phá đường dây mua bán ma tuý",
        "",
        "Lực lượng công an đã bắt giữ 7 đối tượng, thu giữ nhiều tang vật. Vụ án đang được "
        "mở rộng điều tra. Công tác bảo đảm an ninh trật tự trên địa bàn được tăng cường.",
    ),
    item(
        "mot-cua",
        "cai-cach-hanh-chinh",
        "Nâng cao chất lượng giải quyết thủ tục hành chính tại Bộ phận một cửa",
        "",
        "Tỷ lệ hồ sơ giải quyết đúng hạn đạt 99%. Tỉnh cung cấp dịch vụ công trực tuyến toàn "
        "trình cho người dân. Chỉ số cải cách hành chính PAR Index tăng 5 bậc.",
        also=("chuyen-doi-so",),
    ),
    item(
        "dai-su-nhat-ban",
        "doi-ngoai",
        "Lãnh đạo tỉnh tiếp Đại sứ Nhật Bản tại Việt Nam",
        "",
        "Hai bên trao đổi về hợp tác quốc tế trong lĩnh vực nông nghiệp và giáo dục. Đại sứ "
        "đánh giá cao tiềm năng của địa phương. Quan hệ hữu nghị giữa hai nước ngày càng phát "
        "triển.",
        also=("nong-nghiep", "giao-duc", "kinh-te"),
    ),
    item(
        "tuyen-dung",
        "thong-bao",
        "Thông báo tuyển dụng viên chức năm 2025",
        "",
        "Sở Nội vụ thông báo kế hoạch tuyển dụng 120 chỉ tiêu viên chức. Hồ sơ dự tuyển nộp "
        "trực tiếp tại cơ quan. Thời gian nhận hồ sơ đến hết ngày 30/6/2025.",
        also=("cai-cach-hanh-chinh",),
    ),
]


def test_items_cover_enough_topics() -> None:
    assert len(ITEMS) >= 12
    assert len({i.primary for i in ITEMS}) >= 10
    assert {i.primary for i in ITEMS} <= DESIGN_TOPICS


@pytest.mark.parametrize("it", ITEMS, ids=[i.id for i in ITEMS])
def test_primary_topic_is_assigned(it: Item) -> None:
    assert it.primary in classify(it.title, it.summary, it.body)


@pytest.mark.parametrize("it", ITEMS, ids=[i.id for i in ITEMS])
def test_no_unrelated_topic(it: Item) -> None:
    assigned = set(classify(it.title, it.summary, it.body))
    assert assigned - it.allowed == set()


@pytest.mark.parametrize("it", ITEMS, ids=[i.id for i in ITEMS])
def test_result_is_best_first_and_bounded(it: Item) -> None:
    result = classify(it.title, it.summary, it.body)
    rules = load_rules()
    assert 1 <= len(result) <= rules.max_topics
    s = scores(it.title, it.summary, it.body)
    ranked = [s[t] for t in result]
    assert ranked == sorted(ranked, reverse=True)
    assert all(v >= rules.min_score for v in ranked)


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Bệnh viện tỉnh tổ chức tập huấn cho bác sĩ tuyến xã",
            "Lớp tập huấn cập nhật kiến thức điều trị cho 60 bác sĩ. Các học viên được thực "
            "hành khám bệnh tại khoa.",
        ),
        (
            "Đẩy mạnh tiêm chủng vắc xin sởi cho trẻ em",
            "Ngành y tế tổ chức tiêm chủng tại các trường học. Trạm y tế xã phối hợp với nhà "
            "trường lập danh sách trẻ trong độ tuổi.",
        ),
    ],
    ids=["training-doctors", "vaccination-at-schools"],
)
def test_health_item_is_not_education(title: str, body: str) -> None:
    result = classify(title, "", body)
    assert result[0] == "y-te"
    assert "giao-duc" not in result


def test_education_item_is_not_health() -> None:
    it = next(i for i in ITEMS if i.id == "thi-tot-nghiep")
    assert classify(it.title, it.summary, it.body) == ["giao-duc"]


def test_unrelated_text_gets_no_topic() -> None:
    assert classify("Ảnh đẹp trong tuần", "", "Mời bạn đọc xem những bức ảnh đẹp.") == []
    assert classify("", "", "") == []


# --------------------------------------------------------------------------------------------
# scoring
# --------------------------------------------------------------------------------------------


def test_title_counts_more_than_summary_more_than_body() -> None:
    # "bệnh viện" is a strong y-te phrase (x2)
    phrase = "Khánh thành bệnh viện mới"
    in_title = scores(phrase, "", "")
    in_summary = scores("", phrase, "")
    in_body = scores("", "", phrase)
    assert in_body == {"y-te": 2.0}
    assert in_summary == {"y-te": 4.0}
    assert in_title == {"y-te": 8.0}


def test_keyword_only_in_title_still_assigns_the_topic() -> None:
    body = "Buổi lễ diễn ra trang trọng sáng nay với sự tham dự của lãnh đạo địa phương."
    assert classify("Bệnh viện tỉnh đón nhận Huân chương Lao động", "", body) == ["y-te"]
    # the same phrase once in the body alone is too weak
    assert classify("Lễ đón nhận Huân chương", "", body + " Bệnh viện tỉnh.") == []


def test_body_occurrences_are_capped() -> None:
    rules = load_rules()
    many = " ".join(["Bệnh viện tỉnh."] * (rules.body_cap * 3))
    assert scores("", "", many) == {"y-te": 2.0 * rules.body_cap}


def test_phrases_match_whole_words_only() -> None:
    # "lũ" (flood) is a tai-nguyen-moi-truong word; "lũy kế" (cumulative) starts with it
    assert "tai-nguyen-moi-truong" in scores("Mưa lũ gây thiệt hại", "", "")
    assert "tai-nguyen-moi-truong" not in scores("Lũy kế 6 tháng đầu năm", "", "")


def test_phrases_keep_their_diacritics() -> None:
    # "thuế" (tax) is a kinh-te word; "thuê" (rent) is another word
    assert "kinh-te" in scores("Tiền thuế nhà", "", "")
    assert "kinh-te" not in scores("Người thuê nhà", "", "")


def test_ties_are_ordered_by_slug() -> None:
    title = "Khám sức khỏe miễn phí cho học sinh vùng cao"
    body = (
        "Đoàn bác sĩ của Bệnh viện Nhi đã khám cho hơn 500 học sinh. Các em được tư vấn chăm "
        "sóc sức khỏe răng miệng."
    )
    s = scores(title, "", body)
    assert s["giao-duc"] == s["y-te"]
    assert classify(title, "", body) == ["giao-duc", "y-te"]


def test_at_most_max_topics() -> None:
    title = "Hội nghị bàn giải pháp về giáo dục, y tế, du lịch, giao thông và chuyển đổi số"
    body = (
        "Các đại biểu thảo luận về năm học mới, bệnh viện tuyến tỉnh, lễ hội du lịch, tuyến "
        "cao tốc và chính quyền số."
    )
    s = scores(title, "", body)
    assert sum(1 for v in s.values() if v >= load_rules().min_score) > load_rules().max_topics
    assert len(classify(title, "", body)) == load_rules().max_topics


# --------------------------------------------------------------------------------------------
# tone styles and Unicode forms
# --------------------------------------------------------------------------------------------

TONE_VARIANTS = [
    (
        "van-hoa",
        "van-hoa-the-thao-du-lich",
        "Ngày hội văn hoá, thể thao các dân tộc tỉnh Lâm Đồng",
        "Ngày hội văn hóa, thể thao các dân tộc tỉnh Lâm Đồng",
        "Chương trình văn hoá, văn nghệ đặc sắc. Nhiều hoạt động văn hoá dân gian được tái hiện.",
    ),
    (
        "thuy-san",
        "nong-nghiep",
        "Phát triển nuôi trồng thuỷ sản bền vững",
        "Phát triển nuôi trồng thủy sản bền vững",
        "Diện tích nuôi thuỷ sản tăng 10%. Ngành thuỷ sản hướng tới xuất khẩu.",
    ),
    (
        "tinh-uy",
        "chinh-tri",
        "Hội nghị Ban Chấp hành Đảng bộ tỉnh, Tỉnh uỷ Thanh Hoá",
        "Hội nghị Ban Chấp hành Đảng bộ tỉnh, Tỉnh ủy Thanh Hóa",
        "Đồng chí Bí thư Tỉnh uỷ chủ trì hội nghị. Ban Thường vụ Tỉnh uỷ báo cáo công tác cán bộ.",
    ),
    (
        "suc-khoe",
        "y-te",
        "Chăm sóc sức khoẻ người cao tuổi tại trạm y tế",
        "Chăm sóc sức khỏe người cao tuổi tại trạm y tế",
        "Khám sức khoẻ định kỳ cho hơn 300 người. Bác sĩ tư vấn giữ gìn sức khoẻ mùa lạnh.",
    ),
    (
        "so-hoa",
        "chuyen-doi-so",
        "Số hoá hồ sơ, dữ liệu hộ tịch",
        "Số hóa hồ sơ, dữ liệu hộ tịch",
        "Tỉnh hoàn thành số hoá 1,2 triệu hồ sơ. Việc số hoá giúp người dân tra cứu trực tuyến.",
    ),
]


def _new_style(text: str) -> str:
    for old, new in [("oá", "óa"), ("oà", "òa"), ("uỷ", "ủy"), ("oẻ", "ỏe")]:
        text = text.replace(old, new)
    return text.replace("Uỷ", "Ủy")


@pytest.mark.parametrize(
    ("topic", "old_title", "new_title", "old_body"),
    [v[1:] for v in TONE_VARIANTS],
    ids=[v[0] for v in TONE_VARIANTS],
)
def test_tone_styles_classify_the_same(
    topic: str, old_title: str, new_title: str, old_body: str
) -> None:
    new_body = _new_style(old_body)
    assert new_body != old_body
    old = classify(old_title, "", old_body)
    new = classify(new_title, "", new_body)
    assert topic in new
    assert old == new
    assert scores(old_title, "", old_body) == scores(new_title, "", new_body)


@pytest.mark.parametrize("it", ITEMS[:6], ids=[i.id for i in ITEMS[:6]])
def test_nfd_input_classifies_the_same(it: Item) -> None:
    def d(s: str) -> str:
        return unicodedata.normalize("NFD", s)

    assert classify(d(it.title), d(it.summary), d(it.body)) == classify(
        it.title, it.summary, it.body
    )


def test_hoa_with_grave_does_not_match_hoa_with_acute() -> None:
    # "hàng hóa" (goods) is a kinh-te word; "hàng hòa" is not the same word
    assert "kinh-te" in scores("Lưu thông hàng hóa", "", "")
    assert "kinh-te" in scores("Lưu thông hàng hoá", "", "")
    assert "kinh-te" not in scores("Lưu thông hàng hòa", "", "")


# --------------------------------------------------------------------------------------------
# regressions (bugs found by these tests, now fixed)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "summary", "body"),
    [
        (
            "Chủ tịch UBND tỉnh yêu cầu chấn chỉnh tình trạng né tránh, đùn đẩy trách nhiệm",
            "Chủ tịch UBND tỉnh yêu cầu người đứng đầu các cơ quan, đơn vị nghiêm túc thực hiện.",
            "Văn bản yêu cầu các sở, ngành rà soát, xử lý dứt điểm các việc tồn đọng. Yêu cầu "
            "báo cáo kết quả trước ngày 15/4.",
        ),
        (
            "Cầu thủ Đắk Lắk giành Huy chương Vàng bóng đá nam",
            "",
            "Các cầu thủ đã thi đấu kiên cường trong trận chung kết. Cầu thủ Nguyễn Văn A được "
            "bầu là cầu thủ xuất sắc nhất giải. Huấn luyện viên khen ngợi các cầu thủ.",
        ),
    ],
    ids=["yeu-cau-directive", "cau-thu-football"],
)
def test_cau_inside_other_words_is_not_construction(title: str, summary: str, body: str) -> None:
    assert "xay-dung-giao-thong" not in classify(title, summary, body)


# --------------------------------------------------------------------------------------------
# malformed rules files: a clear error naming the file and the key
# --------------------------------------------------------------------------------------------

GOOD_TOPIC = '[topics.y-te]\nstrong = ["bệnh viện"]\n'


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[settings]\nmin_score = "tám"\n' + GOOD_TOPIC, "settings.min_score"),
        ("[settings]\nmax_topics = 2.5\n" + GOOD_TOPIC, "settings.max_topics"),
        ("[settings]\ntitle_weigth = 4.0\n" + GOOD_TOPIC, "settings.title_weigth"),
        ('[settings]\nfallback = "the-thao"\n' + GOOD_TOPIC, "settings.fallback"),
        ("[settings]\nrelative = 1.5\n" + GOOD_TOPIC, "settings.relative"),
        ('[topics.y-te]\nstrongest = ["bệnh viện"]\n', "topics.y-te.strongest"),
        ('[topics.y-te]\nstrong = "bệnh viện"\n', "topics.y-te.strong"),
        ('[topics.y-te]\nstrong = ["bệnh viện", ""]\n', "topics.y-te.strong"),
        ('[topics.y-te]\nstrong = ["bệnh viện", 3]\n', "topics.y-te.strong"),
        ('[topics.y-te]\nwords = ["bệnh. viện"]\n', "topics.y-te.words"),
        ('[topics.y-te]\nstrong = ["bệnh viện"]\nwords = ["Bệnh viện"]\n', "listed twice"),
        ('[topics]\ny-te = ["bệnh viện"]\n', "topics.y-te"),
        ('[ignore]\nwords = ["lào cai"]\n' + GOOD_TOPIC, "ignore"),
        ("[rules]\nx = 1\n" + GOOD_TOPIC, "rules"),
        ('[topics.y-te\nstrong = ["bệnh viện"]\n', "not valid TOML"),
    ],
    ids=[
        "setting-type",
        "int-setting-float",
        "unknown-setting",
        "fallback-not-a-topic",
        "relative-above-1",
        "unknown-list",
        "list-is-a-string",
        "empty-phrase",
        "phrase-not-a-string",
        "phrase-spans-sentences",
        "phrase-listed-twice",
        "topic-not-a-table",
        "ignore-unknown-key",
        "unknown-table",
        "toml-syntax",
    ],
)
def test_malformed_rules_file_names_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(path)
    assert str(path) in str(err.value)
    assert key in str(err.value)


def test_a_minimal_rules_file_loads_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(GOOD_TOPIC, encoding="utf-8")
    rules = load_rules(path)
    assert classify("Bệnh viện tỉnh", "", "", rules) == ["y-te"]
    assert rules.fallback in csv_slugs()


# --------------------------------------------------------------------------------------------
# matching: punctuation, longest phrase, ignored phrases, "against" phrases, long bodies
# --------------------------------------------------------------------------------------------


def test_match_form_drops_punctuation_but_keeps_sentence_ends() -> None:
    assert match_form("Phòng cháy, chữa cháy (PCCC)") == "phòng cháy chữa cháy pccc"
    assert match_form("Hội nghị KH&CN – “đổi mới”") == "hội nghị kh cn đổi mới"
    assert match_form("Mưa lớn. Sạt lở\ndòng hai") == "mưa lớn | sạt lở | dòng hai"
    assert match_form("3,5 tấn/ha") == "3 5 tấn ha"


def test_phrase_matches_across_commas_but_not_across_sentences(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[settings]\nmin_score = 1.0\n\n[topics.quoc-phong-an-ninh]\nwords = ["chữa cháy"]\n'
        '[topics.nong-nghiep]\nwords = ["nông thôn mới"]\n',
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert scores("", "", "Phòng cháy, chữa cháy rừng", rules) == {"quoc-phong-an-ninh": 1.0}
    assert scores("", "", "Vùng nông thôn. Mới đây, tỉnh họp", rules) == {}


def test_longest_phrase_wins_and_is_counted_once(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[topics.kinh-te]\nstrong = ["khu công nghiệp"]\nwords = ["công nghiệp"]\n'
        '[topics.chuyen-doi-so]\nstrong = ["đô thị thông minh"]\n'
        '[topics.xay-dung-giao-thong]\nstrong = ["đô thị"]\n',
        encoding="utf-8",
    )
    rules = load_rules(path)
    # "công nghiệp" inside "khu công nghiệp" does not count again
    assert scores("", "", "Khu công nghiệp mới", rules) == {"kinh-te": 2.0}
    assert scores("", "", "Ngành công nghiệp", rules) == {"kinh-te": 1.0}
    # "đô thị" inside "đô thị thông minh" belongs to the longer phrase's topic only
    assert scores("", "", "Xây dựng đô thị thông minh", rules) == {"chuyen-doi-so": 2.0}
    assert scores("", "", "Chỉnh trang đô thị", rules) == {"xay-dung-giao-thong": 2.0}


def test_one_phrase_may_score_for_several_topics(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[topics.xa-hoi-lao-dong]\nstrong = ["nhà ở xã hội"]\n'
        '[topics.xay-dung-giao-thong]\nwords = ["nhà ở xã hội"]\n',
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert scores("", "", "Dự án nhà ở xã hội", rules) == {
        "xa-hoi-lao-dong": 2.0,
        "xay-dung-giao-thong": 1.0,
    }


def test_ignored_phrase_shields_the_keyword_inside_it() -> None:
    # "lào" (Laos) is a doi-ngoai word; the province Lào Cai is not a foreign affair
    assert "doi-ngoai" in scores("Đoàn công tác tỉnh Luang Prabang của Lào", "", "")
    assert "doi-ngoai" not in scores("Mưa lớn tại Lào Cai", "", "")
    assert not any(h.topic == "" for h in explain("Mưa lớn tại Lào Cai", "", ""))


def test_against_phrases_pull_a_topic_down() -> None:
    # vaccination of cattle is agriculture, not health
    cattle = classify(
        "Tiêm vắc xin cho đàn gia súc",
        "",
        "Chi cục Chăn nuôi và Thú y tiêm vắc xin cho 20.000 con gia súc.",
    )
    people = classify(
        "Tiêm vắc xin sởi cho trẻ em",
        "",
        "Trạm y tế xã tiêm vắc xin cho 500 trẻ em.",
    )
    assert cattle[0] == "nong-nghiep" and "y-te" not in cattle
    assert people[0] == "y-te"
    hits = explain("Tiêm vắc xin cho đàn gia súc", "", "")
    assert any(h.topic == "y-te" and h.kind == "against" and h.points < 0 for h in hits)


def test_long_bodies_are_scaled_down() -> None:
    rules = load_rules()
    filler = "Hội nghị diễn ra trong không khí phấn khởi."
    short = "Bệnh viện tỉnh. " + filler
    long = short + " " + " ".join([filler] * (rules.body_words // 4))
    assert len(long.split()) > 2 * rules.body_words
    assert scores("", "", short)["y-te"] == 2.0
    scaled = scores("", "", long)["y-te"]
    assert 0 < scaled < 1.0
    assert scaled == pytest.approx(2.0 * rules.body_words / len(long.split()))


# --------------------------------------------------------------------------------------------
# topics_for: what an article gets in the crawl (never nothing)
# --------------------------------------------------------------------------------------------


def test_section_topics_come_first_and_rules_add_to_them() -> None:
    got = topics_for(
        "Bệnh viện tỉnh khám sức khỏe miễn phí cho người cao tuổi",
        "",
        "Các bác sĩ đã khám cho 300 người.",
        ("thong-bao",),
    )
    assert got[0] == ("thong-bao", "section")
    assert ("y-te", "rule") in got


def test_section_topic_also_found_by_rules_keeps_origin_section() -> None:
    got = topics_for("Bệnh viện tỉnh khánh thành khoa mới", "", "", ("y-te",))
    assert got == [("y-te", "section")]


def test_article_without_any_keyword_gets_the_fallback_topic() -> None:
    rules = load_rules()
    assert classify("Ảnh đẹp trong tuần", "", "Mời bạn đọc xem những bức ảnh đẹp.") == []
    assert topics_for("Ảnh đẹp trong tuần", "", "Mời bạn đọc xem những bức ảnh.") == [
        (rules.fallback, "rule")
    ]
    assert topics_for("", "", "") == [(rules.fallback, "rule")]


def test_weak_evidence_picks_the_best_topic_over_the_fallback() -> None:
    rules = load_rules()
    title, body = "Lễ đón nhận Huân chương", "Buổi lễ có mặt đại diện bệnh viện tỉnh."
    s = scores(title, "", body)
    assert classify(title, "", body) == []
    assert rules.fallback_min <= s["y-te"] < rules.min_score
    assert topics_for(title, "", body) == [("y-te", "rule")]


def test_no_fallback_when_the_section_gives_a_topic() -> None:
    assert topics_for("Ảnh đẹp trong tuần", "", "", ("van-hoa-the-thao-du-lich",)) == [
        ("van-hoa-the-thao-du-lich", "section")
    ]
