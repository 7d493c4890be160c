"""UI strings: Vietnamese by default, English on request, fallbacks, durations."""

from __future__ import annotations

from monitor.core.i18n import STRINGS, add_strings, fault_label, format_duration, normalize_lang, t


def test_vietnamese_default_english_available_and_fallbacks() -> None:
    assert t("nav.outages") == "Sự cố"
    assert t("nav.outages", "en") == "Outages"
    assert t("nav.outages", "fr") == "Sự cố"
    assert t("no.such.key", "en") == "no.such.key"
    assert normalize_lang("en-US") == "en" and normalize_lang(None) == "vi"
    assert fault_label("offline") == "Mất kết nối" and fault_label("offline", "en") == "Offline"
    assert fault_label("smoke") == "smoke"


def test_every_string_has_both_languages_and_others_can_add_theirs() -> None:
    assert all(set(texts) == {"vi", "en"} and all(texts.values()) for texts in STRINGS.values())
    add_strings({"test.only": {"vi": "Mô hình"}})
    try:
        assert t("test.only", "en") == "Mô hình"  # English missing: Vietnamese
    finally:
        del STRINGS["test.only"]


def test_durations() -> None:
    assert format_duration(2 * 86400 + 3 * 3600 + 5 * 60) == "2 ngày 3 giờ 5 phút"
    assert format_duration(4 * 3600, "en") == "4 h"
    assert format_duration(30) == "0 phút" and format_duration(None) == ""


def test_area_levels_and_unit_kinds_in_both_languages() -> None:
    from monitor.core.i18n import area_kind_label, level_label
    from monitor.core.models import AREA_KINDS, AreaLevel

    assert level_label("commune") == "Xã/phường/đặc khu"
    assert level_label("cluster", "en") == "Cluster"
    assert area_kind_label("special_zone", "commune") == "Đặc khu"
    assert area_kind_label("residential_group", "village", "en") == "Residential group"
    assert area_kind_label("", "village") == "Thôn/tổ dân phố"  # no kind: the level's name
    for level in AreaLevel:
        assert level_label(level.value) != f"level.{level.value}"
        for kind in AREA_KINDS[level]:
            for lang in ("vi", "en"):
                assert area_kind_label(kind, level.value, lang) != f"area_kind.{kind}"
