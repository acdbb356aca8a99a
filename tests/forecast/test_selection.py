"""Per-series model choice and inverse-error ensembles from cross-validation output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplypilot.errors import InputError
from supplypilot.forecast import Forecaster, select_models
from supplypilot.forecast.models.statistical import Naive, SeasonalNaive


@pytest.fixture
def train() -> pd.DataFrame:
    """Two series whose in-sample one-step naive error is exactly 1 (MASE scale 1)."""
    return pd.DataFrame({"unique_id": ["s1"] * 4 + ["s2"] * 4, "ds": [0, 1, 2, 3] * 2,
                         "y": [0.0, 1.0, 2.0, 3.0] * 2})


@pytest.fixture
def future() -> pd.DataFrame:
    """Forecasts of A and B for one more step."""
    return pd.DataFrame({"unique_id": ["s1", "s2"], "ds": [6, 6], "A": [10.0, 20.0],
                         "B": [14.0, 24.0]})


@pytest.fixture
def cv() -> pd.DataFrame:
    """One window: A is perfect on s1 (MASE 0); on s2 A has MASE 3 and B MASE 1."""
    return pd.DataFrame({"unique_id": ["s1", "s1", "s2", "s2"], "ds": [4, 5, 4, 5],
                         "cutoff": [3, 3, 3, 3], "y": [4.0, 5.0, 4.0, 5.0],
                         "A": [4.0, 5.0, 7.0, 8.0], "B": [5.0, 6.0, 5.0, 6.0]})


def test_lowest_score_is_chosen_per_series(cv: pd.DataFrame, train: pd.DataFrame) -> None:
    """A wins s1, B wins s2."""
    sel = select_models(cv, train)
    assert sel.chosen.set_index("unique_id")["model"].to_dict() == {"s1": "A", "s2": "B"}


def test_weights_are_inverse_scores(cv: pd.DataFrame, train: pd.DataFrame) -> None:
    """Scores 3 and 1 give weights 1/4 and 3/4; a perfect model takes all the weight."""
    w = select_models(cv, train).weights.set_index(["unique_id", "model"])["weight"]
    assert w[("s2", "A")] == pytest.approx(0.25)
    assert w[("s2", "B")] == pytest.approx(0.75)
    assert (w[("s1", "A")], w[("s1", "B")]) == (1.0, 0.0)


def test_report_says_what_and_why(cv: pd.DataFrame, train: pd.DataFrame) -> None:
    """The report's sentence names the pick, its score, the windows and the runner-up."""
    rep = select_models(cv, train).report().set_index("unique_id")
    assert rep.loc["s2", "reason"] == ("B chosen for s2: lowest MASE 1.00 over 1 window vs A 3.00. "
                                       "Ensemble weights (1/MASE): B 0.75, A 0.25.")


def test_apply_adds_best_and_ensemble(cv: pd.DataFrame, train: pd.DataFrame,
                                      future: pd.DataFrame) -> None:
    """Best copies the chosen model; Ensemble is the weighted mean of the members."""
    out = select_models(cv, train).apply(future)
    assert out["Best"].tolist() == [10.0, 24.0]
    assert out["Ensemble"].tolist() == pytest.approx([10.0, 0.25 * 20 + 0.75 * 24])


def test_top_k_one_makes_the_ensemble_the_pick(cv: pd.DataFrame, train: pd.DataFrame,
                                               future: pd.DataFrame) -> None:
    """With top_k=1 the ensemble holds only the best model."""
    out = select_models(cv, train, top_k=1).apply(future)
    np.testing.assert_allclose(out["Ensemble"], out["Best"])


def test_unknown_metric_is_refused(cv: pd.DataFrame, train: pd.DataFrame) -> None:
    """Only lower-is-better point measures can select."""
    with pytest.raises(InputError, match="'metric' parameter of select_models"):
        select_models(cv, train, metric="coverage")


def test_seasonal_data_selects_the_seasonal_model(panel: pd.DataFrame) -> None:
    """On weekly-seasonal daily data, rolling-origin CV prefers SeasonalNaive(7) to Naive."""
    fc = Forecaster([Naive(), SeasonalNaive(7)], freq="D")
    cv = fc.cross_validation(7, panel, n_windows=3, step_size=7)
    sel = select_models(cv, panel)
    assert set(sel.chosen["model"]) == {"SeasonalNaive"}
    assert sel.chosen["n_windows"].eq(3).all()
    assert str(sel) == "Selection by MASE over 3 series: SeasonalNaive 3."
