"""Save a fitted Chinchilla to one file and load it back, predicting identically.

The file is a ``torch.save`` archive that holds only tensors, strings and numbers, so it loads
with ``torch.load(weights_only=True)`` — no pickled Python objects, nothing executed on load.
Next to the weights it carries what is needed to trust and reproduce the model: the SHA-256
of the training data, every constructor parameter, the sizing (``N``, ``D``, ``C``), training
metrics, conformal scores and the library versions. :func:`read_metadata` returns that
metadata without building the network.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from supplypilot.errors import InputError
from supplypilot.forecast.models.base import DS, ID
from supplypilot.forecast.models.chinchilla._panel import Panel
from supplypilot.forecast.models.chinchilla.sizing import SizingReport

FORMAT = "supplypilot.chinchilla/1"


def _versions() -> dict[str, str]:
    import supplypilot

    return {"supplypilot": supplypilot.__version__, "torch": torch.__version__,
            "numpy": np.__version__, "pandas": pd.__version__, "python": platform.python_version()}


def metadata(model: Any) -> dict[str, Any]:
    """The JSON-able description stored with the weights."""
    return {
        "format": FORMAT,
        "class": type(model).__name__,
        "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in model.get_params().items()},
        "freq": model.freq_,
        "data_hash": model.data_hash_,
        "n_params": model.n_params_,
        "n_tokens": model.n_tokens_,
        "compute_flops": model.compute_flops_,
        "sizing": model.sizing_.as_dict(),
        "metrics": model.metrics_,
        "closed_days": [str(d.date()) for d in model.closed_days_],
        "versions": _versions(),
    }


def save(model: Any, path: str | Path) -> Path:
    """Write ``model`` to ``path`` (parent folders are created); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    panel: Panel = model.panel_
    hist = model.history_
    value_cols = [c for c in hist.columns if c not in (ID, DS)]
    conformal = {f"{t}|{k}": torch.as_tensor(np.asarray(v, dtype=np.float32))
                 for t, d in model.conformal_.items() for k, v in d.items()}
    blob = {
        "metadata": json.dumps(metadata(model), default=str),
        "state_dict": model.net_.state_dict(),
        "panel": {
            "ids": json.dumps(panel.ids),
            "first": str(panel.dates[0]),
            "length": len(panel.dates),
            "values": torch.as_tensor(panel.values),
            "exog": torch.as_tensor(panel.exog),
            "start": torch.as_tensor(panel.start),
            "end": torch.as_tensor(panel.end),
            "pad": panel.pad,
        },
        "scale": torch.as_tensor(model.scale_),
        "nonnegative": torch.as_tensor(np.asarray(model.nonnegative_, dtype=bool)),
        "conformal": conformal,
        "history": {
            "ids": json.dumps(hist[ID].astype(str).tolist()),
            "ds": torch.as_tensor(hist[DS].to_numpy(dtype="datetime64[ns]").astype(np.int64)),
            "columns": json.dumps(value_cols),
            "values": torch.as_tensor(hist[value_cols].to_numpy(dtype=float)),
        },
    }
    torch.save(blob, path)
    return path


def read_metadata(path: str | Path) -> dict[str, Any]:
    """The metadata of a saved model (data hash, parameters, N/D/C, metrics, versions)."""
    return json.loads(_read(path)["metadata"])


def _read(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise InputError("Saved Chinchilla model not found.", where=str(path))
    try:
        blob = torch.load(path, weights_only=True)
    except Exception as err:  # torch raises many types for a foreign or damaged file
        raise InputError(f"Not a saved Chinchilla model: {err}", where=str(path)) from err
    meta = json.loads(blob.get("metadata", "{}"))
    if meta.get("format") != FORMAT:
        raise InputError(f"Not a saved Chinchilla model (format {meta.get('format')!r}, expected "
                         f"{FORMAT!r}).", where=str(path))
    return blob


def load(path: str | Path) -> Any:
    """Rebuild the model written by :func:`save`."""
    from supplypilot.forecast.models.chinchilla.model import Chinchilla

    blob = _read(path)
    meta = json.loads(blob["metadata"])
    model = Chinchilla(**meta["params"])
    p = model._check_params()
    model.params_ = p
    model.freq_ = meta["freq"]
    model.data_hash_ = meta["data_hash"]
    model.n_params_ = meta["n_params"]
    model.n_tokens_ = meta["n_tokens"]
    model.compute_flops_ = meta["compute_flops"]
    sizing = dict(meta["sizing"])
    sizing.pop("tokens_per_param", None)
    sizing["fixed"] = tuple(sizing.get("fixed", ()))
    model.sizing_ = SizingReport(**sizing)
    model.metrics_ = meta["metrics"]
    model.val_metrics_ = meta["metrics"].get("val", {})
    model.closed_days_ = [pd.Timestamp(d) for d in meta["closed_days"]]
    pz = blob["panel"]
    dates = pd.date_range(pd.Timestamp(pz["first"]), periods=int(pz["length"]), freq=meta["freq"])
    model.panel_ = Panel(ids=json.loads(pz["ids"]), dates=dates, values=pz["values"].numpy(),
                         exog=pz["exog"].numpy(), start=pz["start"].numpy(), end=pz["end"].numpy(),
                         pad=int(pz["pad"]), freq=meta["freq"])
    model.scale_ = blob["scale"].numpy()
    model.nonnegative_ = blob["nonnegative"].numpy()
    model.conformal_ = {}
    for key, t in blob["conformal"].items():
        target, kind = key.split("|", 1)
        model.conformal_.setdefault(target, {})[kind] = t.numpy()
    hz = blob["history"]
    cols = json.loads(hz["columns"])
    hist = pd.DataFrame(hz["values"].numpy(), columns=cols)
    hist.insert(0, DS, pd.to_datetime(hz["ds"].numpy()))
    hist.insert(0, ID, json.loads(hz["ids"]))
    model.history_ = hist
    model.net_ = model._build(p)
    model.net_.load_state_dict(blob["state_dict"])
    model.net_.eval()
    return model
