"""Column mapping files: an ERP's own headers (物料编码, 数量, 单价, 交货日期 ...) → the model.

A mapping is a small YAML file::

    entity: purchase_orders
    encoding: gb18030          # optional: confirm a non-UTF-8 export
    columns:                   # source header → model column
      采购单号: po_number
      物料编码: item_code
      数量: qty
    values:                    # optional recoding of values, per model column
      status: {未结: open, 已收货: received}
    constants:                 # optional columns the export lacks
      destination_code: PLANT-SZ
    ignore: [备注]             # source columns to drop
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from supplypilot.data.model import ENTITY_MODELS
from supplypilot.errors import InputError

BUILTIN = Path(__file__).resolve().parent / "mappings"


class ColumnMapping(BaseModel):
    """A parsed mapping file."""

    model_config = ConfigDict(extra="forbid")

    entity: str = Field(description="Entity the file holds, e.g. purchase_orders.")
    encoding: str | None = Field(None, description="Text encoding of the source, when not UTF-8.")
    columns: dict[str, str] = Field(default_factory=dict, description="Source header → model column.")
    values: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Value recoding per model column.")
    constants: dict[str, Any] = Field(default_factory=dict, description="Columns set to one value.")
    ignore: list[str] = Field(default_factory=list, description="Source columns to drop.")

    @model_validator(mode="after")
    def _known(self) -> ColumnMapping:
        if self.entity not in ENTITY_MODELS:
            raise ValueError(f"unknown entity {self.entity!r}; expected one of {list(ENTITY_MODELS)}")
        from supplypilot.data.validation import entity_spec

        allowed = set(entity_spec(self.entity).columns)
        targets = list(self.columns.values()) + list(self.constants)
        unknown = sorted({t for t in targets if t not in allowed})
        if unknown:
            raise ValueError(f"maps to unknown column(s) {unknown} of {self.entity}; allowed: {sorted(allowed)}")
        return self

    def apply(self, frame: Any) -> Any:
        from supplypilot.data.validation import apply_mapping

        out = frame.drop(columns=[c for c in self.ignore if c in frame.columns])
        out = apply_mapping(out, self.columns, self.values)
        for col, value in self.constants.items():
            out[col] = value
        return out


def load_mapping(path: str | Path) -> ColumnMapping:
    """Read and check a mapping file; a built-in name (``supplygraph``) also works."""
    p = Path(path)
    if not p.exists() and (BUILTIN / f"{path}.yaml").exists():
        p = BUILTIN / f"{path}.yaml"
    if not p.exists():
        raise InputError("no such mapping file", str(path))
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"not a valid YAML mapping: {exc}", str(p)) from exc
    if not isinstance(raw, dict):
        raise InputError("a mapping file must be a YAML mapping with 'entity' and 'columns'", str(p))
    try:
        return ColumnMapping.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"]) or "mapping"
        raise InputError(f"{loc}: {first['msg']}", str(p)) from exc
