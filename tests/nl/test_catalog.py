"""Entity linking against the sample company's catalog."""

from __future__ import annotations

import pytest


def codes(catalog, text):
    return [[e.code for e in m.entities] for m in catalog.link(text)]


@pytest.mark.parametrize(("text", "code"), [
    ("PH002-256现在还有多少库存", "PH002-256"),
    ("智能手机 Lumen 1 512GB", "PH003-512"),
    ("Book 14 G1 32GB+1TB", "LT001-32-1024"),
    ("无线蓝牙耳机E1", "AC002"),
    ("Who supplies the 6.1in OLED display panel?", "PNL-P001"),
    ("华东仓", "DC-EAST"), ("the south DC", "DC-SOUTH"), ("North China DC", "DC-NORTH"),
    ("苏州门店", "ST-SUZ-01"), ("Shanghai flagship store", "ST-SH-01"), ("龙华工厂", "PLT-SZ"),
    ("华强电子", "SUP-HQE"), ("Huaqiang's lead time", "SUP-HQE"), ("天猫旗舰店", "CUS-TMALL"),
])
def test_names_codes_and_aliases_link_to_one_entity(catalog, text, code):
    """Codes, English and Chinese names, derived names ("华东仓") and aliases find the entity."""
    assert codes(catalog, text) == [[code]]


def test_a_misspelt_name_is_read_as_the_close_name(catalog):
    """"Nvoa 1" (a typo) still finds the Nova 1 phones."""
    assert codes(catalog, "forecast the Nvoa 1 512GB") == [["PH001-512"]]


def test_a_model_name_returns_all_its_variants(catalog):
    """"Nova 1" names both storage variants; the parser decides whether that is ambiguous."""
    assert codes(catalog, "Nova 1") == [["PH001-256", "PH001-512"]]


def test_a_family_word_returns_its_finished_goods(catalog):
    """"笔记本电脑" is the laptop family: its three finished goods."""
    m = catalog.link("笔记本电脑")[0]
    assert (m.how, m.family, [e.code for e in m.entities]) == (
        "family", "laptop", ["LT001-16-512", "LT001-32-1024", "LT001-32-2048"])


@pytest.mark.parametrize(("text", "kind"), [("供应商A的交货期", "supplier"), ("store 12", "store"),
                                            ("plant 2", "plant"), ("DC West", "dc"), ("华西仓", "dc"),
                                            ("iPhone 15", "item"), ("supplier Foxconn's", "supplier")])
def test_names_not_in_the_catalog_are_reported(catalog, text, kind):
    """Something that looks like an entity but is not in the data is flagged, not matched."""
    unknown = catalog.unknown_refs(text, catalog.link(text))
    assert [u.kind for u in unknown] == [kind]


def test_a_city_without_a_dc_suggests_the_regions_dc(catalog):
    """"深圳仓": Shenzhen has no DC, so the South China DC and the Shenzhen sites are offered."""
    u = catalog.unknown_refs("那深圳仓呢", catalog.link("那深圳仓呢"))[0]
    assert [e.code for e in u.suggestions] == ["DC-SOUTH", "PLT-SZ", "ST-SZ-01"]
