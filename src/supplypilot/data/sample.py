"""Realistic sample data: an electronics maker in China, with the ground truth behind it.

:func:`generate_electronics` builds a complete, consistent data set for every importable
entity of :mod:`supplypilot.data.model` — a maker of phones, laptops, tablets and accessories
with plants in Shenzhen and Chengdu, three (five at ``large``) distribution centres, stores in
Chinese cities, online platforms and B2B customers — together with the *truth* the data was
drawn from (demand components, promotions, calendar events, true inventory, sensor anomalies
and loss rates, supplier lead-time realisations), so forecasting, data fusion, cleaning and
monitoring can be scored against what really happened.

How the pieces hang together:

* **Master data**: a multi-level BOM (finished good → sub-assemblies → components) whose costs
  roll up, suppliers with lead times and reliabilities, lanes, lines and their calendars.
* **Demand**: daily per finished good × store / customer and spare part × DC, the product of
  baseline, trend, weekly and yearly seasonality (Singles' Day, 618, back-to-school),
  holidays (Chinese New Year dip and pre-CNY peak, Golden Week), promotions (price cut with
  uplift), launch ramp-up and end-of-life decay, with negative-binomial noise; B2B orders and
  spare parts are intermittent. ``truth["demand_components"]`` holds every factor per row.
* **Flows**: DCs replenish stores weekly from stock and are replenished by the plants with an
  order-up-to policy; the simulated true on-hand is reported by three noisy sources (ERP,
  WMS, RFID). Plant shipments drive production (levelled against line capacity) which drives
  the component purchase orders through the BOM; receipts follow the suppliers' lead-time
  realisations. Sales orders are the order lines behind online / B2B / distributor demand.
* **Sensors**: DC climate, line vibration, truck GPS and RFID gate counts with per-message
  sequence numbers, dropped messages and labelled anomalies.

Everything is vectorised with numpy and deterministic for a given ``seed``: each stage draws
from its own generator, so generating only the master data (``tables=``) gives the same
master data as a full run.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from supplypilot.data.model import ENTITY_MODELS, IMPORTABLE
from supplypilot.errors import InputError

__all__ = [
    "DEFAULT_END",
    "ENTITY_ORDER",
    "MASTER_ENTITIES",
    "SCALES",
    "SampleData",
    "generate_electronics",
    "importable_columns",
]

DEFAULT_END = date(2026, 10, 31)
ENTITY_ORDER: tuple[str, ...] = tuple(m.__entity__ for m in IMPORTABLE)
MASTER_ENTITIES: tuple[str, ...] = (
    "items", "locations", "bom", "suppliers", "supplier_items", "lanes", "resources",
    "resource_calendar",
)
CALENDAR_AHEAD_DAYS = 90
"""The resource calendar runs this many days past the end of the history."""

Progress = Callable[[str, int], None]


def importable_columns(entity: str) -> list[str]:
    """The columns a file of ``entity`` carries: mapped columns less ids, lineage and derived."""
    model = ENTITY_MODELS[entity]
    return [
        c.name for c in model.__table__.columns
        if c.name not in ("id", "batch_id", "source_row") and not c.info.get("derived")
    ]


# --------------------------------------------------------------------------- result


@dataclass
class SampleData:
    """A generated data set: importable tables, the ground truth, and how it was made."""

    tables: dict[str, pd.DataFrame]
    """Entity name → frame with exactly the entity's importable columns, in import order."""
    truth: dict[str, pd.DataFrame]
    """Ground truth frames (demand components, true inventory, sensor anomalies...)."""
    params: dict[str, Any] = field(default_factory=dict)
    """Scale, seed, start, end, row counts per table and seconds per stage."""

    def write(self, folder: Path | str, format: Literal["csv", "parquet"] = "csv") -> list[Path]:
        """Writes <entity>.csv (UTF-8, ISO dates) per table and truth/<name>.csv|parquet.

        Returns the paths in import order (the tables first, then the truth files).
        """
        if format not in ("csv", "parquet"):
            raise InputError(f"format must be 'csv' or 'parquet', got {format!r}", "format")
        folder = Path(folder)
        (folder / "truth").mkdir(parents=True, exist_ok=True)
        paths: list[Path] = []
        named = [(folder / f"{e}.{format}", self.tables[e])
                 for e in ENTITY_ORDER if e in self.tables]
        named += [(folder / "truth" / f"{n}.{format}", f) for n, f in self.truth.items()]
        for path, frame in named:
            if format == "csv":
                frame.to_csv(path, index=False, encoding="utf-8", date_format=None)
            else:
                frame.to_parquet(path, index=False)
            paths.append(path)
        return paths


# --------------------------------------------------------------------------- scales


@dataclass(frozen=True)
class _Scale:
    phone_models: int
    laptop_models: int
    tablet_models: int
    accessories: int
    spares: int
    stores: int
    online: int
    b2b: int
    distributors: int
    suppliers: int
    dcs: int
    store_core: int          # best sellers every store carries
    store_extra: float       # chance a store carries any other product
    inventory_every: int     # days between inventory snapshots
    sensor_days: int
    sensor_minutes: int
    climate_per_dc: int
    trucks_per_dc: int
    truck_days: int
    gates_per_dc: int
    promos_per_year: float


SCALES: dict[str, _Scale] = {
    "small": _Scale(3, 1, 1, 3, 6, 32, 2, 2, 1, 10, 3, 5, 0.06, 7, 60, 15, 2, 1, 14, 1, 4.0),
    "medium": _Scale(14, 8, 5, 11, 40, 32, 3, 2, 1, 12, 3, 16, 0.3, 1, 90, 15, 3, 2, 30, 2, 4.0),
    "large": _Scale(80, 45, 25, 60, 150, 120, 5, 4, 2, 20, 5, 24, 0.1, 1, 120, 15, 4, 2, 21, 2,
                    3.0),
}
_VARIANT_PATTERN = (2, 1, 2, 3, 1, 2, 1, 2)

# channels of a demand series
STORE, ONLINE, B2B, DISTRIBUTOR, SERVICE = range(5)
CHANNEL_NAMES = ("store", "online", "b2b", "distributor", "service")

# --------------------------------------------------------------------------- geography

# code: (city, lat, lon, region, tier)
_CITIES: dict[str, tuple[str, float, float, str, int]] = {
    "BJ": ("Beijing", 39.904, 116.407, "North China", 1),
    "SH": ("Shanghai", 31.230, 121.474, "East China", 1),
    "GZ": ("Guangzhou", 23.129, 113.264, "South China", 1),
    "SZ": ("Shenzhen", 22.543, 114.058, "South China", 1),
    "CD": ("Chengdu", 30.573, 104.066, "Southwest China", 2),
    "HZ": ("Hangzhou", 30.274, 120.155, "East China", 2),
    "WH": ("Wuhan", 30.593, 114.305, "Central China", 2),
    "CQ": ("Chongqing", 29.563, 106.551, "Southwest China", 2),
    "NJ": ("Nanjing", 32.060, 118.797, "East China", 2),
    "TJ": ("Tianjin", 39.084, 117.201, "North China", 2),
    "SUZ": ("Suzhou", 31.299, 120.585, "East China", 2),
    "XA": ("Xi'an", 34.341, 108.940, "Northwest China", 2),
    "CS": ("Changsha", 28.228, 112.939, "Central China", 2),
    "ZZ": ("Zhengzhou", 34.747, 113.625, "Central China", 2),
    "DG": ("Dongguan", 23.021, 113.752, "South China", 2),
    "QD": ("Qingdao", 36.067, 120.383, "East China", 2),
    "SY": ("Shenyang", 41.805, 123.432, "Northeast China", 2),
    "HF": ("Hefei", 31.821, 117.227, "East China", 2),
    "FS": ("Foshan", 23.022, 113.122, "South China", 2),
    "NB": ("Ningbo", 29.868, 121.544, "East China", 3),
    "XM": ("Xiamen", 24.480, 118.089, "East China", 3),
    "FZ": ("Fuzhou", 26.075, 119.306, "East China", 3),
    "JN": ("Jinan", 36.651, 117.120, "East China", 3),
    "DL": ("Dalian", 38.914, 121.615, "Northeast China", 3),
    "HRB": ("Harbin", 45.803, 126.535, "Northeast China", 3),
    "CC": ("Changchun", 43.817, 125.324, "Northeast China", 3),
    "KM": ("Kunming", 24.880, 102.833, "Southwest China", 3),
    "NN": ("Nanning", 22.817, 108.366, "South China", 3),
    "GY": ("Guiyang", 26.647, 106.630, "Southwest China", 3),
    "NC": ("Nanchang", 28.682, 115.858, "East China", 3),
    "SJZ": ("Shijiazhuang", 38.042, 114.515, "North China", 3),
    "TY": ("Taiyuan", 37.870, 112.549, "North China", 3),
    "HK": ("Hong Kong", 22.319, 114.169, "South China", 1),
    "HHHT": ("Hohhot", 40.842, 111.749, "North China", 3),
    "LZ": ("Lanzhou", 36.061, 103.834, "Northwest China", 3),
    "URC": ("Urumqi", 43.825, 87.617, "Northwest China", 3),
    "HAK": ("Haikou", 20.044, 110.199, "South China", 3),
    "YC": ("Yinchuan", 38.487, 106.231, "Northwest China", 3),
    "XN": ("Xining", 36.617, 101.778, "Northwest China", 3),
    "WX": ("Wuxi", 31.491, 120.312, "East China", 3),
}

# code, name, city, lat, lon, regions served (3-DC and 5-DC networks)
_DCS = [
    ("DC-NORTH", "North China DC (Beijing Daxing)", "Beijing", 39.726, 116.341,
     ("North China", "Northeast China", "Northwest China"), ("North China", "Northeast China")),
    ("DC-EAST", "East China DC (Shanghai Jiading)", "Shanghai", 31.375, 121.265,
     ("East China", "Central China"), ("East China",)),
    ("DC-SOUTH", "South China DC (Guangzhou Huangpu)", "Guangzhou", 23.106, 113.459,
     ("South China", "Southwest China"), ("South China",)),
    ("DC-SW", "Southwest China DC (Chengdu Shuangliu)", "Chengdu", 30.580, 103.923,
     (), ("Southwest China", "Northwest China")),
    ("DC-CENTRAL", "Central China DC (Wuhan Dongxihu)", "Wuhan", 30.640, 114.140,
     (), ("Central China",)),
]
_PLANTS = [
    ("PLT-SZ", "Shenzhen Longhua Plant", "Shenzhen", 22.656, 114.030, "South China"),
    ("PLT-CD", "Chengdu Hi-tech Zone Plant", "Chengdu", 30.545, 104.065, "Southwest China"),
]
# code | name | categories | city | country | lat | lon | region (China) | lead time (days)
_SUPPLIER_TABLE = """
SUP-HSC|Hsinchu Semiconductor Co., Ltd.|soc,ic|Hsinchu|TW|24.806|120.968||70
SUP-HYM|Hanyang Memory Co., Ltd.|memory|Seoul|KR|37.566|126.978||42
SUP-SDT|Shanghai Display Technology Co.|display|Shanghai|CN|31.200|121.600|East China|28
SUP-NEC|Ningde Energy Cells Co.|battery|Ningde|CN|26.666|119.548|East China|21
SUP-SPC|Suzhou Precision Circuits Co.|pcb|Suzhou|CN|31.320|120.700|East China|14
SUP-DGM|Dongguan Metal & Plastics Co.|mechanical,packaging|Dongguan|CN|22.970|113.740|South China|12
SUP-KID|Kansai Imaging Devices K.K.|camera|Osaka|JP|34.694|135.502||45
SUP-PIC|Penang Interconnect Sdn. Bhd.|interconnect|Penang|MY|5.414|100.329||30
SUP-HQE|Shenzhen Huaqiang Electronics Co.|passives,interconnect,electromech,ic|Shenzhen|CN|\
22.545|114.085|South China|7
SUP-CXM|Hefei Changxin Memory Technology|memory|Hefei|CN|31.780|117.210|East China|35
SUP-TEM|Taipei Electromechanical Corp.|electromech|Taipei|TW|25.033|121.565||28
SUP-WHO|Wuhan Optoelectronics Co.|display|Wuhan|CN|30.500|114.400|Central China|25
SUP-XMP|Xiamen Packaging Group|packaging|Xiamen|CN|24.520|118.150|East China|10
SUP-HZB|Huizhou Battery Technology Co.|battery|Huizhou|CN|23.112|114.416|South China|18
SUP-KSP|Kunshan Circuit Board Co.|pcb|Kunshan|CN|31.385|120.981|East China|16
SUP-BSN|Busan Precision Parts Co.|electromech,mechanical|Busan|KR|35.180|129.076||30
SUP-SGS|Singapore Semicon Pte. Ltd.|ic,soc|Singapore|SG|1.352|103.820||63
SUP-KYT|Kyoto Ceramic Components K.K.|passives|Kyoto|JP|35.012|135.768||40
SUP-HNI|Hanoi Mechanical JSC|mechanical|Hanoi|VN|21.028|105.854||25
SUP-TCH|Taichung Camera Optics Co.|camera|Taichung|TW|24.148|120.674||35
"""
_COUNTRY_TZ = {"CN": "Asia/Shanghai", "TW": "Asia/Taipei", "KR": "Asia/Seoul", "JP": "Asia/Tokyo",
               "MY": "Asia/Kuala_Lumpur", "SG": "Asia/Singapore", "VN": "Asia/Ho_Chi_Minh"}
_COUNTRY_REGION = {"TW": "Taiwan", "KR": "Korea", "JP": "Japan", "MY": "Malaysia",
                   "SG": "Singapore", "VN": "Vietnam"}


def _parse_suppliers(text: str) -> list[tuple[Any, ...]]:
    out = []
    for line in text.strip().splitlines():
        c, n, cats, city, cty, lat, lon, reg, lt = line.split("|")
        out.append((c, n, tuple(cats.split(",")), city, cty, float(lat), float(lon),
                    _COUNTRY_TZ[cty], reg or _COUNTRY_REGION[cty], int(lt)))
    return out


_SUPPLIERS = _parse_suppliers(_SUPPLIER_TABLE)
_FALLBACK_SUPPLIER = "SUP-HQE"  # the Huaqiang broker sells anything a small network lacks
# code, name, channel, city code, families bought (None = all)
_CUSTOMERS = {
    ONLINE: [
        ("CUS-TMALL", "Tmall Flagship Store", "HZ"), ("CUS-JD", "JD.com Self-operated", "BJ"),
        ("CUS-DOUYIN", "Douyin E-commerce Shop", "BJ"),
        ("CUS-PDD", "Pinduoduo Official Store", "SH"),
        ("CUS-VIP", "Vipshop Outlet", "GZ"),
    ],
    B2B: [
        ("CUS-CMCC", "China Mobile Group Procurement", "BJ", ("phone",)),
        ("CUS-EDU-CQ", "Chongqing Municipal Education Commission", "CQ", ("laptop", "tablet")),
        ("CUS-ENT-SZ", "Shenzhen Enterprise IT Services Co.", "SZ", ("laptop", "phone")),
        ("CUS-CTCC", "China Telecom Procurement Center", "SH", ("phone", "tablet")),
    ],
    DISTRIBUTOR: [
        ("CUS-DIST-GZ", "Guangzhou Digital Distribution Co.", "GZ"),
        ("CUS-DIST-CD", "Chengdu West Electronics Distribution", "CD"),
    ],
}
_CARRIERS = {  # mode: [(carrier, on-time reliability)]
    "road": [("SF Freight", 0.95), ("Deppon Logistics", 0.88), ("JD Logistics", 0.93),
             ("ZTO Express Freight", 0.84), ("Best Logistics", 0.82)],
    "rail": [("China Railway Express", 0.9)],
    "air": [("SF Airlines", 0.96), ("China Eastern Logistics", 0.92)],
    "sea": [("COSCO Shipping", 0.85), ("Evergreen Marine", 0.87)],
    "parcel": [("SF Express", 0.97), ("YTO Express", 0.9), ("Cainiao Network", 0.92)],
}

# --------------------------------------------------------------------------- calendar

_CNY = {
    2016: "2016-02-08", 2017: "2017-01-28", 2018: "2018-02-16", 2019: "2019-02-05",
    2020: "2020-01-25", 2021: "2021-02-12", 2022: "2022-02-01", 2023: "2023-01-22",
    2024: "2024-02-10", 2025: "2025-01-29", 2026: "2026-02-17", 2027: "2027-02-06",
    2028: "2028-01-26", 2029: "2029-02-13", 2030: "2030-02-03",
}
_DRAGON_BOAT = {2022: "2022-06-03", 2023: "2023-06-22", 2024: "2024-06-10", 2025: "2025-05-31",
                2026: "2026-06-19", 2027: "2027-06-09", 2028: "2028-05-28"}
_MID_AUTUMN = {2022: "2022-09-10", 2023: "2023-09-29", 2024: "2024-09-17", 2025: "2025-10-06",
               2026: "2026-09-25", 2027: "2027-09-15", 2028: "2028-10-03"}

# weekly profiles Monday..Sunday per channel (normalised to mean 1 later)
_WEEKLY = np.array([
    [0.86, 0.82, 0.85, 0.92, 1.05, 1.38, 1.17],   # store: weekend peak
    [1.06, 1.00, 0.98, 0.97, 0.94, 0.97, 1.08],   # online
    [1.38, 1.42, 1.40, 1.40, 1.30, 0.06, 0.04],   # b2b: weekdays
    [3.50, 0.00, 0.00, 3.50, 0.00, 0.00, 0.00],   # distributor: Monday & Thursday orders
    [1.20, 1.15, 1.10, 1.10, 1.05, 0.75, 0.65],   # service (spare parts)
])
_WEEKLY = _WEEKLY / _WEEKLY.mean(axis=1, keepdims=True)


# multipliers per channel: store, online, B2B, distributor, service (spare parts)
_PUBLIC_HOLIDAY = (1.1, 1.0, 0.1, 0.3, 0.6)
_YEARLY_EVENTS: list[tuple[str, str, tuple[int, int], tuple[int, int], tuple[float, ...], str]] = [
    ("New Year's Day", "holiday", (1, 1), (1, 1), (1.2, 1.05, 0.1, 0.3, 0.5), ""),
    ("Qingming Festival", "holiday", (4, 4), (4, 6), _PUBLIC_HOLIDAY, ""),
    ("Labour Day holiday", "holiday", (5, 1), (5, 5), (1.25, 1.0, 0.1, 0.3, 0.6), ""),
    ("618 pre-sale", "festival", (6, 1), (6, 17), (1.2, 1.8, 1.0, 1.2, 1.0), "ramp"),
    ("618 mid-year sale", "festival", (6, 18), (6, 18), (1.6, 4.5, 1.0, 1.3, 1.0), ""),
    ("Post-618 lull", "festival", (6, 19), (6, 24), (0.9, 0.75, 1.0, 0.9, 1.0), ""),
    ("Back-to-school season", "festival", (8, 10), (9, 10), (1.45, 1.5, 2.5, 1.3, 1.0), "bts"),
    ("National Day Golden Week", "holiday", (10, 1), (10, 7), (1.4, 0.95, 0.1, 0.3, 0.6), ""),
    ("Singles' Day pre-sale", "festival", (10, 20), (11, 10), (1.3, 1.9, 1.0, 1.3, 1.0), "ramp"),
    ("Singles' Day (11.11)", "festival", (11, 11), (11, 11), (2.0, 7.0, 1.0, 1.5, 1.0), ""),
    ("Post-11.11 lull", "festival", (11, 12), (11, 18), (0.85, 0.7, 1.0, 0.8, 1.0), ""),
    ("Double 12 sale", "festival", (12, 12), (12, 12), (1.15, 1.8, 1.0, 1.0, 1.0), ""),
]
# days relative to Chinese New Year's day
_CNY_EVENTS: list[tuple[str, int, int, tuple[float, ...]]] = [
    ("Pre-CNY shopping peak", -24, -8, (1.35, 1.25, 0.9, 1.4, 1.0)),
    ("Pre-CNY logistics cut-off", -7, -3, (1.3, 0.6, 0.5, 0.6, 0.8)),
    ("Chinese New Year (Spring Festival)", -2, 6, (0.45, 0.3, 0.02, 0.05, 0.25)),
    ("Post-CNY recovery", 7, 14, (0.85, 0.85, 0.6, 0.7, 0.9)),
]


@dataclass(frozen=True)
class _EventSpec:
    name: str
    kind: str            # festival (yearly) | holiday | cny
    start: date
    end: date
    amps: tuple[float, ...]   # per channel
    ramp: bool = False   # effect grows linearly from 1 at start to amp at end
    bts_only: bool = False


def _calendar_specs(first: date, last: date) -> list[_EventSpec]:
    """The calendar events (festivals, public holidays, Chinese New Year) overlapping a span."""
    out: list[_EventSpec] = []
    d = date.fromisoformat
    for y in range(first.year - 1, last.year + 2):
        for name, kind, a, b, amps, flag in _YEARLY_EVENTS:
            out.append(_EventSpec(name, kind, date(y, *a), date(y, *b), amps,
                                  ramp=flag == "ramp", bts_only=flag == "bts"))
        if y in _CNY:
            c = d(_CNY[y])
            for name, a, b, amps in _CNY_EVENTS:
                out.append(_EventSpec(name, "cny", c + timedelta(a), c + timedelta(b), amps))
        for table, name, n_days in ((_DRAGON_BOAT, "Dragon Boat Festival", 2),
                                    (_MID_AUTUMN, "Mid-Autumn Festival", 0)):
            if y in table:
                h = d(table[y])
                out.append(_EventSpec(name, "holiday", h, h + timedelta(n_days), _PUBLIC_HOLIDAY))
    return [e for e in out if e.end >= first and e.start <= last]


def _apply_events(specs: list[_EventSpec], start: date, n: int, kinds: tuple[str, ...],
                  bts: bool | None = None) -> np.ndarray:
    """Multiplier per channel × day from the events of the given kinds."""
    out = np.ones((5, n))
    for e in specs:
        if e.kind not in kinds or (bts is not None and e.bts_only != bts):
            continue
        a, b = (e.start - start).days, (e.end - start).days
        lo, hi = max(a, 0), min(b, n - 1)
        if lo > hi:
            continue
        amps = np.array(e.amps)[:, None]
        if e.ramp and b > a:
            frac = (np.arange(lo, hi + 1) - a) / (b - a)
            out[:, lo:hi + 1] *= 1 + (amps - 1) * frac[None, :]
        else:
            out[:, lo:hi + 1] *= amps
    return out


def _haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    dp = p2 - p1
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def _retail_price(p: np.ndarray) -> np.ndarray:
    """Prices as shops write them: 3999, 3599, 299, 89.9."""
    p = np.asarray(p, dtype=float)
    big = np.round(p / 10.0) * 10.0 - 1.0
    small = np.round(p, 1)
    return np.where(p >= 100, big, small)


def _nice_ceil(x: np.ndarray | float, digits: int = 2) -> np.ndarray:
    """Round up to ``digits`` significant digits (capacities, MOQs)."""
    x = np.maximum(np.asarray(x, dtype=float), 1e-9)
    mag = 10.0 ** (np.floor(np.log10(x)) - digits + 1)
    return np.ceil(x / mag) * mag


def _integer_split(total: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """Split integer totals (…) by fractions over the last axis, keeping the integer sum."""
    cum = np.cumsum(frac, axis=-1)
    with np.errstate(invalid="ignore"):
        cum = np.where(cum[..., -1:] > 0, cum / np.maximum(cum[..., -1:], 1e-12), 0.0)
    c = np.round(total[..., None] * cum)
    return np.diff(c, axis=-1, prepend=0.0)


# --------------------------------------------------------------------------- items


class _Items:
    """A growing item table; children are added before parents (index order is topological)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.index: dict[str, int] = {}
        self.bom: list[tuple[int, int, float, float]] = []

    def add(self, code: str, name: str, name_zh: str, kind: str, family: str | None, *,
            cost: float | None = None, weight: float | None = None, category: str | None = None,
            va_rate: float = 0.0, va_fixed: float = 0.0, shelf: float | None = None,
            **extra: Any) -> int:
        if code in self.index:
            raise ValueError(f"duplicate item code {code}")
        i = len(self.rows)
        self.rows.append(dict(code=code, name=name, name_zh=name_zh, kind=kind, family=family,
                              unit_cost=cost, weight_kg=weight, category=category, va_rate=va_rate,
                              va_fixed=va_fixed, shelf_life_days=shelf, price=None,
                              lifecycle="active", launch=None, eol=None, plant=None, group=None,
                              **extra))
        self.index[code] = i
        return i

    def link(self, parent: int, child: int, qty: float, scrap: float) -> None:
        self.bom.append((parent, child, float(qty), float(scrap)))

    def roll_up(self) -> None:
        """Costs and weights of made items from their children (children come first)."""
        children: dict[int, list[tuple[int, float, float]]] = {}
        for p, c, q, s in self.bom:
            children.setdefault(p, []).append((c, q, s))
        for i, r in enumerate(self.rows):
            if i not in children:
                continue
            mat = sum(self.rows[c]["unit_cost"] * q * (1 + s) for c, q, s in children[i])
            wt = sum((self.rows[c]["weight_kg"] or 0.0) * q for c, q, _ in children[i])
            r["unit_cost"] = round(mat * (1 + r["va_rate"]) + r["va_fixed"], 2)
            r["weight_kg"] = round(wt * 1.04 + 0.002, 4)


# --------------------------------------------------------------------------- generator


class _Generator:
    def __init__(self, scale: str, seed: int, end: date, years: float,
                 progress: Progress | None) -> None:
        if scale not in SCALES:
            raise InputError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}", "scale")
        if not (0.5 <= years <= 10):
            raise InputError(f"years must be between 0.5 and 10, got {years}", "years")
        self.scale_name = scale
        self.cfg = SCALES[scale]
        self.seed = int(seed)
        self.end = pd.Timestamp(end).date()
        n_back = int(round(years * 365.25))
        self.start = self.end - timedelta(days=n_back)
        self.T = n_back + 1
        self.years = years
        self.progress = progress
        self.t = np.arange(self.T)
        self.dow = (self.start.weekday() + self.t) % 7
        self.day0 = np.datetime64(self.start, "D")
        self.truth: dict[str, pd.DataFrame] = {}
        self.out: dict[str, dict[str, Any]] = {}
        self.timings: dict[str, float] = {}

    # ------------------------------------------------------------------ helpers

    def rng(self, stage: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, stage])

    def dates(self, idx: Any) -> np.ndarray:
        offset = np.asarray(idx, dtype="int64").astype("timedelta64[D]")
        return (self.day0 + offset).astype("datetime64[ns]")

    def date_of(self, i: int) -> date:
        return self.start + timedelta(days=int(i))

    def _doc_ids(self, prefix: str, days: Any, numbers: Any, width: int) -> np.ndarray:
        """Document numbers as ERPs print them: prefix, two-digit year, running number."""
        years = self.dates(days).astype("datetime64[Y]").astype(np.int64) + 1970
        yy = pd.Series(years % 100).astype(str).str.zfill(2)
        num = pd.Series(np.asarray(numbers, dtype=np.int64)).astype(str).str.zfill(width)
        return (prefix + yy + num).to_numpy(dtype=object)

    def _report(self, stage: str, pct: int) -> None:
        if self.progress is not None:
            self.progress(stage, pct)

    # ------------------------------------------------------------------ run

    def run(self, tables: Iterable[str] | None) -> SampleData:
        wanted = list(ENTITY_ORDER) if tables is None else list(tables)
        unknown = [t for t in wanted if t not in ENTITY_MODELS]
        if unknown:
            raise InputError(f"unknown entities {unknown}; expected some of {list(ENTITY_ORDER)}",
                             "tables")
        need_flows = any(t not in MASTER_ENTITIES and t != "sensor_readings" for t in wanted)
        need_sensors = "sensor_readings" in wanted
        stages: list[tuple[str, Callable[[], None], bool]] = [
            ("master", self.master, True),
            ("calendar", self.calendar, True),
            ("demand", self.demand, need_flows),
            ("inventory", self.inventory, need_flows),
            ("production", self.production, need_flows),
            ("purchasing", self.purchasing, need_flows),
            ("shipments", self.shipments, need_flows),
            ("sales_orders", self.sales_orders, need_flows),
            ("sensors", self.sensors, need_sensors),
        ]
        todo = [s for s in stages if s[2]]
        for k, (name, fn, _) in enumerate(todo):
            t0 = time.perf_counter()
            fn()
            self.timings[name] = round(time.perf_counter() - t0, 3)
            self._report(name, int(round(100 * (k + 1) / (len(todo) + 1))))
        t0 = time.perf_counter()
        frames = {e: self._frame(e) for e in ENTITY_ORDER if e in wanted and e in self.out}
        self.timings["frames"] = round(time.perf_counter() - t0, 3)
        self._report("done", 100)
        params = dict(
            scale=self.scale_name, seed=self.seed, start=self.start, end=self.end,
            years=self.years, days=self.T, counts={e: len(f) for e, f in frames.items()},
            truth_counts={n: len(f) for n, f in self.truth.items()}, seconds=self.timings,
        )
        return SampleData(frames, dict(self.truth), params)

    def _frame(self, entity: str) -> pd.DataFrame:
        cols = importable_columns(entity)
        data = self.out[entity]
        missing = set(cols) ^ set(data)
        if missing:
            raise AssertionError(f"{entity}: columns differ from the model: {sorted(missing)}")
        return pd.DataFrame({c: data[c] for c in cols})

    # ================================================================== master data

    def master(self) -> None:
        rng = self.rng(1)
        self._locations(rng)
        self._items(rng)
        self._suppliers(rng)
        self._series(self.rng(2))
        self._expected_load()
        self._supplier_capacity()
        self._resources(rng)
        self._lanes(rng)

    # ------------------------------------------------------------------ locations

    def _locations(self, rng: np.random.Generator) -> None:
        cfg = self.cfg
        rows: list[dict[str, Any]] = []

        def add(code: str, name: str, kind: str, lat: float, lon: float, tz: str, city: str,
                region: str, country: str, **extra: Any) -> int:
            rows.append(dict(code=code, name=name, kind=kind, lat=round(lat, 5), lon=round(lon, 5),
                             timezone=tz, city=city, region=region, country=country, **extra))
            return len(rows) - 1

        sups = _SUPPLIERS[: cfg.suppliers]
        self.sup_defs = sups
        self.sup_site = {}
        for s in sups:
            code, name, _, city, country, lat, lon, tz, region, _ = s
            self.sup_site[code] = add("SITE-" + code[4:], f"{name} ({city})", "supplier_site", lat,
                                      lon, tz, city, region, country)
        self.plants = [add(c, n, "plant", la, lo, "Asia/Shanghai", ci, r, "CN")
                       for c, n, ci, la, lo, r in _PLANTS]
        five = cfg.dcs >= 5
        self.dcs = []
        self.dc_regions: dict[str, int] = {}
        for k, (c, n, ci, la, lo, r3, r5) in enumerate(_DCS[: cfg.dcs]):
            self.dcs.append(add(c, n, "dc", la, lo, "Asia/Shanghai", ci,
                                (r5 if five else r3)[0], "CN"))
            for reg in (r5 if five else r3):
                self.dc_regions[reg] = k
        # stores: one per city, best cities first, then more stores in the big cities
        order = sorted(_CITIES, key=lambda c: (_CITIES[c][4], list(_CITIES).index(c)))
        tiers = np.array([_CITIES[c][4] for c in order])
        weights = np.where(tiers == 1, 4.0, np.where(tiers == 2, 2.0, 1.0))
        chosen = order[: cfg.stores]
        if cfg.stores > len(order):
            extra = rng.choice(len(order), cfg.stores - len(order), p=weights / weights.sum())
            chosen = order + [order[i] for i in extra]
        self.stores = []
        self.store_size = []
        per_city: dict[str, int] = {}
        for cc in chosen:
            city, lat, lon, region, tier = _CITIES[cc]
            k = per_city[cc] = per_city.get(cc, 0) + 1
            kind_name = "Flagship Store" if tier == 1 else "Experience Store"
            name = f"{city} {kind_name}" if k == 1 else f"{city} Store {k}"
            jl, jo = (0.0, 0.0) if k == 1 else rng.normal(0, 0.04, 2)
            tz = "Asia/Hong_Kong" if cc == "HK" else "Asia/Shanghai"
            self.stores.append(add(f"ST-{cc}-{k:02d}", name, "store", lat + jl, lon + jo, tz, city,
                                   region, "HK" if cc == "HK" else "CN"))
            self.store_size.append({1: 1.8, 2: 1.15, 3: 0.75}[tier] * rng.lognormal(0, 0.2))
        self.store_size = np.array(self.store_size)
        # customers: online platforms, B2B accounts, distributors
        self.customers: list[tuple[int, int, tuple[str, ...] | None]] = []
        counts = {ONLINE: cfg.online, B2B: cfg.b2b, DISTRIBUTOR: cfg.distributors}
        for ch, n in counts.items():
            for spec in _CUSTOMERS[ch][:n]:
                code, name, cc = spec[:3]
                fams = spec[3] if len(spec) > 3 else None
                city, lat, lon, region, _ = _CITIES[cc]
                i = add(code, name, "customer", lat + 0.01, lon + 0.01, "Asia/Shanghai", city,
                        region, "CN")
                self.customers.append((i, ch, fams))
        self.locs = rows
        self.loc_code = np.array([r["code"] for r in rows], dtype=object)
        self.loc_lat = np.array([r["lat"] for r in rows])
        self.loc_lon = np.array([r["lon"] for r in rows])
        # which DC serves each store / customer
        dc_of = np.full(len(rows), -1)
        for i in self.stores + [c[0] for c in self.customers]:
            reg = rows[i]["region"]
            dc_of[i] = self.dc_regions.get(reg, 0)
        for k, i in enumerate(self.dcs):
            dc_of[i] = k
        self.dc_of = dc_of
        self.out["locations"] = {
            k: np.array([r[k] for r in rows], dtype=object if k not in ("lat", "lon") else float)
            for k in importable_columns("locations")
        }

    # ------------------------------------------------------------------ items and BOM

    def _items(self, rng: np.random.Generator) -> None:
        cfg = self.cfg
        it = _Items()
        U = rng.uniform

        def comp(code: str, name: str, zh: str, cat: str, cost: float, weight: float,
                 shelf: float | None = None) -> int:
            return it.add(code, name, zh, "component", None, cost=round(cost, 4 if cost < 1 else 2),
                          weight=weight, category=cat, shelf=shelf)

        def pool(n: int, make: Callable[[int], int]) -> list[int]:
            return [make(k) for k in range(n)]

        nph, nlt, ntb = cfg.phone_models, cfg.laptop_models, cfg.tablet_models
        # --- shared component pools
        soc = pool(max(2, math.ceil((nph + ntb) / 3)), lambda k: comp(
            f"SOC-M{k + 1:03d}", f"Mobile SoC M{k + 1} ({[4, 4, 3, 5][k % 4]}nm)",
            f"移动处理器芯片 M{k + 1}", "soc", U(220, 850), 0.002))
        soc.sort(key=lambda i: it.rows[i]["unit_cost"])
        cpu = pool(max(2, math.ceil(nlt / 3)), lambda k: comp(
            f"CPU-C{k + 1:03d}", f"Laptop processor C{k + 1}", f"笔记本处理器 C{k + 1}", "soc",
            U(1100, 2800), 0.01))
        cpu.sort(key=lambda i: it.rows[i]["unit_cost"])
        dram_m = {g: comp(f"DRAM-LP5-{g}G", f"LPDDR5X DRAM {g}GB", f"内存芯片 LPDDR5X {g}GB",
                          "memory", c * U(0.95, 1.05), 0.002)
                  for g, c in ((8, 95), (12, 140), (16, 190))}
        dram_l = {g: comp(f"DRAM-D5-{g}G", f"LPDDR5 DRAM {g}GB (laptop)",
                          f"内存芯片 LPDDR5 {g}GB (笔记本)",
                          "memory", c * U(0.95, 1.05), 0.004) for g, c in ((16, 260), (32, 480))}
        ufs = {g: comp(f"NAND-UFS-{g}G", f"UFS 4.0 NAND flash {g}GB", f"闪存芯片 UFS 4.0 {g}GB",
                       "memory", c * U(0.95, 1.05), 0.002)
               for g, c in ((128, 60), (256, 105), (512, 190), (1024, 360))}
        ssd = {g: comp(f"SSD-{g}G", f"NVMe SSD {g}GB", f"固态硬盘 {g}GB", "memory",
                       c * U(0.95, 1.05), 0.008) for g, c in ((512, 230), (1024, 420), (2048, 800))}
        pmic = comp("IC-PMIC", "Power management IC", "电源管理芯片", "ic", 14.0, 0.001)
        mlcc = comp("PAS-MLCC", "MLCC capacitor 0402 100nF", "贴片电容 0402 100nF", "passives", 0.012,
                    0.00001)
        res = comp("PAS-RES", "Chip resistor 0402 10kΩ", "贴片电阻 0402 10kΩ", "passives", 0.004,
                   0.00001)
        ind = comp("PAS-IND", "Power inductor 2520", "功率电感 2520", "passives", 0.08, 0.0001)
        usbc = comp("CON-USBC", "USB-C receptacle", "USB-C 接口", "interconnect", 2.8, 0.001)
        b2b = comp("CON-B2B", "Board-to-board connector 40-pin", "板对板连接器 40针", "interconnect", 1.2,
                   0.0005)
        fpc = comp("CON-FPC", "FPC flex cable", "FPC 柔性排线", "interconnect", 3.5, 0.001)
        sim = comp("CON-SIM", "SIM card tray", "SIM 卡托", "interconnect", 1.8, 0.002)
        ant = comp("CON-ANT", "Antenna flex", "天线排线", "interconnect", 2.2, 0.001)
        scr = [comp(c, n, z, "mechanical", p, w) for c, n, z, p, w in (
            ("SCR-M12", "Screw M1.2x2.5", "螺丝 M1.2x2.5", 0.04, 0.0001),
            ("SCR-M16", "Screw M1.6x3", "螺丝 M1.6x3", 0.05, 0.0002),
            ("SCR-M20", "Screw M2x4", "螺丝 M2x4", 0.07, 0.0003))]
        pkg = {f: comp(c, n, z, "packaging", p, w) for f, c, n, z, p, w in (
            ("phone", "PKG-PH", "Gift box, phone", "手机包装盒", 7.5, 0.12),
            ("tablet", "PKG-TB", "Gift box, tablet", "平板包装盒", 11.0, 0.25),
            ("laptop", "PKG-LT", "Gift box, laptop", "笔记本包装盒", 16.0, 0.45),
            ("accessory", "PKG-AC", "Retail blister pack", "配件吸塑包装", 2.2, 0.03))}
        spk = comp("EM-SPK", "Micro speaker module", "微型扬声器", "electromech", 5.5, 0.004)
        hap = comp("EM-HAP", "Linear haptic motor", "线性振动马达", "electromech", 6.2, 0.003)
        fan = comp("EM-FAN", "Cooling fan 5V", "散热风扇 5V", "electromech", 28.0, 0.04)
        tpad = comp("EM-TPD", "Glass trackpad module", "玻璃触控板", "electromech", 52.0, 0.06)
        kbd = {s: comp(f"EM-KB{s}", f"Backlit keyboard {s}in", f"背光键盘 {s}英寸", "electromech",
                       U(65, 95), 0.15) for s in (13, 14, 16)}
        gan = comp("IC-GAN", "GaN power IC 65W", "氮化镓功率芯片 65W", "ic", 11.0, 0.002)
        btsoc = comp("IC-BT", "Bluetooth audio SoC", "蓝牙音频芯片", "ic", 16.0, 0.001)
        pbic = comp("IC-PB", "Power bank controller IC", "移动电源管理芯片", "ic", 6.5, 0.001)

        def panels(fam: str, n: int, sizes: list[float], techs: list[str], lo: float, hi: float,
                   w: float) -> list[int]:
            zh_fam = {"phone": "手机", "tablet": "平板", "laptop": "笔记本"}[fam]
            out = []
            for k in range(n):
                s, tech = sizes[k % len(sizes)], techs[(k // len(sizes)) % len(techs)]
                out.append(comp(f"PNL-{fam[0].upper()}{k + 1:03d}",
                                f"{s}in {tech} display panel P{k + 1}",
                                f"{zh_fam}显示面板 {s}英寸 {tech} P{k + 1}", "display", U(lo, hi), w))
            return out

        pnl = {
            "phone": panels("phone", max(2, math.ceil(nph * 0.7)), [6.1, 6.7, 6.3, 6.9, 6.5],
                            ["OLED", "LTPO OLED", "LCD"], 260, 620, 0.03),
            "tablet": panels("tablet", max(2, math.ceil(ntb * 0.7)), [11.0, 12.4, 10.9, 13.0],
                             ["LCD", "OLED"], 380, 700, 0.12),
            "laptop": panels("laptop", max(2, math.ceil(nlt * 0.7)), [14.0, 16.0, 13.3, 15.6],
                             ["IPS", "OLED", "Mini-LED"], 450, 950, 0.35),
        }

        def cells(tag: str, n: int, mah: list[int], lo: float, hi: float, w: float,
                  label: str) -> list[int]:
            return [comp(f"CELL-{tag}{k + 1:02d}",
                         f"Li-ion cell {mah[k % len(mah)]}mAh ({label}) B{k + 1}",
                         f"锂电芯 {mah[k % len(mah)]}mAh ({label}) B{k + 1}", "battery", U(lo, hi), w,
                         730.0)
                    for k in range(n)]

        cell = {
            "phone": cells("P", max(2, math.ceil(nph / 4)), [5000, 4500, 5500], 28, 42, 0.048,
                           "phone"),
            "tablet": cells("T", max(1, math.ceil(ntb / 4)), [4000, 4400], 24, 34, 0.06, "tablet"),
            "laptop": cells("L", max(1, math.ceil(nlt / 5)), [4500, 5000], 36, 48, 0.09, "laptop"),
        }
        cell_bud = comp("CELL-E01", "Li-ion coin cell 60mAh (earbuds)", "纽扣锂电芯 60mAh (耳机)",
                        "battery", 4.0, 0.003, 730.0)
        cell_pb = comp("CELL-B01", "Li-ion cell 5000mAh (power bank)", "锂电芯 5000mAh (移动电源)",
                       "battery", 20.0, 0.07, 730.0)
        n_sens = max(3, math.ceil((nph + ntb) / 3))
        mps = [50, 12, 108, 200, 50, 64]
        sensor = pool(n_sens, lambda k: comp(
            f"CIS-{k + 1:03d}", f"Image sensor {mps[k % 6]}MP S{k + 1}",
            f"摄像头传感器 {mps[k % 6]}MP S{k + 1}",
            "camera", 25 + mps[k % 6] * U(0.7, 1.1), 0.002))
        webcam = [comp(f"CIS-W{k + 1:02d}", f"Webcam sensor {mp}MP", f"摄像头传感器 {mp}MP (笔记本)",
                       "camera", c, 0.001)
                  for k, (mp, c) in enumerate(((2, 12.0), (5, 18.0)))]

        # --- finished goods, model by model
        fam_zh = {"phone": "智能手机", "laptop": "笔记本电脑", "tablet": "平板电脑"}
        fam_en = {"phone": "Smartphone", "laptop": "Laptop", "tablet": "Tablet"}
        series = {
            "phone": ["Nova", "Aero", "Lumen", "Vega", "Orion", "Pulse", "Zen", "Astra", "Nimbus",
                      "Terra"],
            "laptop": ["Book", "Book Air", "Book Pro", "Station", "Flex"],
            "tablet": ["Pad", "Pad Air", "Pad Pro", "Pad Mini"],
        }
        tiers = ["", " Pro", " Lite", " Max", " Ultra"]
        tier_pop = {"": 1.0, " Pro": 0.8, " Lite": 1.25, " Max": 0.6, " Ultra": 0.45}
        cam_pool: dict[str, list[int]] = {}
        self.models: list[dict[str, Any]] = []
        fg: list[int] = []
        n_models = {"phone": nph, "laptop": nlt, "tablet": ntb}
        fam_prefix = {"phone": "PH", "laptop": "LT", "tablet": "TB"}
        smt_va = {"phone": 14.0, "tablet": 16.0, "laptop": 30.0}
        fa_va = {"phone": 45.0, "tablet": 55.0, "laptop": 110.0}
        for fam in ("phone", "laptop", "tablet"):
            ser = series[fam]
            for k in range(n_models[fam]):
                s = ser[k % len(ser)]
                gen = 1 + (k // len(ser)) % 9
                cycle = k // (len(ser) * 9)
                tier = tiers[cycle % len(tiers)] if fam == "phone" else tiers[cycle % 2]
                if fam == "laptop":
                    size = [14, 16, 13][k % 3]
                    mname = f"{s} {size} G{gen}{tier}"
                else:
                    size = None
                    mname = f"{s} {gen}{tier}"
                mcode = f"{fam_prefix[fam]}{k + 1:03d}"
                pop = rng.lognormal(0, 0.45) * tier_pop[tier]
                # sub-assemblies of the model
                pn = pnl[fam][rng.integers(len(pnl[fam]))]
                dm = it.add(f"DM-{mcode}", f"Display module {fam_en[fam]} {mname}", f"显示模组 {mname}",
                            "subassembly", fam, category="module", va_rate=0.03, va_fixed=8.0,
                            model=mcode)
                it.link(dm, pn, 1, round(U(0.005, 0.02), 3))
                it.link(dm, fpc, 1, 0.01)
                n_cells = {"phone": 1, "tablet": 2, "laptop": int(rng.integers(3, 5))}[fam]
                ce = cell[fam][rng.integers(len(cell[fam]))]
                bp = it.add(f"BP-{mcode}", f"Battery pack {fam_en[fam]} {mname}", f"电池 {mname}",
                            "subassembly", fam, category="module", va_rate=0.05, va_fixed=4.0,
                            shelf=730.0, model=mcode)
                it.link(bp, ce, n_cells, round(U(0.002, 0.01), 3))
                it.link(bp, b2b, 1, 0.01)
                # camera modules are shared within a family
                cams = cam_pool.setdefault(fam, [])
                n_cam_max = max(1, math.ceil(n_models[fam] * 0.6))
                if len(cams) < n_cam_max and (not cams or rng.random() < 0.7):
                    j = len(cams) + 1
                    if fam == "laptop":
                        sen = webcam[rng.integers(len(webcam))]
                        label, zh = "Webcam module", "摄像头模组 (笔记本)"
                    else:
                        sen = sensor[rng.integers(len(sensor))]
                        label, zh = "Rear camera module", "后置摄像头模组"
                    mp = it.rows[sen]["name"].split()[-2]
                    cm = it.add(f"CM-{fam_prefix[fam]}{j:03d}", f"{label} {mp} C{j}",
                                f"{zh} {mp} C{j}",
                                "subassembly", fam, category="camera_module", va_rate=0.05,
                                va_fixed=6.0)
                    it.link(cm, sen, 1, round(U(0.005, 0.02), 3))
                    it.link(cm, fpc, 1, 0.01)
                    cams.append(cm)
                cm = cams[rng.integers(len(cams))]
                pcb = comp(f"PCB-{mcode}", f"Mainboard PCB {mname}", f"印制电路板 (主板) {mname}", "pcb",
                           U(110, 220) if fam == "laptop" else U(35, 80),
                           0.03 if fam == "laptop" else 0.01)
                casing = comp(f"CAS-{mcode}", f"Housing {fam_en[fam]} {mname}", f"外壳 {mname}",
                              "mechanical",
                              {"phone": U(45, 140), "tablet": U(70, 180),
                               "laptop": U(180, 420)}[fam],
                              {"phone": 0.035, "tablet": 0.15, "laptop": 0.6}[fam])
                chips = cpu if fam == "laptop" else soc
                chip = chips[int(rng.integers(len(chips)))]
                n_var = _VARIANT_PATTERN[len(self.models) % len(_VARIANT_PATTERN)]
                if fam == "phone":
                    configs = {1: [(8, 256)], 2: [(8, 256), (12, 512)],
                               3: [(8, 128), (12, 256), (16, 512)]}[n_var]
                    if tier in (" Pro", " Max", " Ultra"):
                        configs = [(max(12, r), max(256, s)) for r, s in configs]
                elif fam == "tablet":
                    configs = {1: [(8, 128)], 2: [(8, 128), (8, 256)],
                               3: [(8, 128), (8, 256), (12, 512)]}[n_var]
                else:
                    configs = {1: [(16, 512)], 2: [(16, 512), (32, 1024)],
                               3: [(16, 512), (32, 1024), (32, 2048)]}[n_var]
                configs = list(dict.fromkeys(configs))
                share = np.array([1.0, 0.65, 0.35][: len(configs)])
                share = share / share.sum() * len(configs) ** 0.3
                model = dict(code=mcode, name=mname, family=fam, pop=pop, items=[], dm=dm, bp=bp,
                             cm=cm)
                for v, (ram, rom) in enumerate(configs):
                    if fam == "laptop":
                        ssd_label = f"{rom}GB" if rom < 1024 else f"{rom // 1024}TB"
                        vlabel, vcode = f"{ram}GB+{ssd_label}", f"{ram}-{rom}"
                        mem, sto = dram_l[ram], ssd[rom]
                    elif fam == "tablet":
                        vlabel, vcode = f"{ram}GB+{rom}GB", f"{rom}"
                        mem, sto = dram_m[ram], ufs[rom]
                    else:
                        vlabel = f"{rom}GB" if rom < 1024 else "1TB"
                        vcode = f"{rom}"
                        mem, sto = dram_m[ram], ufs[rom]
                    code = f"{mcode}-{vcode}"
                    mb = it.add(f"MB-{code}", f"Mainboard PCBA {mname} {vlabel}",
                                f"主板 {mname} {vlabel}",
                                "subassembly", fam, category="mainboard", va_rate=0.04,
                                va_fixed=smt_va[fam],
                                model=mcode)
                    it.link(mb, chip, 1, 0.003)
                    it.link(mb, mem, 1, 0.003)
                    it.link(mb, sto, 1, 0.003)
                    it.link(mb, pcb, 1, round(U(0.005, 0.015), 3))
                    it.link(mb, pmic, 1, 0.005)
                    big = fam == "laptop"
                    it.link(mb, mlcc,
                            int(rng.integers(600, 900) if big else rng.integers(250, 450)),
                            round(U(0.03, 0.05), 3))
                    it.link(mb, res, int(rng.integers(200, 320) if big else rng.integers(120, 200)),
                            round(U(0.03, 0.05), 3))
                    it.link(mb, ind, int(rng.integers(10, 20)), 0.02)
                    it.link(mb, b2b, int(rng.integers(3, 6)), 0.01)
                    if fam != "laptop":
                        it.link(mb, ant, 1, 0.01)
                    f = it.add(code, f"{fam_en[fam]} {mname} {vlabel}",
                               f"{fam_zh[fam]} {mname} {vlabel}",
                               "finished", fam, category=None, va_rate=0.02, va_fixed=fa_va[fam],
                               model=mcode,
                               pop=pop * share[v])
                    it.link(f, mb, 1, round(U(0.0, 0.01), 3))
                    it.link(f, dm, 1, round(U(0.0, 0.01), 3))
                    it.link(f, bp, 1, 0.0)
                    it.link(f, cm, 1, round(U(0.0, 0.01), 3))
                    it.link(f, casing, 1, round(U(0.005, 0.02), 3))
                    it.link(f, pkg[fam], 1, 0.01)
                    it.link(f, spk, {"phone": 2, "tablet": 4, "laptop": 2}[fam], 0.01)
                    it.link(f, usbc, 2 if fam == "laptop" else 1, 0.01)
                    screw = {"phone": scr[0], "tablet": scr[1], "laptop": scr[2]}[fam]
                    it.link(f, screw,
                            int({"phone": rng.integers(10, 17), "tablet": rng.integers(12, 21),
                                            "laptop": rng.integers(18, 29)}[fam]),
                                            round(U(0.02, 0.05), 3))
                    if fam == "phone":
                        it.link(f, hap, 1, 0.005)
                        it.link(f, sim, 1, 0.01)
                    if fam == "laptop":
                        it.link(f, kbd[size], 1, 0.01)
                        it.link(f, tpad, 1, 0.01)
                        it.link(f, fan, 1, 0.01)
                    model["items"].append(f)
                    fg.append(f)
                self.models.append(model)
        # --- accessories (two levels: accessory -> components)
        acc_types = [
            ("charger", "65W GaN Charger G{n}", "65W 氮化镓充电器 G{n}", 1.8),
            ("earbuds", "Wireless Earbuds E{n}", "无线蓝牙耳机 E{n}", 1.2),
            ("powerbank", "Power Bank 10000mAh B{n}", "移动电源 10000mAh B{n}", 0.9),
            ("case", "Protective Case C{n}", "手机保护壳 C{n}", 1.5),
            ("cable", "USB-C Cable 1m L{n}", "USB-C 数据线 1m L{n}", 2.0),
        ]
        for k in range(cfg.accessories):
            kind, en, zh, pop0 = acc_types[k % len(acc_types)]
            n = k // len(acc_types) + 1
            code = f"AC{k + 1:03d}"
            parts: list[tuple[int, float, float]] = []
            if kind in ("charger", "earbuds", "powerbank"):
                pcb = comp(f"PCB-{code}", f"PCB {en.format(n=n)}", f"印制电路板 {zh.format(n=n)}", "pcb",
                           U(3, 9), 0.004)
                parts.append((pcb, 1, 0.01))
            if kind != "cable":
                cas = comp(f"CAS-{code}", f"Housing {en.format(n=n)}", f"外壳 {zh.format(n=n)}",
                           "mechanical",
                           U(3, 12), 0.02)
                parts.append((cas, 1, 0.01))
            parts += {
                "charger": [(gan, 1, 0.005), (usbc, 1, 0.01), (mlcc, 40, 0.04), (res, 20, 0.04)],
                "earbuds": [(btsoc, 2, 0.005), (cell_bud, 3, 0.01), (spk, 2, 0.01),
                            (usbc, 1, 0.01)],
                "powerbank": [(cell_pb, 2, 0.005), (pbic, 1, 0.005), (usbc, 2, 0.01)],
                "case": [],
                "cable": [(usbc, 2, 0.01)],
            }[kind]
            parts.append((pkg["accessory"], 1, 0.01))
            a = it.add(code, en.format(n=n), zh.format(n=n), "finished", "accessory", va_rate=0.03,
                       va_fixed=3.5, model=code, pop=rng.lognormal(0, 0.4) * pop0)
            for c, q, s in parts:
                it.link(a, c, q, s)
            fg.append(a)
            self.models.append(dict(code=code, name=en.format(n=n), family="accessory",
                                    pop=it.rows[a]["pop"], items=[a], dm=None, bp=None, cm=None))
        it.roll_up()
        # --- prices of finished goods
        markup = {"phone": (1.35, 1.7), "laptop": (1.25, 1.5), "tablet": (1.3, 1.6),
                  "accessory": (1.8, 3.0)}
        for m in self.models:  # one markup per model: bigger variants cost and sell for more
            mk = U(*markup[m["family"]])
            for f in m["items"]:
                r = it.rows[f]
                r["price"] = float(_retail_price(r["unit_cost"] * mk))
                r["pop"] = r.get("pop", 1.0)
        # --- lifecycle of the models (variants share it)
        T = self.T
        main = [m for m in self.models if m["family"] != "accessory"]
        # the first model of each family sells through the whole history; the others launch
        # during it, reach end-of-life, or are about to launch
        firsts = {m["family"]: m["code"] for m in reversed(self.models)}
        pool_ = [m for m in self.models
                 if firsts[m["family"]] != m["code"] or m["family"] == "accessory"]
        n = len(main)
        n_mid = max(1, round(0.2 * n))
        n_recent = max(1, round(0.05 * n))
        n_up = 1 if n >= 10 else 0
        n_eol = max(1, round(0.15 * n))
        roles = ["mid", "eol", "recent"] + ["mid"] * (n_mid - 1) + ["eol"] * (n_eol - 1)
        roles += ["recent"] * (n_recent - 1) + ["upcoming"] * n_up
        roles = roles[: len(pool_)] + ["active"] * max(0, len(pool_) - len(roles))
        for m in self.models:
            m["role"] = "active"
        mains = [m for m in pool_ if m["family"] != "accessory"]
        accs = [m for m in pool_ if m["family"] == "accessory"]
        ordered = [mains[i] for i in rng.permutation(len(mains))]
        ordered += [accs[i] for i in rng.permutation(len(accs))]
        for m, role in zip(ordered, roles, strict=True):
            m["role"] = role
        n_eol_done = 0
        for m in self.models:
            role = m["role"]
            eol = None
            if role == "mid":
                launch = int(rng.integers(60, max(61, T - 150)))
            elif role == "recent":
                launch = int(rng.integers(T - 60, T - 20))
            elif role == "upcoming":
                launch = int(rng.integers(T + 15, T + 60))
            elif role == "eol":
                launch = int(rng.integers(-900, -300))
                # the first phase-out is over well before the end; later ones may be announced
                hi = T - 120 if n_eol_done == 0 else T + 60
                eol = int(rng.integers(min(200, hi - 1), hi))
                n_eol_done += 1
            else:
                launch = int(rng.integers(-700, -30))
            m["launch"], m["eol"] = launch, eol
            if eol is not None:
                life = "obsolete" if eol < T - 1 - 60 else "eol"
            elif launch > T - 1 - 90:
                life = "launch"
            else:
                life = "active"
            m["lifecycle"] = life
            for f in m["items"]:
                it.rows[f].update(lifecycle=life, launch=launch, eol=eol)
            for sub in (m["dm"], m["bp"]):
                if sub is not None:
                    it.rows[sub].update(lifecycle=life if life != "launch" else "active", eol=eol)
            for f in m["items"]:
                mb = it.index.get("MB-" + it.rows[f]["code"])
                if mb is not None:
                    it.rows[mb].update(lifecycle=life if life != "launch" else "active", eol=eol)
        # --- spare parts (purchased, intermittent demand at the DCs)
        spare_kinds = [("DSP", "Spare display assembly", "备件 显示屏总成", "display", "dm", 1.15),
                       ("BAT", "Spare battery", "备件 电池", "battery", "bp", 1.15),
                       ("CVR", "Spare housing", "备件 外壳", "mechanical", "casing", 1.4),
                       ("PRT", "Spare charging port flex", "备件 尾插排线", "interconnect", None, 1.0)]
        self.spares: list[int] = []
        k = 0
        while len(self.spares) < cfg.spares and k < 10 * cfg.spares + 10:
            m = main[k % len(main)]
            tag, en, zh, cat, src, mult = spare_kinds[(k // len(main)) % len(spare_kinds)]
            k += 1
            if m["launch"] > T - 1:
                continue
            if src == "dm":
                cost = it.rows[m["dm"]]["unit_cost"] * mult
                w = it.rows[m["dm"]]["weight_kg"]
            elif src == "bp":
                cost = it.rows[m["bp"]]["unit_cost"] * mult
                w = it.rows[m["bp"]]["weight_kg"]
            elif src == "casing":
                cas = it.index[f"CAS-{m['code']}"]
                cost, w = it.rows[cas]["unit_cost"] * mult, it.rows[cas]["weight_kg"]
            else:
                cost, w = U(12, 30), 0.005
            s = it.add(f"SP-{tag}-{m['code']}", f"{en} for {m['name']}", f"{zh} ({m['name']})",
                       "spare",
                       m["family"], cost=round(cost, 2), weight=round(w + 0.02, 4), category=cat,
                       shelf=730.0 if tag == "BAT" else None, model=m["code"])
            it.rows[s].update(price=float(_retail_price(cost * U(1.6, 2.2))),
                              launch=m["launch"], lifecycle="active")
            self.spares.append(s)
        # drop the pool parts no product uses (creation order stays topological)
        linked = {p for p, _, _, _ in it.bom} | {c for _, c, _, _ in it.bom}
        used = sorted(linked | set(fg) | set(self.spares))
        new = {old: k for k, old in enumerate(used)}
        it.rows = [it.rows[i] for i in used]
        it.index = {r["code"]: k for k, r in enumerate(it.rows)}
        it.bom = [(new[p], new[c], q, sc) for p, c, q, sc in it.bom]
        fg = [new[i] for i in fg]
        self.spares = [new[i] for i in self.spares]
        for m in self.models:
            m["items"] = [new[i] for i in m["items"]]
            for key in ("dm", "bp", "cm"):
                if m[key] is not None:
                    m[key] = new[m[key]]
        self.it = it
        self.fg = np.array(fg)
        rows = it.rows
        self.n_items = len(rows)
        self.item_code = np.array([r["code"] for r in rows], dtype=object)
        self.item_kind = np.array([r["kind"] for r in rows], dtype=object)
        self.item_family = np.array([r["family"] for r in rows], dtype=object)
        self.item_cost = np.array([r["unit_cost"] for r in rows], dtype=float)
        self.item_price = np.array([np.nan if r["price"] is None else r["price"] for r in rows])
        self.item_pop = np.array([r.get("pop", 1.0) or 1.0 for r in rows])
        big = 10**6
        self.item_launch = np.array([-big if r["launch"] is None else r["launch"] for r in rows])
        self.item_eol = np.array([big if r["eol"] is None else r["eol"] for r in rows])
        self.item_category = np.array([r["category"] for r in rows], dtype=object)
        # plant of made items: phones and accessories in Shenzhen, laptops and tablets in Chengdu
        plant_of = np.full(self.n_items, -1)
        made = np.isin(self.item_kind, ["finished", "subassembly"])
        plant_of[made] = np.where(np.isin(self.item_family[made], ["laptop", "tablet"]), 1, 0)
        self.item_plant = plant_of
        # BOM arrays
        bom = np.array(it.bom, dtype=float)
        self.bom_parent = bom[:, 0].astype(int)
        self.bom_child = bom[:, 1].astype(int)
        self.bom_qty = bom[:, 2]
        self.bom_scrap = bom[:, 3]

        def dt_or_nat(i: int | None, limit: int = big) -> Any:
            if i is None or abs(i) >= limit:
                return np.datetime64("NaT")
            return np.datetime64(self.date_of(i), "D")

        self.out["items"] = dict(
            code=self.item_code,
            name=np.array([r["name"] for r in rows], dtype=object),
            name_zh=np.array([r["name_zh"] for r in rows], dtype=object),
            kind=self.item_kind, family=self.item_family,
            unit=np.full(self.n_items, "pcs", dtype=object),
            unit_cost=self.item_cost, price=self.item_price,
            shelf_life_days=np.array([np.nan if r["shelf_life_days"] is None
                                      else r["shelf_life_days"] for r in rows]),
            lifecycle=np.array([r["lifecycle"] for r in rows], dtype=object),
            launch_date=np.array([dt_or_nat(r["launch"]) for r in rows],
                                 dtype="datetime64[D]").astype("datetime64[ns]"),
            eol_date=np.array([dt_or_nat(r["eol"]) for r in rows],
                              dtype="datetime64[D]").astype("datetime64[ns]"),
            weight_kg=np.array([r["weight_kg"] for r in rows], dtype=float),
        )
        self.out["bom"] = dict(
            parent_code=self.item_code[self.bom_parent], child_code=self.item_code[self.bom_child],
            qty_per=self.bom_qty, scrap_rate=self.bom_scrap,
        )
        # dense usage matrix: Q[parent, child] = qty × (1 + scrap)
        self.Q = np.zeros((self.n_items, self.n_items))
        np.add.at(self.Q, (self.bom_parent, self.bom_child), self.bom_qty * (1 + self.bom_scrap))

    # ------------------------------------------------------------------ suppliers

    def _suppliers(self, rng: np.random.Generator) -> None:
        sups = self.sup_defs
        codes = [s[0] for s in sups]
        by_cat: dict[str, list[int]] = {}
        for k, s in enumerate(sups):
            for c in s[2]:
                by_cat.setdefault(c, []).append(k)
        fallback = codes.index(_FALLBACK_SUPPLIER)
        n = len(sups)
        self.sup_lt = np.array([s[9] for s in sups], dtype=float) * rng.uniform(0.9, 1.1, n)
        self.sup_lt = np.round(self.sup_lt)
        self.sup_lt_std = np.round(self.sup_lt * rng.uniform(0.1, 0.25, n), 1)
        self.sup_rel = np.round(rng.uniform(0.8, 0.99, n), 3)
        self.sup_moq = _nice_ceil(rng.uniform(50, 500, n), 1)
        self.sup_code = np.array(codes, dtype=object)
        # which supplier sells which item: components and spare parts are bought
        bought = np.flatnonzero(np.isin(self.item_kind, ["component", "spare"]))
        rows: list[tuple[int, int, float, bool]] = []  # supplier, item, share, primary
        for i in bought:
            cands = by_cat.get(self.item_category[i]) or [fallback]
            first = cands[int(rng.integers(len(cands)))]
            others = [c for c in cands if c != first]
            if not others and self.item_category[i] in ("interconnect", "passives",
                                                        "ic") and first != fallback:
                others = [fallback]
            if others and rng.random() < 0.45:
                rows.append((first, i, 0.7, True))
                rows.append((others[int(rng.integers(len(others)))], i, 0.3, False))
            else:
                rows.append((first, i, 1.0, True))
        si_sup = np.array([r[0] for r in rows])
        si_item = np.array([r[1] for r in rows])
        m = len(rows)
        base = self.item_cost[si_item] * np.where([r[3] for r in rows], 1.0,
                                                  rng.uniform(1.0, 1.06, m))
        unit_price = np.where(base < 1, np.round(base, 4), np.round(base, 2))
        cost = self.item_cost[si_item]
        pack = np.where(cost < 1, 1000.0,
                        np.where(cost < 20, 100.0, np.where(cost < 200, 20.0, 10.0)))
        moq_override = rng.random(m) < 0.5
        moq = np.where(moq_override, pack * rng.integers(1, 11, m), np.nan)
        moq = np.where(self.item_kind[si_item] == "spare",
                       np.where(moq_override, rng.choice([10.0, 20.0, 50.0], m), np.nan), moq)
        lt_override = rng.random(m) < 0.3
        lt = np.where(lt_override, np.round(self.sup_lt[si_sup] * rng.uniform(0.8, 1.3, m)), np.nan)
        breaks: list[str | None] = []
        eff_moq = np.where(np.isnan(moq), self.sup_moq[si_sup], moq)
        for j in range(m):
            if rng.random() < 0.25:
                breaks.append(None)
                continue
            q0 = float(eff_moq[j])
            steps = [(q0, 1.0), (q0 * 5, 0.97), (q0 * 20, 0.94)]
            if rng.random() < 0.4:
                steps.append((q0 * 100, 0.9))
            dec = 4 if unit_price[j] < 1 else 2
            breaks.append(json.dumps([[int(q), round(float(unit_price[j]) * f, dec)]
                                      for q, f in steps]))
        self.si_sup, self.si_item, self.si_share = si_sup, si_item, np.array([r[2] for r in rows])
        self.si_primary = np.array([r[3] for r in rows], dtype=bool)
        self.si_price = unit_price
        self.si_lt = np.where(np.isnan(lt), self.sup_lt[si_sup], lt)
        self.si_moq = eff_moq
        self.si_pack = pack
        self.si_breaks = breaks
        self.out["supplier_items"] = dict(
            supplier_code=self.sup_code[si_sup], item_code=self.item_code[si_item],
            unit_price=unit_price, price_breaks=np.array(breaks, dtype=object), lead_time_days=lt,
            moq=moq, is_primary=self.si_primary,
        )

    def _supplier_capacity(self) -> None:
        """Weekly capacity of each supplier: its expected weekly volume with headroom."""
        weekly = self.exp_daily * 7
        vol = np.bincount(self.si_sup, weights=weekly[self.si_item] * self.si_share,
                          minlength=len(self.sup_code))
        cap = _nice_ceil(np.maximum(vol * 2.2, 1000.0), 2)
        loc = np.array([self.loc_code[self.sup_site[c]] for c in self.sup_code], dtype=object)
        self.out["suppliers"] = dict(
            code=self.sup_code, name=np.array([s[1] for s in self.sup_defs], dtype=object),
            location_code=loc, lead_time_days=self.sup_lt, lead_time_std_days=self.sup_lt_std,
            moq=self.sup_moq, capacity_per_week=cap, reliability=self.sup_rel,
            currency=np.full(len(self.sup_code), "CNY", dtype=object),  # contracts priced in CNY
        )

    # ------------------------------------------------------------------ demand series

    def _series(self, rng: np.random.Generator) -> None:
        """Which finished good sells where, at what level, growth and noise (no daily data yet)."""
        cfg, T = self.cfg, self.T
        fg = self.fg
        fam = self.item_family[fg]
        sellable = self.item_launch[fg] <= T - 1
        pop = self.item_pop[fg]
        fam_base = {"phone": 1.6, "laptop": 0.35, "tablet": 0.5, "accessory": 2.2}
        base = np.array([fam_base[f] for f in fam]) * pop
        g_item = np.clip(rng.normal(0.06, 0.1, len(fg)), -0.2, 0.4)
        k_item = rng.uniform(-0.3, 0.3, len(fg))  # elasticity noise
        self.fg_elast = np.array([{"phone": 2.5, "laptop": 2.0, "tablet": 2.2,
                                   "accessory": 3.0}[f] for f in fam]) + k_item
        S: dict[str,
                list[Any]] = {k: [] for k in ("item", "loc", "ch", "level", "g", "k", "pocc",
                                              "size", "wamp", "pf")}

        def add(items: np.ndarray, loc: int, ch: int, level: np.ndarray, g: np.ndarray,
                k: np.ndarray,
                pocc: np.ndarray | None = None, size: np.ndarray | None = None, wamp: float = 1.0,
                pf: float = 1.0) -> None:
            n = len(items)
            S["item"].append(items)
            S["loc"].append(np.full(n, loc))
            S["ch"].append(np.full(n, ch))
            S["level"].append(level)
            S["g"].append(g)
            S["k"].append(k)
            S["pocc"].append(np.full(n, np.nan) if pocc is None else pocc)
            S["size"].append(np.full(n, np.nan) if size is None else size)
            S["wamp"].append(np.full(n, wamp))
            S["pf"].append(np.full(n, pf))

        # stores: best sellers everywhere, the launches and phase-outs too, the rest by chance
        cand = np.flatnonzero(sellable)
        order = cand[np.argsort(-pop[cand])]
        core = list(order[: cfg.store_core])
        for role in ("mid", "eol", "recent"):
            for j in cand:
                if self.it.rows[fg[j]].get("model") and self._role(fg[j]) == role and j not in core:
                    core.append(j)
                    break
        core = np.array(sorted(set(core)))
        self.store_core = fg[core]
        for s, loc in enumerate(self.stores):
            extra = cand[(rng.random(len(cand)) < cfg.store_extra) & ~np.isin(cand, core)]
            carried = np.concatenate([core, extra])
            add(fg[carried], loc, STORE, base[carried] * self.store_size[s],
                g_item[carried] + rng.normal(0, 0.04, len(carried)),
                rng.uniform(3, 12, len(carried)),
                wamp=rng.uniform(0.7, 1.3))
        online_size = [22.0, 18.0, 10.0, 7.0, 4.0]
        for loc, ch, fams in self.customers:
            if ch == ONLINE:
                j = cand
                size = online_size[[c[0] for c in self.customers if c[1] == ONLINE].index(loc)]
                add(fg[j], loc, ONLINE, base[j] * size, g_item[j] + 0.08,
                    rng.uniform(8, 25, len(j)))
            elif ch == B2B:
                j = cand[np.isin(fam[cand], fams)]
                p = rng.uniform(0.05, 0.12, len(j))
                sz = {"phone": 180.0, "laptop": 70.0, "tablet": 90.0}
                size = np.array([sz[f] for f in fam[j]]) * rng.lognormal(0, 0.4, len(j))
                add(fg[j], loc, B2B, p * size, g_item[j] + rng.normal(0, 0.05, len(j)),
                    np.full(len(j), 2.0),
                    pocc=p, size=size, pf=0.9)
            else:
                j = cand
                add(fg[j], loc, DISTRIBUTOR, base[j] * 3.0, g_item[j], rng.uniform(2, 5, len(j)),
                    pf=0.85)
        # spare parts at each DC: intermittent (Croston-like)
        sp = np.array(self.spares, dtype=int)
        for dc in self.dcs:
            n = len(sp)
            p = rng.uniform(0.04, 0.3, n)
            size = 1.0 + rng.gamma(1.5, 1.0, n)
            add(sp, dc, SERVICE, p * size, rng.normal(0.03, 0.05, n), np.full(n, 1.5), pocc=p,
                size=size)
        for k in S:
            S[k] = np.concatenate(S[k])
        self.s_item = S["item"].astype(int)
        self.s_loc = S["loc"].astype(int)
        self.s_ch = S["ch"].astype(int)
        self.s_level = S["level"].astype(float)
        self.s_g = S["g"].astype(float)
        self.s_k = S["k"].astype(float)
        self.s_pocc = S["pocc"].astype(float)
        self.s_size = S["size"].astype(float)
        self.s_wamp = S["wamp"].astype(float)
        self.s_pf = S["pf"].astype(float)
        # active window of each series: launch (spares a month after) to 90 days after EOL
        launch = self.item_launch[self.s_item]
        launch = np.where(self.s_ch == SERVICE, launch + 30, launch)
        self.s_first = np.clip(launch, 0, T)
        self.s_last = np.clip(self.item_eol[self.s_item] + 90, -1, T - 1)
        keep = self.s_first <= self.s_last
        for name in ("s_item", "s_loc", "s_ch", "s_level", "s_g", "s_k", "s_pocc", "s_size",
                     "s_wamp",
                     "s_pf", "s_first", "s_last"):
            setattr(self, name, getattr(self, name)[keep])
        self.n_series = len(self.s_item)

    def _role(self, item: int) -> str | None:
        code = self.it.rows[item].get("model")
        for m in self.models:
            if m["code"] == code:
                return m["role"]
        return None

    def _expected_load(self) -> None:
        """Expected daily volume per item (finished goods by demand, the rest through the BOM)."""
        T = self.T
        g = self.s_g
        span = (self.s_last - self.s_first + 1) / T
        x = g * T / 365.25
        trend_mean = np.where(np.abs(x) > 1e-6, np.expm1(x) / np.where(x == 0, 1, x), 1.0)
        e = self.s_level * trend_mean * np.clip(span, 0, 1) * 1.15
        daily = np.bincount(self.s_item, weights=e, minlength=self.n_items)
        # explode through the BOM level by level (parents have larger indices)
        for i in range(self.n_items - 1, -1, -1):
            if daily[i] > 0:
                daily += self.Q[i] * daily[i]
        self.exp_daily = daily

    # ------------------------------------------------------------------ resources and lanes

    def _resources(self, rng: np.random.Generator) -> None:
        defs = [  # code, name, plant, kind, hours/day, groups made
            ("SZ-SMT1", "Shenzhen SMT line 1", 0, "line", 20.0, ("mainboard",)),
            ("SZ-SMT2", "Shenzhen SMT line 2", 0, "line", 20.0, ("camera_module", "mainboard")),
            ("SZ-FA1", "Shenzhen final assembly line 1", 0, "line", 16.0, ("finished",)),
            ("SZ-MAT1", "Shenzhen module assembly & test cell", 0, "test", 16.0, ("module",)),
            ("CD-SMT1", "Chengdu SMT line 1", 1, "line", 20.0, ("mainboard", "camera_module")),
            ("CD-FA1", "Chengdu final assembly line 1", 1, "line", 16.0, ("finished",)),
            ("CD-MAT1", "Chengdu module assembly & test cell", 1, "test", 16.0, ("module",)),
        ]
        self.res_code = np.array([d[0] for d in defs], dtype=object)
        self.res_plant = np.array([d[2] for d in defs])
        self.res_hours = np.array([d[4] for d in defs])
        # route each made item to one resource
        res_of = np.full(self.n_items, -1)
        made = np.flatnonzero(self.item_plant >= 0)
        toggle = 0
        for i in made:
            grp = "finished" if self.item_kind[i] == "finished" else self.item_category[i]
            opts = [r for r, d in enumerate(defs) if d[2] == self.item_plant[i] and grp in d[5]]
            if grp == "mainboard" and len(opts) > 1:
                r = opts[toggle % len(opts)]
                toggle += 1
            else:
                r = opts[0]
            res_of[i] = r
        self.item_res = res_of
        load = np.bincount(res_of[made], weights=self.exp_daily[made] * 7, minlength=len(defs))
        weekly_hours = self.res_hours * 6
        cap = _nice_ceil(np.maximum(load / weekly_hours / 0.72, 10.0), 2)
        self.res_cap = cap
        self.res_scrap = np.round(rng.uniform(0.004, 0.02, len(defs)), 4)
        self.out["resources"] = dict(
            code=self.res_code, name=np.array([d[1] for d in defs], dtype=object),
            plant_code=self.loc_code[[self.plants[d[2]] for d in defs]],
            kind=np.array([d[3] for d in defs], dtype=object), capacity_per_hour=cap,
            hours_per_day=self.res_hours,
        )

    def _lanes(self, rng: np.random.Generator) -> None:
        rows: list[tuple[int, int, str, float, float, float, float]] = []
        carriers: dict[tuple[int, int, str], tuple[str, float]] = {}

        def lane(o: int, d: int, mode: str, flow: float) -> None:
            km = float(_haversine_km(self.loc_lat[o], self.loc_lon[o], self.loc_lat[d],
                                     self.loc_lon[d]))
            lt = {"road": math.ceil(km / 650) + 1, "rail": math.ceil(km / 900) + 2,
                  "air": 2 + (km > 2500),
                  "sea": math.ceil(km / 550) + 6, "parcel": math.ceil(km / 900) + 1}[mode]
            per_km = {"road": 0.0009, "rail": 0.0005, "air": 0.006, "sea": 0.0002,
                      "parcel": 0.003}[mode]
            cost = round(0.3 + km * per_km * rng.uniform(0.8, 1.2), 2)
            fixed = float(round({"road": 800, "rail": 2500, "air": 3000, "sea": 6000,
                                 "parcel": 0}[mode] * rng.uniform(0.8, 1.2), -1))
            cap = float(_nice_ceil(max(flow * 3, 500.0), 2))
            rows.append((o, d, mode, cost, fixed, float(lt), cap))
            opts = _CARRIERS[mode]
            carriers[(o, d, mode)] = opts[int(rng.integers(len(opts)))]

        bought = self.exp_daily * np.isin(self.item_kind, ["component"])
        for k, s in enumerate(self.sup_defs):
            site = self.sup_site[s[0]]
            items = self.si_item[self.si_sup == k]
            flow = float(bought[items].sum()) / 2
            for p in self.plants:
                if s[4] == "CN":
                    lane(site, p, "road", flow)
                else:
                    lane(site, p, "air", flow)
                    if s[4] in ("TW", "KR", "JP", "MY", "SG", "VN"):
                        lane(site, p, "sea", flow)
        fg_flow = float(self.exp_daily[self.fg].sum()) / len(self.dcs)
        for p in self.plants:
            for d in self.dcs:
                lane(p, d, "road", fg_flow)
                km = float(_haversine_km(self.loc_lat[p], self.loc_lon[p], self.loc_lat[d],
                                         self.loc_lon[d]))
                if km > 1200:
                    lane(p, d, "rail", fg_flow)
                    lane(p, d, "air", fg_flow / 10)
        for i in self.stores:
            lane(self.dcs[self.dc_of[i]], i, "road", 200.0)
        for i, _, _ in self.customers:
            lane(self.dcs[self.dc_of[i]], i, "parcel", 2000.0)
        self.lane_rows = rows
        self.lane_carrier = carriers
        self.lane_index = {(r[0], r[1], r[2]): k for k, r in enumerate(rows)}
        arr = list(zip(*rows, strict=True))
        self.out["lanes"] = dict(
            origin_code=self.loc_code[list(arr[0])], destination_code=self.loc_code[list(arr[1])],
            mode=np.array(arr[2], dtype=object), cost_per_unit=np.array(arr[3]),
            fixed_cost=np.array(arr[4]), lead_time_days=np.array(arr[5]),
            capacity_per_day=np.array(arr[6]),
        )
        carr = sorted({v for v in carriers.values()})
        self.truth["carriers"] = pd.DataFrame({
            "carrier": [c for c, _ in carr],
            "mode": [next(m for m, o in _CARRIERS.items() if (c, r) in o) for c, r in carr],
            "reliability": [r for _, r in carr],
        })

    # ================================================================== calendar

    def calendar(self) -> None:
        rng = self.rng(3)
        T, cfg = self.T, self.cfg
        n = T + 160  # internal horizon (planning looks ahead); the table stops 90 days out
        d = np.array([self.start + timedelta(days=int(i)) for i in range(n)])
        month = np.array([x.month for x in d])
        day = np.array([x.day for x in d])
        dow = (self.start.weekday() + np.arange(n)) % 7
        R = len(self.res_code)
        hours = np.repeat(self.res_hours[:, None], n, axis=1).astype(float)
        reason = np.full((R, n), None, dtype=object)
        peak = ((month == 9) & (day >= 15)) | (month == 10) | ((month == 11) & (day <= 5)) | \
               ((month == 5) & (day >= 15)) | ((month == 6) & (day <= 10))
        sunday = dow == 6
        hours[:, sunday] = 0.0
        reason[:, sunday] = "Sunday (no shift)"
        ot = sunday & peak
        hours[:, ot] = 8.0
        reason[:, ot] = "Peak season overtime shift"
        # planned maintenance: one Saturday a month, each line its own week
        sat = dow == 5
        nth = (day - 1) // 7
        for r in range(R):
            m = sat & (nth == r % 4)
            hours[r, m] = np.round(self.res_hours[r] / 2)
            reason[r, m] = "Planned preventive maintenance"

        def close(mask: np.ndarray, frac: float, why: str) -> None:
            hours[:,
                  mask] = np.round(self.res_hours[:, None] * frac) * np.ones((R, int(mask.sum())))
            reason[:, mask] = why

        close((month == 1) & (day == 1), 0.0, "New Year's Day")
        close((month == 5) & (day <= 3), 0.0, "Labour Day holiday")
        close((month == 10) & (day <= 4), 0.0, "National Day Golden Week")
        close((month == 10) & (day >= 5) & (day <= 7), 0.5,
              "National Day Golden Week (reduced shift)")
        close((month == 4) & (day == 5), 0.0, "Qingming Festival")
        idx = np.arange(n)
        for c in _CNY.values():
            ci = (date.fromisoformat(c) - self.start).days
            close((idx >= ci - 3) & (idx <= ci + 6), 0.0, "Chinese New Year shutdown")
            close((idx >= ci + 7) & (idx <= ci + 13), 0.5, "Post-CNY ramp-up (workers returning)")
        for table, why in ((_DRAGON_BOAT, "Dragon Boat Festival"),
                           (_MID_AUTUMN, "Mid-Autumn Festival")):
            for c in table.values():
                ci = (date.fromisoformat(c) - self.start).days
                close(idx == ci, 0.0, why)
        # unplanned breakdowns inside the sensor window (vibration ramps up before them)
        w0 = T - cfg.sensor_days
        n_bd = max(2, R // 3)
        self.breakdowns: list[tuple[int, int, int]] = []  # resource, day, ramp days
        res_pick = rng.choice(R, size=min(n_bd, R), replace=False)
        for r in res_pick:
            for _ in range(50):
                b = int(rng.integers(w0 + 8, T - 2))
                if hours[r, b] >= self.res_hours[r] * 0.9:
                    break
            ramp = int(rng.integers(3, 6))
            hours[r, b] = np.round(self.res_hours[r] * 0.3)
            reason[r, b] = "Unplanned breakdown repair"
            self.breakdowns.append((int(r), b, ramp))
        self.hours = hours
        n_out = T + CALENDAR_AHEAD_DAYS
        self.out["resource_calendar"] = dict(
            resource_code=np.repeat(self.res_code, n_out),
            date=np.tile(self.dates(np.arange(n_out)), R),
            available_hours=hours[:, :n_out].ravel(),
            reason=reason[:, :n_out].ravel(),
        )
        # calendar events (truth)
        last = self.date_of(n_out - 1)
        self.specs = _calendar_specs(self.start, last)
        ev = [dict(name=e.name, kind=e.kind, start=e.start, end=e.end, item_code=None,
                   scope="laptop,tablet" if e.bts_only else "all",
                   effect_store=e.amps[STORE], effect_online=e.amps[ONLINE], effect_b2b=e.amps[B2B])
              for e in self.specs]
        for m in self.models:
            for f in m["items"]:
                if m["launch"] is not None and -90 <= m["launch"] < n_out:
                    ev.append(dict(name=f"Launch of {self.item_code[f]}", kind="launch",
                                   start=self.date_of(m["launch"]),
                                   end=self.date_of(m["launch"] + 13),
                                   item_code=self.item_code[f], scope="all", effect_store=np.nan,
                                   effect_online=np.nan, effect_b2b=np.nan))
                if m["eol"] is not None:
                    ev.append(dict(name=f"End of life of {self.item_code[f]}", kind="eol",
                                   start=self.date_of(m["eol"] - 120), end=self.date_of(m["eol"]),
                                   item_code=self.item_code[f], scope="all", effect_store=np.nan,
                                   effect_online=np.nan, effect_b2b=np.nan))
        for r, b, ramp in self.breakdowns:
            ev.append(dict(name=f"Breakdown of {self.res_code[r]}", kind="breakdown",
                           start=self.date_of(b),
                           end=self.date_of(b), item_code=None, scope=self.res_code[r],
                           effect_store=np.nan, effect_online=np.nan, effect_b2b=np.nan))
        evf = pd.DataFrame(ev)
        evf["start"] = pd.to_datetime(evf["start"])
        evf["end"] = pd.to_datetime(evf["end"])
        self.truth["events"] = evf.sort_values(["start", "kind", "name"],
                                               kind="stable").reset_index(drop=True)

    # ================================================================== demand

    def demand(self) -> None:
        rng = self.rng(4)
        T, t = self.T, self.t
        S = self.n_series
        ch = self.s_ch
        # calendar multipliers per channel
        yearly_ch = _apply_events(self.specs, self.start, T, ("festival",), bts=False)
        bts_ch = _apply_events(self.specs, self.start, T, ("festival",), bts=True)
        holiday_ch = _apply_events(self.specs, self.start, T, ("holiday", "cny"))
        doy = np.array([self.date_of(i).timetuple().tm_yday for i in range(T)])
        smooth_amp = np.array([0.08, 0.06, 0.05, 0.06, 0.03])
        smooth = 1 + smooth_amp[:, None] * np.cos(2 * np.pi * (doy[None, :] - 355) / 365.25)
        yearly_ch = yearly_ch * smooth
        f32 = np.float32
        fam = self.item_family[self.s_item]
        bts_sens = np.isin(fam, ["laptop", "tablet"])
        yearly = yearly_ch[ch].astype(f32)
        yearly[bts_sens] *= bts_ch[ch[bts_sens]].astype(f32)
        holiday = holiday_ch[ch].astype(f32)
        # weekly profile, per-series weekend amplitude
        wprof = _WEEKLY[ch]
        wprof = 1 + (wprof - 1) * self.s_wamp[:, None]
        wprof = wprof / wprof.mean(axis=1, keepdims=True)
        weekly = wprof[:, self.dow].astype(f32)
        trend = np.exp(self.s_g[:, None] * (t[None, :] / 365.25)).astype(f32)
        # lifecycle: launch ramp-up with a hype spike, run-out before EOL, decay after
        launch = self.item_launch[self.s_item][:, None]
        eol = self.item_eol[self.s_item][:, None]
        dl = (t[None, :] - launch).astype(float)
        is_fg = (ch != SERVICE)[:, None]
        hype = 1 + 0.6 * np.exp(-np.maximum(dl, 0) / 10.0)
        ramp = np.where(dl >= 0, (1 - np.exp(-(dl + 1) / 14.0)) * hype, 0.0)
        ramp = np.where(is_fg, ramp, np.where(dl >= 0, 1.0, 0.0))
        de = (t[None, :] - eol).astype(float)
        runout = np.where(de < -120, 1.0,
                          np.where(de <= 0, 1 - 0.6 * (de + 120) / 120,
                                   0.4 * np.exp(-np.maximum(de, 0) / 15.0)))
        lifecycle = (ramp * np.where(is_fg, runout, 1.0)).astype(f32)
        del dl, de, ramp, runout
        # promotions: item-wide (stores + online) and regional (stores of one region)
        fg = self.fg
        fg_pos = np.full(self.n_items, -1)
        fg_pos[fg] = np.arange(len(fg))
        regions = sorted({r["region"] for r in self.locs})
        reg_idx = {r: k for k, r in enumerate(regions)}
        d_nat = np.zeros((len(fg), T), dtype=f32)
        d_reg = np.zeros((len(fg), len(regions), T), dtype=f32)
        promos: list[dict[str, Any]] = []
        n_per = rng.poisson(self.cfg.promos_per_year * T / 365.25, len(fg))
        store_regions = sorted({self.locs[i]["region"] for i in self.stores})
        for j in range(len(fg)):
            for _ in range(n_per[j]):
                a = int(rng.integers(0, T - 3))
                b = min(T - 1, a + int(rng.integers(3, 11)))
                disc = round(float(rng.choice([0.05, 0.1, 0.15, 0.2, 0.25])), 2)
                if rng.random() < 0.6:
                    d_nat[j, a:b + 1] = np.maximum(d_nat[j, a:b + 1], disc)
                    scope, chans = "national", "store,online"
                else:
                    reg = store_regions[int(rng.integers(len(store_regions)))]
                    d_reg[j, reg_idx[reg],
                          a:b + 1] = np.maximum(d_reg[j, reg_idx[reg], a:b + 1], disc)
                    scope, chans = reg, "store"
                promos.append(dict(item_code=self.item_code[fg[j]], scope=scope, channels=chans,
                                   start=a, end=b, discount=disc))
        # festival promotions: every product is on sale for 618 and Singles' Day
        for e in self.specs:
            if e.name in ("618 mid-year sale", "Singles' Day (11.11)"):
                a = (e.start - self.start).days - (10 if "618" in e.name else 11)
                b = (e.end - self.start).days
                lo, hi = max(a, 0), min(b, T - 1)
                if lo > hi:
                    continue
                disc = np.round(rng.uniform(0.08, 0.2, len(fg)), 2)
                d_nat[:, lo:hi + 1] = np.maximum(d_nat[:, lo:hi + 1], disc[:, None])
                for j in range(len(fg)):
                    promos.append(dict(item_code=self.item_code[fg[j]], scope="festival:" + e.name,
                                       channels="store,online", start=lo, end=hi,
                                       discount=float(disc[j])))
        sfg = fg_pos[self.s_item]
        disc = np.zeros((S, T), dtype=f32)
        st = ch == STORE
        on = ch == ONLINE
        if st.any():
            sreg = np.array([reg_idx[self.locs[i]["region"]] for i in self.s_loc[st]])
            disc[st] = np.maximum(d_nat[sfg[st]], d_reg[sfg[st], sreg])
        if on.any():
            disc[on] = d_nat[sfg[on]]
        elast = np.where(sfg >= 0, self.fg_elast[np.maximum(sfg, 0)], 0.0).astype(f32)
        uplift = np.power(1 - disc, -elast[:, None], dtype=f32)
        promo = disc > 0
        # the mean and the draw
        mult = trend * weekly * yearly * holiday * lifecycle
        inter = ~np.isnan(self.s_pocc)
        mean = np.empty((S, T))
        qty = np.zeros((S, T), dtype=np.int64)
        sm = ~inter
        if sm.any():
            mu = self.s_level[sm, None] * mult[sm] * uplift[sm]
            mean[sm] = mu
            k = self.s_k[sm, None]
            qty[sm] = rng.negative_binomial(np.broadcast_to(k, mu.shape), k / (k + mu))
        if inter.any():
            occ = np.minimum(0.95, self.s_pocc[inter, None] * mult[inter] * uplift[inter])
            size = self.s_size[inter, None]
            mean[inter] = occ * size
            hit = rng.random(occ.shape) < occ
            k = self.s_k[inter, None]
            extra_mean = np.maximum(size - 1, 1e-6)
            sizes = 1 + rng.negative_binomial(np.broadcast_to(k, occ.shape), k / (k + extra_mean))
            qty[inter] = np.where(hit, sizes, 0)
        valid = (t[None, :] >= self.s_first[:, None]) & (t[None, :] <= self.s_last[:, None])
        qty[~valid] = 0
        mean[~valid] = 0.0
        # selling price that day: list price, official cuts every ~6 months, promotion discount
        item = self.s_item
        list_price = self.item_price[item]
        age = np.maximum(t[None, :] - self.item_launch[item][:, None], 0)
        steps = np.minimum(age // 182, 4)
        steps[~np.isin(fam, ["phone", "laptop", "tablet"])] = 0
        price = list_price[:, None] * np.power(0.93, steps) * (1 - disc) * self.s_pf[:, None]
        price = _retail_price(price)
        del age, steps
        self.Qd = qty
        self.mean = mean
        self.valid = valid
        self.promo = promo
        # rows
        si, ti = np.nonzero(valid)
        self.out["demand"] = dict(
            item_code=self.item_code[item[si]], location_code=self.loc_code[self.s_loc[si]],
            date=self.dates(ti), qty=qty[si, ti].astype(float), price=price[si, ti],
            promo=promo[si, ti],
        )
        base = self.s_level[si].astype(f32)
        self.truth["demand_components"] = pd.DataFrame({
            "item_code": self.out["demand"]["item_code"],
            "location_code": self.out["demand"]["location_code"],
            "date": self.out["demand"]["date"],
            "channel": np.array(CHANNEL_NAMES, dtype=object)[ch[si]],
            "baseline": base, "trend": trend[si, ti], "weekly": weekly[si, ti],
            "yearly": yearly[si, ti], "holiday": holiday[si, ti], "promo_uplift": uplift[si, ti],
            "lifecycle": lifecycle[si, ti], "mean": mean[si, ti],
        })
        del trend, weekly, yearly, holiday, lifecycle, uplift, mult
        pf = pd.DataFrame(promos)
        if len(pf):
            pf.insert(0, "promo_id", [f"PROMO-{k + 1:05d}" for k in range(len(pf))])
            promo_items = np.array([self.it.index[c] for c in pf["item_code"]])
            elasticity = self.fg_elast[fg_pos[promo_items]]
            pf["uplift"] = np.power(1 - pf["discount"].to_numpy(), -elasticity)
            pf["start"] = self.dates(pf["start"].to_numpy())
            pf["end"] = self.dates(pf["end"].to_numpy())
        self.truth["promotions"] = pf

    # ================================================================== DC inventory

    def inventory(self) -> None:
        """Weekly store replenishment, order-up-to DC replenishment, three noisy stock reports."""
        rng = self.rng(5)
        T, cfg = self.T, self.cfg
        n_dc = len(self.dcs)
        dc_items = np.concatenate([self.fg, np.array(self.spares, dtype=int)]).astype(int)
        pos = np.full(self.n_items, -1)
        pos[dc_items] = np.arange(len(dc_items))
        P = len(dc_items) * n_dc
        pair_item = np.repeat(dc_items, n_dc)
        pair_dc = np.tile(np.arange(n_dc), len(dc_items))
        s_pair = pos[self.s_item] * n_dc + self.dc_of[self.s_loc]
        ch = self.s_ch
        # store shipments: each store is replenished once a week with what it sold the week before
        st = np.flatnonzero(ch == STORE)
        store_wd = rng.integers(0, 6, len(self.locs))
        Cp = np.zeros((len(st), T + 1), dtype=np.int64)
        np.cumsum(self.Qd[st], axis=1, out=Cp[:, 1:])
        ship_s, ship_t, ship_q = [], [], []
        for w in range(6):
            rows = np.flatnonzero(store_wd[self.s_loc[st]] == w)
            days = np.flatnonzero((self.dow == w) & (self.t >= 1))
            if not len(rows) or not len(days):
                continue
            q = Cp[rows][:, days] - Cp[rows][:, np.maximum(days - 7, 0)]
            r_i, d_i = np.nonzero(q > 0)
            ship_s.append(st[rows[r_i]])
            ship_t.append(days[d_i])
            ship_q.append(q[r_i, d_i])
        ship_s = np.concatenate(ship_s) if ship_s else np.zeros(0, int)
        ship_t = np.concatenate(ship_t) if ship_t else np.zeros(0, int)
        ship_q = np.concatenate(ship_q).astype(float) if ship_q else np.zeros(0)
        self.store_wd = store_wd
        # what leaves each DC per day: store shipments, customer orders, spare parts
        req = np.bincount(s_pair[ship_s] * T + ship_t, weights=ship_q, minlength=P * T)
        direct = np.flatnonzero(ch != STORE)
        Qdir = self.Qd[direct]
        r_i, d_i = np.nonzero(Qdir)
        req += np.bincount(s_pair[direct[r_i]] * T + d_i, weights=Qdir[r_i, d_i], minlength=P * T)
        req = req.reshape(P, T)
        # expected daily outflow (what the planner forecasts), extended past the horizon
        ext = 200
        mu = np.zeros((P, T + ext))
        r_i, d_i = np.nonzero(self.mean > 0)
        mu[:, :T] = np.bincount(s_pair[r_i] * T + d_i, weights=self.mean[r_i, d_i],
                                minlength=P * T).reshape(P, T)
        mu[:, T:] = mu[:, T - 28:T].mean(axis=1, keepdims=True)
        # lead times: finished goods from their plant by lane, spare parts from their supplier
        is_fg = self.item_kind[pair_item] == "finished"
        L = np.zeros(P)
        rel = np.zeros(P)
        std = np.zeros(P)
        mode = np.empty(P, dtype=object)
        carrier = np.empty(P, dtype=object)
        sup = np.full(P, -1)
        prim = {int(i): k for k, i in enumerate(self.si_item) if self.si_primary[k]}
        for p in range(P):
            i, k = pair_item[p], pair_dc[p]
            if is_fg[p]:
                o, d = self.plants[self.item_plant[i]], self.dcs[k]
                m = "rail" if (o, d, "rail") in self.lane_index else "road"
                lr = self.lane_rows[self.lane_index[(o, d, m)]]
                L[p] = lr[5]
                carrier[p], rel[p] = self.lane_carrier[(o, d, m)]
                std[p] = 1.0
                mode[p] = m
            else:
                si = prim[int(i)]
                sup[p] = si
                L[p] = self.si_lt[si]
                rel[p] = self.sup_rel[self.si_sup[si]]
                std[p] = self.sup_lt_std[self.si_sup[si]]
        ss = np.where(is_fg, 5, 14)
        cover = (L + 7 + ss).astype(int)
        cm = np.zeros((P, T + ext + 1))
        np.cumsum(mu, axis=1, out=cm[:, 1:])
        reviews = np.flatnonzero(self.dow == 0)
        hi = np.minimum(reviews[None, :] + cover[:, None], T + ext)
        target = np.take_along_axis(cm, hi, axis=1) - cm[:, reviews]
        target = np.ceil(target)
        delays = _draw_delays(rng, (P, len(reviews)), rel[:, None], std[:, None])
        lt_real = np.maximum(1, L[:, None] + delays).astype(int)
        pack = np.where(is_fg, np.where(mu[:, :T].mean(axis=1) > 20, 20.0, 5.0), 5.0)
        moq = np.where(sup >= 0, self.si_moq[np.maximum(sup, 0)], 0.0)
        arr = np.zeros((P, T + int(lt_real.max()) + 2))
        on_hand = np.ceil(np.take_along_axis(cm, np.minimum(cover, T + ext)[:, None], axis=1)[:, 0])
        pipeline = np.zeros(P)
        oh = np.zeros((P, T))
        po = np.zeros((P, T))
        fill = np.ones((P, T))
        orders: list[tuple[np.ndarray, int, np.ndarray, np.ndarray]] = []
        r = 0
        for day in range(T):
            a = arr[:, day]
            on_hand += a
            pipeline -= a
            if r < len(reviews) and reviews[r] == day:
                q = np.maximum(0.0, target[:, r] - on_hand - pipeline)
                q = np.ceil(q / pack) * pack
                q = np.where(q > 0, np.maximum(q, moq), 0.0)
                idx = np.flatnonzero(q > 0)
                if len(idx):
                    lt = lt_real[idx, r]
                    arr[idx, day + lt] += q[idx]
                    pipeline[idx] += q[idx]
                    orders.append((idx, day, q[idx], lt))
                r += 1
            need = req[:, day]
            ship = np.minimum(on_hand, need)
            np.divide(ship, need, out=fill[:, day], where=need > 0)
            on_hand -= ship
            oh[:, day] = on_hand
            po[:, day] = pipeline
        # allocated: part of the next days' outflow is already picked
        nxt = np.concatenate([req[:, 1:], req[:, -1:]], axis=1)
        alloc = np.minimum(oh, np.round(nxt * rng.uniform(0.2, 0.6, (P, 1))))
        # keep the flows for the other stages
        o_idx = np.concatenate([o[0] for o in orders]) if orders else np.zeros(0, int)
        o_day = np.concatenate([np.full(len(o[0]),
                                        o[1]) for o in orders]) if orders else np.zeros(0, int)
        o_q = np.concatenate([o[2] for o in orders]) if orders else np.zeros(0)
        o_lt = np.concatenate([o[3] for o in orders]) if orders else np.zeros(0, int)
        self.dc_orders = dict(pair=o_idx, day=o_day, qty=o_q, lt=o_lt, planned=L[o_idx],
                              item=pair_item[o_idx], dc=pair_dc[o_idx], is_fg=is_fg[o_idx],
                              mode=mode[o_idx], carrier=carrier[o_idx], si=sup[o_idx])
        shipped_q = np.floor(ship_q * fill[s_pair[ship_s], ship_t])
        self.store_ship = dict(s=ship_s, t=ship_t, qty=shipped_q, planned=ship_q)
        self.req_dc = req
        # truth: daily true stock from the first day the pair held anything
        active = (oh + po) > 0
        first = np.where(active.any(axis=1), active.argmax(axis=1), T)
        keep = self.t[None, :] >= first[:, None]
        pi, ti = np.nonzero(keep)
        codes_i = self.item_code[pair_item[pi]]
        codes_l = self.loc_code[np.array(self.dcs)[pair_dc[pi]]]
        self.truth["inventory_true"] = pd.DataFrame({
            "item_code": codes_i, "location_code": codes_l, "date": self.dates(ti),
            "on_hand": oh[pi, ti], "on_order": po[pi, ti], "allocated": alloc[pi, ti],
        })
        # three sources: ERP (book stock, a day late, biased), WMS (cycle counts), RFID (tag loss)
        snap = ((T - 1 - self.t) % cfg.inventory_every) == 0
        kp = keep & snap[None, :]
        pi, ti = np.nonzero(kp)
        true_now = oh[pi, ti]
        true_prev = oh[pi, np.maximum(ti - 1, 0)]
        dcp = pair_dc[pi]
        erp_bias = np.round(rng.uniform(-0.01, 0.02, n_dc), 4)
        rfid_loss = np.round(rng.uniform(0.04, 0.06, n_dc), 4)
        srcs = []
        n = len(pi)
        erp = np.round(true_prev * (1 + erp_bias[dcp] + rng.normal(0, 0.02, n)))
        wms = np.round(true_now * (1 + rng.normal(0, 0.01, n)))
        rfid = np.round(rng.binomial(true_now.astype(np.int64),
                                     1 - rfid_loss[dcp]) * (1 + rng.normal(0, 0.005, n)))
        miss = {"ERP": 0.01, "WMS": 0.03, "RFID": 0.05}
        # one RFID outage: a DC's portal readers were down for a week
        out_dc = int(rng.integers(n_dc))
        out_day = int(rng.integers(T // 4, T - 14))
        for name, val, on_order, allocated in (
            ("ERP", erp, po[pi, ti], alloc[pi, ti]),
            ("WMS", wms, np.zeros(n), alloc[pi, ti]),
            ("RFID", rfid, np.zeros(n), np.zeros(n)),
        ):
            keep_rows = rng.random(n) >= miss[name]
            if name == "RFID":
                keep_rows &= ~((dcp == out_dc) & (ti >= out_day) & (ti < out_day + 7))
            k = np.flatnonzero(keep_rows)
            srcs.append(dict(item_code=self.item_code[pair_item[pi[k]]],
                             location_code=self.loc_code[np.array(self.dcs)[dcp[k]]],
                             date=self.dates(ti[k]), source=np.full(len(k), name, dtype=object),
                             on_hand=np.maximum(val[k], 0.0), on_order=on_order[k],
                             allocated=np.minimum(allocated[k], np.maximum(val[k], 0.0))))
        self.out["inventory"] = {c: np.concatenate([s[c] for s in srcs]) for c in srcs[0]}
        dc_codes = self.loc_code[np.array(self.dcs)]
        self.truth["inventory_sources"] = pd.DataFrame({
            "source": np.repeat(["ERP", "WMS", "RFID"], n_dc),
            "location_code": np.tile(dc_codes, 3),
            "lag_days": np.repeat([1, 0, 0], n_dc),
            "bias": np.concatenate([erp_bias, np.zeros(n_dc), -rfid_loss]),
            "noise_std": np.repeat([0.02, 0.01, 0.005], n_dc),
            "loss_rate": np.concatenate([np.zeros(n_dc), np.zeros(n_dc), rfid_loss]),
            "missing_rate": np.repeat([miss["ERP"], miss["WMS"], miss["RFID"]], n_dc),
            "outage_start": [pd.NaT] * (2 * n_dc) + [
                pd.Timestamp(self.date_of(out_day)) if k == out_dc else pd.NaT
                for k in range(n_dc)],
        })

    # ================================================================== production

    def production(self) -> None:
        """Weekly production plans levelled against line capacity, and what the lines made."""
        rng = self.rng(6)
        T = self.T
        off = self.start.weekday()
        n_cal = self.hours.shape[1]
        W = (T + off + 7 * 20) // 7 + 1  # weeks incl. 20 weeks of look-ahead
        wk_start = np.arange(W) * 7 - off  # day index of each Monday
        w_end = (T - 1 + off) // 7  # week holding the last history day
        # hours per resource, week and weekday
        days = wk_start[:, None] + np.arange(7)[None, :]
        inside = (days >= 0) & (days < n_cal)
        H = np.where(inside[None], self.hours[:, np.clip(days, 0, n_cal - 1)], 0.0)  # R, W, 7
        Hw = H.sum(axis=2)
        # finished-goods requirement: plant shipments of week w+1 are made in week w
        o = self.dc_orders
        fgm = o["is_fg"]
        wk = (o["day"][fgm] + off) // 7
        req = np.zeros((self.n_items, W))
        np.add.at(req, (o["item"][fgm], np.maximum(wk - 1, 0)), o["qty"][fgm])
        recent = req[:, max(0, w_end - 5):w_end - 1].mean(axis=1)
        req[:, w_end:] = np.where(self.item_eol[:, None] > T + 7 * np.arange(W - w_end)[None, :],
                                  recent[:, None], 0.0)
        fin = self.item_kind == "finished"
        req[~fin] = 0.0
        plan = np.zeros((self.n_items, W))
        plan[fin] = self._level(req[fin], self.item_res[fin], Hw)
        # sub-assemblies: what the parents need the week after
        sub = self.item_kind == "subassembly"
        need = self.Q[:, sub].T @ plan  # sub × W
        req_sub = np.zeros((int(sub.sum()), W))
        req_sub[:, :-1] = need[:, 1:]
        plan[sub] = self._level(req_sub, self.item_res[sub], Hw)
        plan = np.floor(plan)
        self.plan = plan
        self.W, self.wk_start, self.w_end, self.off = W, wk_start, w_end, off
        # day-level production, integer, proportional to each day's hours
        made = np.flatnonzero(plan.sum(axis=1) > 0)
        frac = H[self.item_res[made]]  # M, W, 7
        q = _integer_split(plan[made], frac)
        mi, wi, di = np.nonzero(q > 0)
        day = wk_start[wi] + di
        keep = (day >= 0) & (day <= T - 1)
        mi, wi, di, day = mi[keep], wi[keep], di[keep], day[keep]
        qty = q[mi, wi, di]
        item = made[mi]
        res = self.item_res[item]
        scrap = rng.binomial(qty.astype(np.int64), self.res_scrap[res]).astype(float)
        hours_run = np.round(qty / self.res_cap[res], 2)
        hours_run = np.minimum(hours_run, self.hours[res, day])
        # production orders: one per item and week, through four weeks past the end
        oi, ow = np.nonzero(plan > 0)
        rel = wk_start[ow]
        due = rel + 6  # Sunday: peak-season overtime may run the order into it
        ok = (due >= 0) & (rel <= T - 1 + 28)
        oi, ow, rel, due = oi[ok], ow[ok], rel[ok], due[ok]
        order_no = self._doc_ids("MO", rel, np.arange(1, len(rel) + 1), 6)
        status = np.where(due < T - 1, "done", np.where(rel <= T - 1, "in_progress",
                          np.where(rel <= T - 1 + 7, "released", "planned"))).astype(object)
        okey = oi.astype(np.int64) * W + ow  # sorted: np.nonzero is row-major
        rkey = item.astype(np.int64) * W + wi
        if len(okey):
            at = np.minimum(np.searchsorted(okey, rkey), len(okey) - 1)
            rec_order = np.where(okey[at] == rkey, order_no[at], None).astype(object)
        else:
            rec_order = np.full(len(rkey), None, dtype=object)
        self.out["production_orders"] = dict(
            order_number=order_no, item_code=self.item_code[oi],
            plant_code=self.loc_code[np.array(self.plants)[self.item_plant[oi]]],
            resource_code=self.res_code[self.item_res[oi]], qty=plan[oi, ow],
            release_date=self.dates(rel), due_date=self.dates(due), status=status,
        )
        self.out["production_records"] = dict(
            resource_code=self.res_code[res], item_code=self.item_code[item], date=self.dates(day),
            qty_good=qty - scrap, qty_scrap=scrap, hours_run=hours_run, order_number=rec_order,
        )

    def _level(self, req: np.ndarray, res: np.ndarray, Hw: np.ndarray) -> np.ndarray:
        """Backward levelling: a week over capacity builds the excess the week before."""
        n, W = req.shape
        plan = np.zeros_like(req)
        carry = np.zeros(n)
        cap = self.res_cap[:, None] * Hw * 0.95 / (1 + self.res_scrap[:, None])
        R = len(self.res_code)
        for w in range(W - 1, -1, -1):
            want = req[:, w] + carry
            load = np.bincount(res, weights=want, minlength=R)
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = np.where(load > cap[:, w], cap[:, w] / np.maximum(load, 1e-9), 1.0)
            plan[:, w] = want * scale[res]
            carry = want - plan[:, w]
        return plan

    # ================================================================== purchasing

    def purchasing(self) -> None:
        """Component purchase orders from the plans through the BOM; spare parts for the DCs."""
        rng = self.rng(7)
        T, W, wk_start = self.T, self.W, self.wk_start
        comp = np.flatnonzero(self.item_kind == "component")
        # component need per plant and week: parents' plan of the following week
        need = np.zeros((len(comp), 2, W))
        for p in range(2):
            par = self.item_plant == p
            u = self.Q[par][:, comp].T @ self.plan[par]
            need[:, p, :-1] = u[:, 1:]
        # one stream per supplier item and plant
        is_comp = self.item_kind[self.si_item] == "component"
        cpos = np.full(self.n_items, -1)
        cpos[comp] = np.arange(len(comp))
        sidx = np.flatnonzero(is_comp)
        st_si = np.repeat(sidx, 2)
        st_plant = np.tile([0, 1], len(sidx))
        R = need[cpos[self.si_item[st_si]], st_plant] * self.si_share[st_si, None]
        has = R.sum(axis=1) > 0
        st_si, st_plant, R = st_si[has], st_plant[has], R[has]
        lt = self.si_lt[st_si]
        cycle = np.where(lt > 28, 2, 1)
        ltw = np.ceil(lt / 7).astype(int)
        phase = rng.integers(0, 2, len(st_si))
        cs = np.zeros((len(st_si), W + 1))
        np.cumsum(R, axis=1, out=cs[:, 1:])
        ow = np.arange(W)
        order_day = wk_start + 1  # Tuesday
        lo = np.minimum(ow[None, :] + ltw[:, None], W)
        hi = np.minimum(lo + cycle[:, None], W)
        q = np.take_along_axis(cs, hi, axis=1) - np.take_along_axis(cs, lo, axis=1)
        due_ok = (cycle[:, None] == 1) | ((ow[None, :] % 2) == phase[:, None])
        day_ok = (order_day >= 0) & (order_day <= T - 1)
        pack = self.si_pack[st_si][:, None]
        q = np.ceil(q * 1.03 / pack) * pack
        q = np.where(q > 0, np.maximum(q, self.si_moq[st_si][:, None]), 0.0)
        si_i, w_i = np.nonzero((q > 0) & due_ok & day_ok[None, :])
        line_si = st_si[si_i]
        line_day = order_day[w_i]
        line_q = q[si_i, w_i]
        line_dest = np.array(self.plants)[st_plant[si_i]]
        # spare parts ordered by the DCs
        o = self.dc_orders
        sp = ~o["is_fg"]
        line_si = np.concatenate([line_si, o["si"][sp]])
        line_day = np.concatenate([line_day, o["day"][sp]])
        line_q = np.concatenate([line_q, o["qty"][sp]])
        line_dest = np.concatenate([line_dest, np.array(self.dcs)[o["dc"][sp]]])
        n = len(line_si)
        sup = self.si_sup[line_si]
        planned = self.si_lt[line_si]
        delay = _draw_delays(rng, n, self.sup_rel[sup], self.sup_lt_std[sup])
        actual = np.maximum(1, planned + delay)
        n_comp = n - int(sp.sum())
        actual[n_comp:] = o["lt"][sp]  # spare parts: the realisation the DC simulation used
        received_day = line_day + actual
        # price: breaks by quantity, drifting over time (memory got dearer)
        price = self.si_price[line_si].copy()
        brk = np.ones(n)
        m = self.si_moq[line_si]
        brk = np.where(line_q >= 5 * m, 0.97, brk)
        brk = np.where(line_q >= 20 * m, 0.94, brk)
        has_breaks = np.array([self.si_breaks[k] is not None for k in line_si])
        drift = np.where(self.item_category[self.si_item[line_si]] == "memory", 0.2, -0.03)
        price = price * np.where(has_breaks, brk,
                                 1.0) * np.exp(drift * (line_day - (T - 1)) / 365.25)
        price = np.where(price < 1, np.round(price, 4), np.round(price, 2))
        # order numbers per supplier, destination and day
        df = pd.DataFrame({"sup": sup, "dest": line_dest, "day": line_day,
                           "item": self.si_item[line_si]})
        df = df.sort_values(["day", "sup", "dest", "item"], kind="stable")
        grp = df.groupby(["day", "sup", "dest"], sort=False).ngroup().to_numpy()
        order = df.index.to_numpy()
        po_no = self._doc_ids("PO", df["day"].to_numpy(), grp + 1, 6)
        line_no = df.groupby(grp).cumcount().to_numpy() + 1
        inv = np.empty(n, dtype=int)
        inv[order] = np.arange(n)
        po_no, line_no = po_no[inv], line_no[inv]
        # status and receipts as of the end of the history
        u = rng.random(n)
        arrived = received_day <= T - 1
        cancelled = u < 0.01
        partial = arrived & ~cancelled & (u > 0.96)
        recv_q = np.where(arrived & ~cancelled, line_q, 0.0)
        recv_q = np.where(partial, np.floor(line_q * rng.uniform(0.5, 0.95, n)), recv_q)
        status = np.where(cancelled, "cancelled", np.where(partial, "partial",
                          np.where(arrived, "received", "open"))).astype(object)
        draft = (status == "open") & (line_day >= T - 3) & (rng.random(n) < 0.3)
        status[draft] = "draft"
        recv_day = np.where(arrived & ~cancelled, received_day, -1)
        self.out["purchase_orders"] = dict(
            po_number=po_no, line_no=line_no.astype(np.int64), supplier_code=self.sup_code[sup],
            item_code=self.item_code[self.si_item[line_si]],
            destination_code=self.loc_code[line_dest],
            order_date=self.dates(line_day), due_date=self.dates(line_day + planned.astype(int)),
            qty=line_q, unit_price=price, received_qty=recv_q,
            received_date=np.where(recv_day >= 0, self.dates(np.maximum(recv_day, 0)),
                                   np.datetime64("NaT")),
            status=status,
        )
        self.truth["supplier_delays"] = pd.DataFrame({
            "po_number": po_no, "line_no": line_no.astype(np.int64),
            "supplier_code": self.sup_code[sup],
            "item_code": self.item_code[self.si_item[line_si]], "order_date": self.dates(line_day),
            "planned_lead_time_days": planned, "actual_lead_time_days": actual.astype(float),
            "delay_days": (actual - planned).astype(float), "late": actual > planned,
            "received": arrived & ~cancelled,
        }).sort_values(["po_number", "line_no"]).reset_index(drop=True)

    # ================================================================== shipments

    def shipments(self) -> None:
        """Plant → DC replenishments (from the DC simulation) and weekly DC → store deliveries."""
        rng = self.rng(8)
        T = self.T
        o = self.dc_orders
        fg = o["is_fg"]
        # plant -> DC
        a_item = o["item"][fg]
        a_org = np.array(self.plants)[self.item_plant[a_item]]
        a_dst = np.array(self.dcs)[o["dc"][fg]]
        a_day = o["day"][fg]
        a_eta = a_day + o["planned"][fg].astype(int)
        a_act = a_day + o["lt"][fg]
        a_mode = o["mode"][fg]
        a_car = o["carrier"][fg]
        a_q = o["qty"][fg]
        # DC -> store (shipped quantities, after DC shortages)
        ss = self.store_ship
        keep = ss["qty"] > 0
        s = ss["s"][keep]
        b_item = self.s_item[s]
        b_dst = self.s_loc[s]
        b_org = np.array(self.dcs)[self.dc_of[b_dst]]
        b_day = ss["t"][keep]
        b_q = ss["qty"][keep]
        # each store has one road lane from its DC: look its lead time and carrier up per store
        n_loc = len(self.locs)
        st_lt = np.zeros(n_loc)
        st_car = np.empty(n_loc, dtype=object)
        st_rel = np.ones(n_loc)
        for i in self.stores:
            key = (self.dcs[self.dc_of[i]], i, "road")
            st_lt[i] = self.lane_rows[self.lane_index[key]][5]
            st_car[i], st_rel[i] = self.lane_carrier[key]
        lane_lt = st_lt[b_dst]
        b_car = st_car[b_dst]
        b_rel = st_rel[b_dst]
        b_eta = b_day + lane_lt.astype(int)
        b_act = np.maximum(b_day + 1, b_eta + _draw_delays(rng, len(b_day), b_rel, 1.0).astype(int))
        # next week's planned deliveries to every store (no arrival yet)
        last_week = b_day >= T - 7
        c_item, c_dst, c_org = b_item[last_week], b_dst[last_week], b_org[last_week]
        c_day = b_day[last_week] + 7
        c_eta = b_eta[last_week] + 7
        c_q, c_car = b_q[last_week], b_car[last_week]
        item = np.concatenate([a_item, b_item, c_item])
        org = np.concatenate([a_org, b_org, c_org])
        dst = np.concatenate([a_dst, b_dst, c_dst])
        day = np.concatenate([a_day, b_day, c_day])
        eta = np.concatenate([a_eta, b_eta, c_eta])
        act = np.concatenate([a_act, b_act, np.full(len(c_day), 10**6)])
        mode = np.concatenate([a_mode, np.full(len(b_day) + len(c_day), "road", dtype=object)])
        carrier = np.concatenate([a_car, b_car, c_car])
        qty = np.concatenate([a_q, b_q, c_q])
        arrived = act <= T - 1
        status = np.where(day > T - 1, "planned", np.where(arrived, "delivered",
                          np.where(eta < T - 1, "delayed", "in_transit"))).astype(object)
        df = pd.DataFrame({"day": day, "org": org, "dst": dst, "mode": mode, "item": item})
        df = df.sort_values(["day", "org", "dst", "mode", "item"], kind="stable")
        grp = df.groupby(["day", "org", "dst", "mode"], sort=False).ngroup().to_numpy()
        sid_sorted = self._doc_ids("SHP", df["day"].to_numpy(), grp + 1, 7)
        sid = np.empty(len(df), dtype=object)
        sid[df.index.to_numpy()] = sid_sorted
        self.out["shipments"] = dict(
            shipment_id=sid, item_code=self.item_code[item], origin_code=self.loc_code[org],
            destination_code=self.loc_code[dst], mode=mode, carrier=carrier, qty=qty,
            ship_date=self.dates(day), eta=self.dates(eta),
            actual_arrival=np.where(arrived, self.dates(np.minimum(act, T - 1)),
                                    np.datetime64("NaT")),
            status=status,
        )

    # ================================================================== sales orders

    def sales_orders(self) -> None:
        """Order lines behind the online, B2B and distributor demand (an order per customer-day)."""
        rng = self.rng(9)
        T = self.T
        cust = np.flatnonzero(np.isin(self.s_ch, [ONLINE, B2B, DISTRIBUTOR]))
        Qc = self.Qd[cust]
        r_i, d_i = np.nonzero(Qc > 0)
        s = cust[r_i]
        loc = self.s_loc[s]
        ch = self.s_ch[s]
        item = self.s_item[s]
        qty = Qc[r_i, d_i].astype(float)
        # unit price: that day's demand price
        price = self._demand_price(s, d_i)
        df = pd.DataFrame({"loc": loc, "day": d_i, "item": item})
        df = df.sort_values(["day", "loc", "item"], kind="stable")
        grp = df.groupby(["day", "loc"], sort=False).ngroup().to_numpy()
        so_sorted = self._doc_ids("SO", df["day"].to_numpy(), grp + 1, 7)
        line_sorted = pd.Series(grp).groupby(grp).cumcount().to_numpy() + 1
        n = len(df)
        so = np.empty(n, dtype=object)
        line = np.empty(n, dtype=np.int64)
        so[df.index.to_numpy()] = so_sorted
        line[df.index.to_numpy()] = line_sorted
        lead = np.where(ch == ONLINE, rng.integers(1, 4, n),
                        np.where(ch == B2B, rng.integers(7, 22, n), rng.integers(3, 8, n)))
        age = T - 1 - d_i
        u = rng.random(n)
        status = np.where(age < 2, "open",
                          np.where(age < 14, np.where(u < 0.6, "shipped", "invoiced"),
                          np.where(u < 0.01, "cancelled", np.where(u < 0.03, "returned",
                                   np.where(u < 0.08, "shipped", "invoiced"))))).astype(object)
        chan = np.array(CHANNEL_NAMES, dtype=object)[ch]
        self.out["sales_orders"] = dict(
            order_number=so, line_no=line, item_code=self.item_code[item],
            location_code=self.loc_code[np.array(self.dcs)[self.dc_of[loc]]],
            customer_code=self.loc_code[loc], order_date=self.dates(d_i),
            requested_date=self.dates(d_i + lead), qty=qty, unit_price=price, channel=chan,
            status=status,
        )

    def _demand_price(self, s: np.ndarray, d: np.ndarray) -> np.ndarray:
        """The demand row's price of series ``s`` on day ``d`` (demand rows are row-major)."""
        si, ti = np.nonzero(self.valid)
        allkey = si.astype(np.int64) * self.T + ti
        pos = np.searchsorted(allkey, s.astype(np.int64) * self.T + d)
        return self.out["demand"]["price"][pos]

    # ================================================================== sensors

    def sensors(self) -> None:
        """DC climate, line vibration, truck GPS and RFID gate counts, with loss and anomalies."""
        rng = self.rng(10)
        cfg, T = self.cfg, self.T
        step = cfg.sensor_minutes
        per_day = 1440 // step
        w0 = T - cfg.sensor_days
        n_msg = cfg.sensor_days * per_day
        t0 = np.datetime64(self.date_of(w0), "m")
        ts_all = t0 + (np.arange(n_msg) * step).astype("timedelta64[m]")
        minute = (np.arange(n_msg) * step) % 1440
        hour = minute / 60.0
        dayi = w0 + (np.arange(n_msg) * step) // 1440
        doy = np.array([self.date_of(int(x)).timetuple().tm_yday for x in range(w0, T)])[dayi - w0]
        sensors: list[dict[str,
                           Any]] = []   # sensor_id, metrics, values (M × n), ts, loc, res, units
        anomalies: list[dict[str, Any]] = []

        def ar1(n_rows: int, n: int, phi: float, sd: float) -> np.ndarray:
            from scipy.signal import lfilter
            e = rng.normal(0, sd * math.sqrt(1 - phi**2), (n_rows, n))
            return lfilter([1.0], [1.0, -phi], e, axis=1)

        # --- DC climate: temperature and humidity in one message
        k_sensor = 0
        for k, dc in enumerate(self.dcs):
            for j in range(cfg.climate_per_dc):
                sid = f"ENV-{self.loc_code[dc][3:]}-{j + 1:02d}"
                north = self.locs[dc]["lat"] > 35
                season = (1.2 if north else 1.8) * np.sin(2 * np.pi * (doy - 110) / 365.25)
                temp = (21 + rng.uniform(-1.5, 1.5) + season
                        + 0.6 * np.sin(2 * np.pi * (hour - 9) / 24) + ar1(1, n_msg, 0.97, 0.35)[0])
                hum = (52 + rng.uniform(-6, 6) + 6 * np.sin(2 * np.pi * (doy - 200) / 365.25)
                       - 3 * np.sin(2 * np.pi * (hour - 9) / 24) + ar1(1, n_msg, 0.95, 1.5)[0])
                vals = np.vstack([temp, hum])
                protect = np.zeros(n_msg, dtype=bool)
                kinds = ["spike"] + (["hvac_failure"] if k_sensor % 2 == 0 else ["stuck"])
                if k_sensor == 1:
                    kinds.append("hvac_failure")
                for kind in kinds:
                    if kind == "hvac_failure":
                        dur = int(rng.integers(3, 9) * 60 // step)
                        a = int(rng.integers(per_day, n_msg - dur - 1))
                        mag = rng.uniform(7, 12)
                        x = np.arange(dur) / max(dur - 1, 1)
                        shape = np.clip(np.minimum(x / 0.4, (1 - x) / 0.25), 0, 1)
                        vals[0, a:a + dur] += mag * shape
                        vals[1, a:a + dur] += 0.8 * mag * shape
                        anomalies.append(dict(sensor_id=sid, metric="temperature", start=ts_all[a],
                                              end=ts_all[a + dur - 1], kind="hvac_failure",
                                              magnitude=round(mag, 2)))
                    elif kind == "stuck":
                        m = int(rng.integers(0, 2))
                        dur = int(rng.integers(6, 19) * 60 // step)
                        a = int(rng.integers(per_day, n_msg - dur - 1))
                        vals[m, a:a + dur] = vals[m, a]
                        anomalies.append(dict(sensor_id=sid, metric=("temperature", "humidity")[m],
                                              start=ts_all[a],
                                              end=ts_all[a + dur - 1], kind="stuck", magnitude=0.0))
                    else:
                        for _ in range(int(rng.integers(1, 3))):
                            m = int(rng.integers(0, 2))
                            a = int(rng.integers(per_day, n_msg - per_day))
                            if m == 0:
                                mag = float(rng.choice([-1, 1]) * rng.uniform(8, 12))
                            else:
                                mag = float(rng.uniform(25, 35))
                            vals[m, a] += mag
                            protect[a] = True
                            anomalies.append(dict(sensor_id=sid,
                                                  metric=("temperature", "humidity")[m],
                                                  start=ts_all[a],
                                                  end=ts_all[a], kind="spike",
                                                  magnitude=round(mag, 2)))
                vals[0] = np.round(vals[0], 1)
                vals[1] = np.round(np.clip(vals[1], 5, 99), 1)
                sensors.append(dict(sid=sid, metrics=("temperature", "humidity"),
                                    units=("degC", "%"), vals=vals,
                                    idx=np.arange(n_msg), loc=dc, res=None, protect=protect))
                k_sensor += 1
        # --- line vibration: high while running, ramps up before a breakdown
        cal = self.hours[:, w0:T]
        for r in range(len(self.res_code)):
            sid = f"VIB-{self.res_code[r]}"
            h = cal[r, dayi - w0]
            begin = (24 - h) / 2
            running = (hour >= begin) & (hour < begin + h) & (h > 0)
            base = rng.uniform(1.6, 2.6)
            v = np.where(running, base * rng.lognormal(0, 0.08, n_msg),
                         0.15 * rng.lognormal(0, 0.3, n_msg))
            protect = np.zeros(n_msg, dtype=bool)
            for rr, b, ramp in self.breakdowns:
                if rr != r:
                    continue
                a = (b - ramp - w0) * per_day
                e = (b - w0) * per_day  # failure at midnight of the breakdown day
                x = np.arange(e - a) / max(e - a, 1)
                v[a:e] = np.where(running[a:e], v[a:e] * (1 + 3.2 * x**2), v[a:e])
                anomalies.append(dict(sensor_id=sid, metric="vibration", start=ts_all[a],
                                      end=ts_all[e - 1],
                                      kind="vibration_ramp", magnitude=round(base * 4.2, 2)))
            if r % 2 == 0:
                run_idx = np.flatnonzero(running)
                a = int(run_idx[rng.integers(len(run_idx) // 4, len(run_idx) * 3 // 4)])
                mag = base * rng.uniform(4, 6)
                v[a] += mag
                protect[a] = True
                anomalies.append(dict(sensor_id=sid, metric="vibration", start=ts_all[a],
                                      end=ts_all[a],
                                      kind="spike", magnitude=round(mag, 2)))
            sensors.append(dict(sid=sid, metrics=("vibration",), units=("mm/s",),
                                vals=np.round(v, 2)[None, :],
                                idx=np.arange(n_msg), loc=self.plants[self.res_plant[r]], res=r,
                                protect=protect))
        # --- trucks: a delivery run a day (Mon–Sat, 08:00–18:00, every 5 minutes)
        td = min(cfg.truck_days, cfg.sensor_days)
        tmins = np.arange(8 * 60, 18 * 60 + 1, 5)
        for k, dc in enumerate(self.dcs):
            served = [i for i in self.stores if self.dc_of[i] == k]
            dist = _haversine_km(self.loc_lat[dc], self.loc_lon[dc], self.loc_lat[served],
                                 self.loc_lon[served])
            near = [s for s, dd in zip(served, dist, strict=True) if dd < 400]
            near = near or [served[int(np.argmin(dist))]]
            for j in range(cfg.trucks_per_dc):
                sid = f"TRK-{self.loc_code[dc][3:]}-{j + 1:02d}"
                days = [d for d in range(T - td, T) if (self.start.weekday() + d) % 7 != 6]
                lat, lon, tss = [], [], []
                for d in days:
                    dest = near[int(rng.integers(len(near)))]
                    x = (tmins - tmins[0]) / (tmins[-1] - tmins[0])
                    g = np.clip(np.where(x < 0.45, x / 0.45,
                                         np.where(x < 0.55, 1.0, (1 - x) / 0.45)), 0, 1)
                    bend = 0.03 * np.sin(np.pi * g)
                    la = self.loc_lat[dc] + (self.loc_lat[dest] - self.loc_lat[dc]) * g + bend
                    lo = self.loc_lon[dc] + (self.loc_lon[dest] - self.loc_lon[dc]) * g - bend
                    lat.append(la + rng.normal(0, 0.00015, len(g)))
                    lon.append(lo + rng.normal(0, 0.00015, len(g)))
                    tss.append(np.datetime64(self.date_of(d), "m") + tmins.astype("timedelta64[m]"))
                vals = np.vstack([np.concatenate(lat), np.concatenate(lon)])
                ts = np.concatenate(tss)
                n = vals.shape[1]
                protect = np.zeros(n, dtype=bool)
                a = int(rng.integers(n // 4, 3 * n // 4))
                mag = float(rng.choice([-1, 1]) * rng.uniform(0.3, 0.8))
                vals[0, a] += mag
                protect[a] = True
                anomalies.append(dict(sensor_id=sid, metric="lat", start=ts[a], end=ts[a],
                                      kind="spike",
                                      magnitude=round(mag, 3)))
                if j % 2 == 0:
                    dur = int(rng.integers(9, 19))
                    a = int(rng.integers(n // 4, 3 * n // 4))
                    vals[:, a:a + dur] = vals[:, a:a + 1]
                    for m in ("lat", "lon"):
                        anomalies.append(dict(sensor_id=sid, metric=m, start=ts[a],
                                              end=ts[a + dur - 1],
                                              kind="stuck", magnitude=0.0))
                sensors.append(dict(sid=sid, metrics=("lat", "lon"), units=("deg", "deg"),
                                    vals=np.round(vals, 6),
                                    ts=ts, loc=dc, res=None, protect=protect))
        # --- RFID gate counts per hour
        hrs = np.arange(cfg.sensor_days * 24)
        hod = hrs % 24
        hday = w0 + hrs // 24
        hdow = (self.start.weekday() + hday) % 7
        gts = np.datetime64(self.date_of(w0), "h") + hrs.astype("timedelta64[h]")
        profile = np.where((hod >= 7) & (hod < 22), 1.0 + 0.5 * np.sin(np.pi * (hod - 7) / 15),
                           0.08)
        profile = profile * np.where(hdow == 6, 0.5, 1.0)
        for k, dc in enumerate(self.dcs):
            for j in range(cfg.gates_per_dc):
                sid = f"GATE-{self.loc_code[dc][3:]}-{j + 1:02d}"
                lam = rng.uniform(40, 120) * profile
                v = rng.poisson(lam).astype(float)
                protect = np.zeros(len(v), dtype=bool)
                work = np.flatnonzero((hod >= 9) & (hod < 18) & (hdow < 6))
                a = int(work[rng.integers(len(work) // 4, 3 * len(work) // 4)])
                v[a] = v[a] * 3 + 150
                protect[a] = True
                anomalies.append(dict(sensor_id=sid, metric="gate_count",
                                      start=gts[a].astype("datetime64[m]"),
                                      end=gts[a].astype("datetime64[m]"), kind="spike",
                                      magnitude=float(v[a])))
                if j == 0:
                    a = int(work[rng.integers(len(work) // 4, 3 * len(work) // 4)])
                    dur = int(rng.integers(3, 7))
                    v[a:a + dur] = 0.0
                    anomalies.append(dict(sensor_id=sid, metric="gate_count",
                                          start=gts[a].astype("datetime64[m]"),
                                          end=gts[a + dur - 1].astype("datetime64[m]"),
                                          kind="stuck", magnitude=0.0))
                sensors.append(dict(sid=sid, metrics=("gate_count",), units=("count",),
                                    vals=v[None, :],
                                    ts=gts.astype("datetime64[m]"), loc=dc, res=None,
                                    protect=protect))
        # --- loss: dropped messages (iid and gateway outages); seq numbers keep counting
        cols: dict[str,
                   list[np.ndarray]] = {c: [] for c in ("sensor_id", "metric", "ts", "value",
                                                        "unit", "seq", "location_code",
                                                        "resource_code")}
        loss_rows = []
        for s in sensors:
            ts = s.get("ts")
            if ts is None:
                ts = ts_all[s["idx"]]
            n = s["vals"].shape[1]
            p = float(np.round(rng.uniform(0.01, 0.08), 4))
            drop = rng.random(n) < p
            bursts = 0
            if rng.random() < 0.3:
                span_h = int((ts[-1] - ts[0]).astype("timedelta64[h]").astype(int)) + 1
                dur = max(2, int(rng.integers(2, 7) * n / max(1, span_h)))
                a = int(rng.integers(1, max(2, n - dur - 1)))
                drop[a:a + dur] = True
                bursts = 1
            drop[0] = drop[-1] = False
            drop &= ~s["protect"]
            keep = np.flatnonzero(~drop)
            seq0 = int(rng.integers(1, 5000))
            for m, (metric, unit) in enumerate(zip(s["metrics"], s["units"], strict=True)):
                cols["sensor_id"].append(np.full(len(keep), s["sid"], dtype=object))
                cols["metric"].append(np.full(len(keep), metric, dtype=object))
                cols["ts"].append(ts[keep].astype("datetime64[ns]"))
                cols["value"].append(s["vals"][m, keep].astype(float))
                cols["unit"].append(np.full(len(keep), unit, dtype=object))
                cols["seq"].append((seq0 + keep).astype(np.int64))
                cols["location_code"].append(np.full(len(keep), self.loc_code[s["loc"]],
                                                     dtype=object))
                res_code = None if s["res"] is None else self.res_code[s["res"]]
                cols["resource_code"].append(np.full(len(keep), res_code, dtype=object))
            loss_rows.append(dict(sensor_id=s["sid"], metrics=",".join(s["metrics"]),
                                  loss_rate=float(drop.mean()),
                                  p_config=p, n_sent=n, n_received=len(keep), burst_outages=bursts))
        self.out["sensor_readings"] = {c: np.concatenate(v) for c, v in cols.items()}
        an = pd.DataFrame(anomalies)
        an["start"] = pd.to_datetime(an["start"])
        an["end"] = pd.to_datetime(an["end"])
        loc_of = {s["sid"]: self.loc_code[s["loc"]] for s in sensors}
        an.insert(2, "location_code", an["sensor_id"].map(loc_of))
        self.truth["sensor_anomalies"] = an.sort_values(["sensor_id",
                                                         "start"]).reset_index(drop=True)
        self.truth["sensor_loss"] = pd.DataFrame(loss_rows)


def _draw_delays(rng: np.random.Generator, shape: Any, reliability: Any, std: Any) -> np.ndarray:
    """Days late against plan: on time (± a little) with probability ``reliability``, else late."""
    shape = shape if isinstance(shape, tuple) else (int(shape),)
    rel = np.broadcast_to(np.asarray(reliability, dtype=float), shape)
    sd = np.broadcast_to(np.asarray(std, dtype=float), shape)
    late = rng.random(shape) >= rel
    on_time = np.clip(np.round(rng.normal(0, 0.25, shape) * sd), -2, 2)
    lateness = 1 + np.round(rng.gamma(2.0, np.maximum(sd, 0.5) / 1.5))
    return np.where(late, lateness, on_time)


def generate_electronics(
    scale: Literal["small", "medium", "large"] = "small",
    seed: int = 0,
    end: date = DEFAULT_END,
    years: float = 2.0,
    progress: Progress | None = None,
    tables: Iterable[str] | None = None,
) -> SampleData:
    """A realistic data set of an electronics maker in China, with its ground truth.

    Parameters
    ----------
    scale
        ``small`` (~14 finished goods, ~100 items, ~170k demand rows, seconds), ``medium``
        (~60 finished goods, ~400 items, ~55 locations) or ``large`` (>1,000 items, >150
        locations, >300 finished goods with demand; write it as parquet).
    seed
        Seed of the random generators: the same seed gives identical frames.
    end
        Last day of the history (must be in the past for the data to import).
    years
        Length of the daily history.
    progress
        Called as ``progress(stage, percent)`` when a stage completes.
    tables
        Entities to generate (default: all). Master data alone (items, locations, BOM,
        suppliers, lanes, resources, calendar) skips the demand and flow simulation.
    """
    return _Generator(scale, seed, end, years, progress).run(tables)
