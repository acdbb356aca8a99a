"""The seed documents' two entry points: load a CSV of supply chain records, make features.

``load_supply_chain_data(path)`` reads a file with the same safe readers as the importer
(encoding detection, clear errors) and types its columns; ``preprocess_data(df)`` cleans,
encodes and scales it into an all-numeric frame a model can take. The fitted scikit-learn
transformer is kept in ``result.attrs["preprocessor"]`` so new data is transformed the same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from supplypilot.data.readers import read_source
from supplypilot.errors import InputError

MAX_ONE_HOT = 30
"""Categoricals with more levels than this get ordinal codes instead of one-hot columns."""


def load_supply_chain_data(path: str | Path) -> pd.DataFrame:
    """Read supply chain records (CSV, Parquet, Excel, JSON lines) with typed columns.

    Columns whose name mentions a date or time become datetimes; columns that are numbers in
    at least 95 % of their non-empty cells become numbers (the rest NaN).
    """
    src = read_source(path)
    df = src.frame.copy()
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
            continue
        name = str(col).lower()
        if any(k in name for k in ("date", "time", "ds", "日期", "时间")):
            parsed = pd.to_datetime(s, errors="coerce", format="mixed")
            if parsed.notna().mean() >= 0.95 * s.notna().mean():
                df[col] = parsed
                continue
        num = pd.to_numeric(s.astype("string").str.replace(",", "", regex=False), errors="coerce")
        present = s.notna().sum()
        if present and num.notna().sum() >= 0.95 * present:
            df[col] = num.astype("float64")
    df.attrs["source"] = src.name
    df.attrs["encoding"] = src.encoding
    return df


def preprocess_data(df: pd.DataFrame, target: str | None = None) -> pd.DataFrame:
    """Clean, encode and scale ``df`` into model-ready numeric features.

    Duplicate rows are dropped; dates become calendar features (day of week, month, day of
    year, weekend); numbers are median-imputed and standardised; categories are one-hot
    encoded (ordinal codes beyond ``MAX_ONE_HOT`` levels). ``target`` is kept unscaled.
    """
    if not isinstance(df, pd.DataFrame) or df.empty:
        raise InputError("preprocess_data needs a non-empty DataFrame", "df")
    if target is not None and target not in df.columns:
        raise InputError(f"target column {target!r} not in the data; columns: {list(df.columns)}", "target")
    data = df.drop_duplicates().reset_index(drop=True)
    y = data.pop(target) if target else None
    for col in list(data.columns):
        if pd.api.types.is_datetime64_any_dtype(data[col]):
            d = data.pop(col)
            data[f"{col}_dow"] = d.dt.dayofweek.astype(float)
            data[f"{col}_month"] = d.dt.month.astype(float)
            data[f"{col}_doy"] = d.dt.dayofyear.astype(float)
            data[f"{col}_weekend"] = (d.dt.dayofweek >= 5).astype(float)
    numeric = [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c])]
    categorical = [c for c in data.columns if c not in numeric]
    few = [c for c in categorical if data[c].nunique() <= MAX_ONE_HOT]
    many = [c for c in categorical if c not in few]
    for c in categorical:
        data[c] = data[c].astype("string").fillna("(missing)").astype(object)
    data[numeric] = data[numeric].astype(float)
    steps = [("num", make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler()), numeric)]
    if few:
        steps.append(("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False), few))
    if many:
        steps.append(("ordinal", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), many))
    ct = ColumnTransformer(steps, verbose_feature_names_out=False)
    arr = ct.fit_transform(data)
    out = pd.DataFrame(np.asarray(arr, dtype=float), columns=ct.get_feature_names_out())
    if y is not None:
        out[target] = y.to_numpy()
    out.attrs["preprocessor"] = ct
    return out
