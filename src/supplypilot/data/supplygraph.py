"""Import the real SupplyGraph data set (an FMCG manufacturer in Bangladesh) into the store.

SupplyGraph (github.com/ciol-researchlab/SupplyGraph) holds 221 days (2023-01-01 … 2023-08-09)
of four company-wide daily quantities per product — sales orders, production, factory issue,
delivery to distributors — in wide files (``Date`` + one column per product), plus node tables
(product groups; the plants and storage locations a product is linked to). How each file maps
onto the data model is stated in ``mappings/supplygraph.yaml`` (its comments give the reasons);
in short:

* **items** — one per product code (40; ``POP001L12P`` is listed twice upstream), kind
  ``finished``, family = product group, unit ``pcs``, unit cost unknown → 0.
* **locations** — the 25 plants (kind ``plant``) and 13 storage locations (kind ``dc``), with
  unknown coordinates and time zone ``Asia/Dhaka``; plus four synthetic company-wide sites the
  flows need, because every temporal series is per product only: ``SG-PLANT``, ``SG-STORAGE``,
  ``SG-DISTRIBUTORS`` and ``SG-MARKET``.
* **resources** — one synthetic line ``SG-PROD`` at ``SG-PLANT`` (production has no plant).
* **demand** ← Sales Order, at ``SG-MARKET`` (SupplyGraph has no store or customer dimension);
  zero days are kept, the history is complete.
* **production_records** ← Production, on ``SG-PROD``, days with qty > 0.
* **shipments** ← Factory Issue (``SG-PLANT`` → ``SG-STORAGE``: goods issued out of the
  factory; the three flows production → issue → delivery have the same 221-day total) and
  ← Delivery To distributor (``SG-STORAGE`` → ``SG-DISTRIBUTORS``); one shipment document per
  day and flow, one line per product with qty > 0, delivered the same day.
* The **weight** files are not imported: the unit of weight is not stated.

``POP001L12P`` appears twice in the node list (same index, group and weight per unit) and the
temporal files carry two different series for it (``POP001L12P`` and ``POP001L12P.1``); both are
summed into the one item, so company totals are preserved exactly.

Every row goes through :func:`supplypilot.data.ingest.import_frames` (validation, one
transaction, upsert on natural keys), so importing twice creates no duplicates.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from supplypilot import config
from supplypilot.data.ingest import ImportReport, Progress, import_frames
from supplypilot.data.model import ENTITY_MODELS
from supplypilot.data.store import Store
from supplypilot.errors import InputError

MAPPING = Path(__file__).resolve().parent / "mappings" / "supplygraph.yaml"
"""The mapping file shipped with the package."""

_REQUIRED_KEYS = ("dataset", "root", "timezone", "products", "facilities", "locations",
                  "resources", "temporal")


def load_mapping(path: str | Path | None = None) -> dict[str, Any]:
    """The SupplyGraph mapping (``mappings/supplygraph.yaml`` unless ``path`` is given).

    Raises
    ------
    InputError
        The file is missing, is not YAML, lacks a key or names an unknown entity/column.
    """
    p = Path(path) if path is not None else MAPPING
    if not p.is_file():
        raise InputError("SupplyGraph mapping file not found", str(p))
    try:
        spec = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise InputError(f"not a valid YAML file: {err}", str(p)) from err
    if not isinstance(spec, dict):
        raise InputError("the mapping must be a YAML mapping (key: value)", str(p))
    missing = [k for k in _REQUIRED_KEYS if k not in spec]
    if missing:
        raise InputError(f"mapping lacks key(s) {missing}", str(p))
    from supplypilot.data.validation import entity_spec

    for name, s in spec["temporal"]["series"].items():
        entity = s.get("entity")
        if entity not in ENTITY_MODELS:
            raise InputError(f"series {name!r} feeds unknown entity {entity!r}", str(p))
        allowed = set(entity_spec(entity).columns)
        targets = [s.get("item"), s.get("quantity"), *s.get("dates", []),
                   *s.get("fields", {}), *([s["id"]["column"]] if s.get("id") else [])]
        unknown = sorted({str(t) for t in targets if t not in allowed})
        if unknown:
            raise InputError(
                f"series {name!r} maps to unknown column(s) {unknown} of {entity}", str(p)
            )
    return spec


def default_base(spec: dict[str, Any] | None = None) -> Path:
    """The SupplyGraph folder under the shared data folder (``SUPPLYPILOT_DATA``)."""
    spec = spec or load_mapping()
    return config.data_dir() / spec["dataset"]


def _root(base: Path | None, spec: dict[str, Any]) -> tuple[Path, Path]:
    base = Path(base) if base is not None else default_base(spec)
    if not base.is_dir():
        raise InputError(
            "SupplyGraph data folder not found; set SUPPLYPILOT_DATA to the shared data folder "
            "or pass base=", str(base),
        )
    root = base / spec["root"]
    if not root.is_dir():
        raise InputError("SupplyGraph raw data folder not found inside the data set", str(root))
    return base, root


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError("SupplyGraph file not found", str(path))
    return pd.read_csv(path)


def _template_fields(template: str) -> bool:
    return any(f for _, f, _, _ in string.Formatter().parse(template) if f is not None)


# --------------------------------------------------------------------------- master data


def _items(root: Path, spec: dict[str, Any]) -> pd.DataFrame:
    p = spec["products"]
    path = root / p["file"]
    raw = _read_csv(path)
    for col in (p["code"], p["family"]):
        if col not in raw.columns:
            raise InputError(f"column {col!r} not found (columns: {list(raw.columns)})", str(path))
    nodes = raw[[p["code"], p["family"]]].astype("string").apply(lambda s: s.str.strip())
    nodes = nodes.drop_duplicates()
    clash = nodes[nodes[p["code"]].duplicated(keep=False)]
    if not clash.empty:
        raise InputError(
            f"product(s) {sorted(clash[p['code']].unique())} listed with different groups",
            str(path),
        )
    items = pd.DataFrame({
        "code": nodes[p["code"]].to_numpy(dtype=object),
        "name": nodes[p["code"]].to_numpy(dtype=object),
        "family": nodes[p["family"]].to_numpy(dtype=object),
    })
    for col, value in p.get("item", {}).items():
        items[col] = value
    return items.reset_index(drop=True)


def _locations(root: Path, spec: dict[str, Any]) -> pd.DataFrame:
    f = spec["facilities"]
    path = root / f["file"]
    raw = _read_csv(path)
    rows: list[dict[str, Any]] = []
    for role in ("plant", "storage"):
        r = f[role]
        if r["column"] not in raw.columns:
            raise InputError(
                f"column {r['column']!r} not found (columns: {list(raw.columns)})", str(path)
            )
        ids = pd.to_numeric(raw[r["column"]], errors="coerce").dropna()
        # Plant and storage ids are integers; the storage column is read as float (one row
        # has no storage location), so format without the ".0".
        for site in sorted({int(v) for v in ids}):
            rows.append({"code": r["code"].format(site), "name": r["name"].format(site),
                         "kind": r["kind"]})
    rows.extend({"code": s["code"], "name": s["name"], "kind": s["kind"]}
                for s in spec["locations"])
    out = pd.DataFrame(rows)
    out["lat"] = None  # unknown
    out["lon"] = None
    out["timezone"] = spec["timezone"]
    out["country"] = spec.get("country")
    return out


def _resources(spec: dict[str, Any], series: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rows = []
    for r in spec["resources"]:
        row = {k: v for k, v in r.items() if k != "series"}
        if row.get("capacity_per_hour") == "observed_peak":
            long = series[r["series"]]
            daily = long.groupby("date")["value"].sum()
            peak = float(daily.max()) if len(daily) else 0.0
            hours = float(row.get("hours_per_day", 24))
            row["capacity_per_hour"] = round(peak / hours, 3) if peak > 0 else None
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- temporal data


def _read_series(root: Path, spec: dict[str, Any], name: str, items: set[str]) -> pd.DataFrame:
    """One wide temporal file as long ``date, item, value`` (duplicate columns summed)."""
    s = spec["temporal"]["series"][name]
    path = root / s["file"]
    date_col = spec["temporal"]["date_column"]
    wide = _read_csv(path)
    if date_col not in wide.columns:
        raise InputError(f"date column {date_col!r} not found", str(path))
    dup = spec.get("duplicate_columns", {}) or {}
    products = [c for c in wide.columns if c != date_col]
    codes = [dup.get(c, c) for c in products]
    unknown = sorted(set(codes) - items)
    if unknown:
        raise InputError(
            f"product column(s) {unknown} are not in the product list; map them under "
            "duplicate_columns in the mapping file", str(path),
        )
    dates = pd.to_datetime(wide[date_col], errors="coerce")
    if dates.isna().any():
        bad = wide.loc[dates.isna(), date_col].iloc[0]
        raise InputError(f"unparsable date {bad!r} in column {date_col!r}", str(path))
    values = wide[products].apply(pd.to_numeric, errors="coerce").astype("float64")
    if values.isna().any().any():
        col = values.columns[values.isna().any()][0]
        raise InputError(f"non-numeric or empty value in column {col!r}", str(path))
    values.columns = codes
    values = values.T.groupby(level=0, sort=False).sum().T  # POP001L12P + POP001L12P.1
    values.insert(0, "date", dates.dt.normalize().to_numpy())
    return values.melt(id_vars="date", var_name="item", value_name="value")


def _entity_rows(long: pd.DataFrame, s: dict[str, Any]) -> pd.DataFrame:
    if not s.get("keep_zeros", False):
        long = long[long["value"] > 0]
    out = pd.DataFrame({s["item"]: long["item"].to_numpy(),
                        s["quantity"]: long["value"].to_numpy()})
    dates = long["date"].to_numpy()
    for col in s.get("dates", []):
        out[col] = dates
    if s.get("id"):
        tpl = s["id"]["template"]
        day = pd.DatetimeIndex(long["date"])
        out[s["id"]["column"]] = (
            [tpl.format(date=d) for d in day] if _template_fields(tpl) else tpl
        )
    for col, value in (s.get("fields") or {}).items():
        out[col] = value
    return out


# --------------------------------------------------------------------------- public API


def load_supplygraph(base: Path | None = None, *,
                     mapping: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """SupplyGraph as model-shaped frames, ready for :func:`~supplypilot.data.ingest.import_frames`.

    Parameters
    ----------
    base
        The SupplyGraph folder (holding ``Raw Dataset/``); default
        ``config.data_dir() / "forecasting/supplygraph"``.
    mapping
        Another mapping file; default ``mappings/supplygraph.yaml``.

    Returns
    -------
    dict
        Entity → frame: items, locations, resources, demand, production_records, shipments.

    Raises
    ------
    InputError
        The data folder or one of its files is missing or malformed (the path is named).
    """
    spec = load_mapping(mapping)
    _, root = _root(base, spec)
    items = _items(root, spec)
    codes = set(items["code"])
    series = {name: _read_series(root, spec, name, codes) for name in spec["temporal"]["series"]}
    frames: dict[str, pd.DataFrame] = {
        "items": items,
        "locations": _locations(root, spec),
        "resources": _resources(spec, series),
    }
    by_entity: dict[str, list[pd.DataFrame]] = {}
    for name, s in spec["temporal"]["series"].items():
        by_entity.setdefault(s["entity"], []).append(_entity_rows(series[name], s))
    for entity, parts in by_entity.items():
        frames[entity] = pd.concat(parts, ignore_index=True)
    return frames


def import_supplygraph(store: Store, base: Path | None = None, *, dry_run: bool = False,
                       progress: Progress | None = None,
                       mapping: str | Path | None = None) -> ImportReport:
    """Import SupplyGraph into ``store`` in one transaction (source ``supplygraph:<folder>``).

    Re-importing updates the same rows (natural keys), it never duplicates them. With
    ``dry_run`` everything is validated and nothing is written.

    Raises
    ------
    InputError
        The data folder is missing (the path is named).
    ValidationFailed
        A row does not fit the model; the store is unchanged.
    """
    spec = load_mapping(mapping)
    folder, _ = _root(base, spec)
    frames = load_supplygraph(folder, mapping=mapping)
    return import_frames(store, frames, f"supplygraph:{folder.resolve()}", dry_run=dry_run,
                         progress=progress)
