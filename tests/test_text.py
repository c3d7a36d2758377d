"""Vietnamese text helpers: NFC, folding for search, dictionary order."""

import unicodedata

from core.text import clean, fold, slugify, vi_sort_key


def test_clean_stores_nfc_and_collapses_spaces():
    nfd = unicodedata.normalize("NFD", "  Nguyễn   Du ")
    assert clean(nfd) == "Nguyễn Du"
    assert len(clean(nfd)) == 9


def test_fold_matches_without_diacritics_and_across_tone_placement():
    assert fold("Nguyễn Du") == "nguyen du"
    assert fold("ĐÔNG") == "dong"
    assert fold("Hòa") == fold("Hoà") == "hoa"
    assert fold("Thủy") == fold("Thuỷ")


def test_slugify():
    assert slugify("Chợ Bến Thành") == "cho-ben-thanh"
    assert slugify("Công viên 23/9") == "cong-vien-23-9"


def test_vietnamese_dictionary_order():
    words = ["Đào", "Duy", "Dũng", "Ân", "Ăn", "Anh", "An", "Ưng", "Uyên"]
    assert sorted(words, key=vi_sort_key) == [
        "An",
        "Anh",
        "Ăn",
        "Ân",
        "Dũng",
        "Duy",
        "Đào",
        "Uyên",
        "Ưng",
    ]


def test_tones_order_none_huyen_hoi_nga_sac_nang():
    words = ["má", "mạ", "mà", "mã", "ma", "mả"]
    assert sorted(words, key=vi_sort_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]
