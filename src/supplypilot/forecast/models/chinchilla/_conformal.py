"""Split conformal calibration of forecast intervals on the validation window.

The validation windows are never trained on (when ``refit=False``) or were held out when the
early-stopped model was chosen, so their errors are honest out-of-sample errors. Each error is
divided by its window's scale, which makes errors of big and small series comparable and lets
one set of scores serve every series. For a level ``l`` the interval half-width is the
``⌈(n+1)·l/100⌉``-th smallest score (Vovk et al.; Lei et al. 2018), which guarantees coverage
of at least ``l`` % when future errors are exchangeable with the validation errors.

Two kinds of scores are kept per target:

* ``abs``: ``|y − ŷ| / scale`` around the point forecast (any level);
* ``cqr`` per quantile pair ``(q, 1 − q)``: ``max(lo − y, y − hi) / scale`` (conformalised
  quantile regression, Romano et al. 2019), which keeps the learned, possibly asymmetric,
  shape of the quantile heads and only widens or narrows it.
"""

from __future__ import annotations

import math

import numpy as np


def conformal_quantile(scores: np.ndarray, level: float) -> float:
    """The finite-sample corrected ``level`` % quantile of ``scores`` (``inf`` if too few)."""
    s = np.sort(np.asarray(scores, dtype=float))
    n = len(s)
    if n == 0:
        return math.inf
    k = math.ceil((n + 1) * level / 100.0)
    if k > n:
        return math.inf
    return float(s[k - 1])


def pair_key(q_lo: float) -> str:
    """Name of the quantile pair ``(q, 1 − q)`` in the stored scores."""
    return f"{round(q_lo, 6):g}"


def level_quantiles(level: float) -> tuple[float, float]:
    """The quantiles an interval of ``level`` % spans: ``(α/2, 1 − α/2)``."""
    alpha = 1 - level / 100.0
    return alpha / 2, 1 - alpha / 2
