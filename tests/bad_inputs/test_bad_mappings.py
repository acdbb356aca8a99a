"""Bad column-mapping files: refused with the mapping file and the faulty key named."""

from __future__ import annotations

from pathlib import Path

from tests.bad_inputs.bad_input_helpers import assert_file_error, refused, write_csv

from supplypilot.data.ingest import import_paths
from supplypilot.data.model import Item
from supplypilot.data.store import Store

ZH_HEADER = ["物料编码", "名称", "中文名", "类型", "单价"]
ZH_ROWS = [["ZH-1", "Screw", "螺丝钉", "component", "0.5"], ["ZH-2", "Board", "电路板", "component", "9"]]
GOOD_MAPPING = """\
entity: items
columns:
  物料编码: code
  名称: name
  中文名: name_zh
  类型: kind
  单价: unit_cost
"""


def _data(tmp_path: Path, encoding: str = "utf-8") -> Path:
    return write_csv(tmp_path / "erp_export.csv", ZH_HEADER, ZH_ROWS, encoding=encoding)


def _mapping(tmp_path: Path, text: str) -> Path:
    m = tmp_path / "erp.yaml"
    m.write_text(text, encoding="utf-8")
    return m


def test_mapping_to_unknown_model_column(store: Store, tmp_path: Path) -> None:
    """A mapping whose target 'colour' is not an items column is refused naming the file and column."""
    m = _mapping(tmp_path, GOOD_MAPPING + "  颜色: colour\n")
    assert_file_error(refused(store, [_data(tmp_path)], mapping=m), m, "colour", "unknown column")


def test_mapping_yaml_is_a_list(store: Store, tmp_path: Path) -> None:
    """A mapping file holding a YAML list instead of a mapping is refused naming the file."""
    m = _mapping(tmp_path, "- code\n- name\n")
    assert_file_error(refused(store, [_data(tmp_path)], mapping=m), m, "must be a YAML mapping")


def test_mapping_yaml_syntax_error(store: Store, tmp_path: Path) -> None:
    """A mapping file that is not parseable YAML is refused naming the file."""
    m = _mapping(tmp_path, "entity: items\ncolumns: {物料编码: code, 名称\n")
    assert_file_error(refused(store, [_data(tmp_path)], mapping=m), m, "not a valid YAML")


def test_mapping_unknown_entity(store: Store, tmp_path: Path) -> None:
    """A mapping for entity 'widgets' is refused naming the file and the entity."""
    m = _mapping(tmp_path, GOOD_MAPPING.replace("entity: items", "entity: widgets"))
    assert_file_error(refused(store, [_data(tmp_path)], mapping=m), m, "widgets")


def test_mapping_misspelt_key(store: Store, tmp_path: Path) -> None:
    """A mapping with the misspelt key 'colums' is refused naming the file and the key."""
    m = _mapping(tmp_path, GOOD_MAPPING.replace("columns:", "colums:"))
    assert_file_error(refused(store, [_data(tmp_path)], mapping=m), m, "colums")


def test_mapping_file_missing(store: Store, tmp_path: Path) -> None:
    """A mapping path that does not exist is refused as 'no such mapping file'."""
    m = tmp_path / "nope.yaml"
    assert_file_error(refused(store, [_data(tmp_path)], mapping=m), m, "no such mapping file")


def test_mapping_gbk_chinese_headers_positive(store: Store, tmp_path: Path) -> None:
    """A GBK export with Chinese headers imports through a good mapping with names intact."""
    m = _mapping(tmp_path, GOOD_MAPPING)
    before = store.counts()["items"]
    rep = import_paths(store, [_data(tmp_path, encoding="gbk")], mapping=m)
    assert rep.ok and rep.files[0].encoding == "gb18030"
    assert store.counts()["items"] == before + 2
    with store.session() as s:
        assert s.get(Item, "ZH-1").name_zh == "螺丝钉"
        assert s.get(Item, "ZH-2").name_zh == "电路板"
