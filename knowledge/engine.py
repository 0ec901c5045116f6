"""In-memory similar-question search: BM25 on words and character n-grams, reranked
with rapidfuzz, optionally fused with sentence embeddings.

Why this design:

* **Two BM25 fields, fused.** Word BM25 is precise but blind to typos, inflection and
  unsegmented scripts (Thai); character n-gram BM25 is robust to all three but noisier.
  On the shared benchmark data neither alone is best, so every document is indexed in
  both and the normalised scores are mixed.
* **rapidfuzz rerank.** The top lexical candidates are re-scored with a fuzzy string
  similarity of the normalised query against the title and aliases, which rewards
  near-verbatim duplicates that BM25 length normalisation under-rates.
* **Scores in [0, 1] that mean the same across queries.** Each BM25 score is divided
  by the query's *self-score* (what a document identical to the query would get), so
  0.9 means "nearly the same text" whatever the query length or vocabulary. That is
  what makes one confidence threshold (:data:`DEFAULT_MIN_SCORE`) usable by the bot.
* **Stop words weigh less in a query** (stopwords-iso lists, ``Tuning.stopword_weight``):
  with thousands of documents IDF already says "my" and "does" are common, but in a new
  knowledge base of a few articles it cannot, and they outweighed the topic's word.
* **A bulk BM25 matrix plus a small delta segment for writes.** The main index is the
  BM25 score matrix bm25s builds (lucene variant, CSC layout; a test checks our
  scores equal bm25s'), assembled with vectorised NumPy because bm25s' own builder
  goes through per-document Python lists and at 100k documents left the process at
  ~590 MB resident against a 400 MB budget (now ~190 MB). Neither supports adding
  documents, and a full rebuild at 100k takes seconds, far over the 50 ms budget of
  one add, so new or replaced documents go into a tiny dictionary-based delta
  segment (scored with the same formula and global statistics) and removed ones are
  tombstoned. When the delta grows past a threshold the main index is rebuilt on a
  background thread from a snapshot and swapped in atomically; writes made meanwhile
  stay in the new delta. Until then main-index IDF values are slightly stale, which
  only matters for terms that became common recently.

* **Titles for autocomplete beside it.** ``title_matches`` answers "titles starting
  with, then containing, this text" from a ``knowledge.titles.TitleIndex`` (sorted
  casefolded titles and n-gram postings) that ``build``/``add``/``remove`` keep in step
  with the live documents, instead of a walk over all of them on every keystroke.

Concurrency contract: ``search`` is synchronous and fast and may be called from an
asyncio event loop; ``build``/``add``/``remove`` must all come from a single task (one
writer), and ``title_matches`` from that task too (``build`` may run on a worker thread:
it swaps in a whole new title index). The only other thread is the background
compaction, which never mutates state a reader holds: it swaps in a complete new state
object under the writer lock, and leaves the title index alone.
"""

from __future__ import annotations

import itertools
import logging
import math
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.normalize import (
    DEFAULT_STEM_LANGUAGES,
    arabic_script_language,
    char_ngrams,
    normalize,
    stem_languages_for,
    stopwords,
    word_tokens,
)
from knowledge.titles import TitleIndex

if TYPE_CHECKING:
    from knowledge.semantic import TextEmbedder

log = logging.getLogger(__name__)

#: Hits scoring below this are "nothing good found". Calibrated with
#: ``bench/search_quality.py --calibrate`` (lexical): 97% of the duplicates the engine
#: ranks first score at least this, while the best hit of 94% of queries with nothing
#: relevant in the index (English originals against other topics' questions, Arabic
#: questions against a Persian index and vice versa) scores below -- near the
#: equal-error point (0.40 would keep 96% and reject 97%; 0.35 is kept because short
#: paraphrases in a small, new knowledge base score lower, see tests/knowledge). With the
#: semantic extra (``--semantic --calibrate``) it keeps 99.7% of the duplicates and
#: rejects 92.5% of those best hits: the multilingual model rightly finds
#: an Arabic and a Persian question on the same topic similar, so part of that "unrelated"
#: set is not; raising the cosine floor to fix it pushed true no-shared-word paraphrases
#: ("lose weight" / "slimming", cosine 0.88) under the threshold.
DEFAULT_MIN_SCORE = 0.35

#: Query characters that are analysed; a longer paste is truncated (a question's gist
#: is at its start, and 100 KB queries must stay fast).
MAX_QUERY_CHARS = 1_000
#: Document body characters that are indexed for words (titles are always indexed).
MAX_BODY_CHARS = 4_000

_K1 = 1.2

_T = TypeVar("_T")

#: How long a rebuild steps aside for running searches before its next document (seconds).
_PAUSE = 0.0005


class _ReaderGate:
    """Lets a rebuild on a worker thread step aside while searches run.

    ``build`` and ``compact`` run on a worker thread while the event loop keeps searching.
    A search releases the GIL inside NumPy calls many times, and every time it wanted it
    back it could wait out the worker's switch interval (5 ms): during a rebuild of 100k
    documents searches took 13 to 127 ms at p99 instead of 3. Yielding the GIL at
    intervals does not fix that (a ``sched_yield`` takes it straight back, and a
    ``sleep(0)`` costs ~75 us of timer slack each time, 30% of a build); pausing the
    rebuild between two documents while a search is running does (p99 5 to 11 ms), and
    costs nothing when none is. ``bench/search_speed.py`` times searches during a rebuild.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._readers = 0
        self._idle = threading.Event()
        self._idle.set()

    def enter(self) -> None:
        with self._lock:
            self._readers += 1
            self._idle.clear()

    def leave(self) -> None:  # (after its enter, always: `search` pairs them)
        with self._lock:
            self._readers -= 1
            if self._readers == 0:
                self._idle.set()

    def paced(self, items: Iterable[_T]) -> Iterator[_T]:
        """``items``, pausing up to ``_PAUSE`` before each one while a search runs, as long
        as the rebuild has paused for less time than it has worked: searches back to back
        can make it take twice as long, not stop it."""
        idle = self._idle
        started = time.perf_counter()
        paused = 0.0
        for item in items:
            if not idle.is_set():
                now = time.perf_counter()
                if 2 * paused < now - started:
                    idle.wait(_PAUSE)
                    paused += time.perf_counter() - now
            yield item


@dataclass(frozen=True)
class Document:
    """A searchable knowledge-base article or previously asked question."""

    id: str
    title: str
    body: str = ""
    kind: str = "article"  # or "question"
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """One search result; ``score`` is in [0, 1], compare it with a threshold."""

    id: str
    score: float
    kind: str
    title: str


@dataclass(frozen=True)
class Tuning:
    """Fusion weights and analyser settings (defaults tuned on the shared data)."""

    word_weight: float = 0.2  # share of word BM25 in the lexical score (rest: char n-grams)
    fuzzy_weight: float = 0.1  # share of rapidfuzz in the final lexical score
    candidates: int = 60  # lexical candidates that get the fuzzy rerank
    ngram_sizes: tuple[int, ...] = (3,)
    ngrams_within_words: bool = True
    ngram_pad: str = "end"  # "end": grams of "word ", a word's end is a feature
    char_body_chars: int = 300  # body characters also indexed as n-grams
    max_df_ratio: float = 0.3  # n-grams in more docs than this are skipped at query time
    semantic_weight: float = 0.7
    title_repeat: int = 1  # title words counted this many times (titles say more than bodies)
    # A query's stop words ("my", "does", "است", "في") and their n-grams count this much.
    # IDF alone weighs them down only where many documents have them: in a new knowledge
    # base of a few articles they weighed as much as the word naming the topic, and
    # "my printer does not print" found nothing. Shared data, lexical, against 1.0:
    # English MAP +1.7, Persian -0.1 and Arabic +0.2 MRR@10, the same way on both halves
    # (--split); 0.8 and up leave that query under the threshold, 0.5 and below cost
    # English and Persian.
    stopword_weight: float = 0.7
    fuzzy_scorer: str = "token_set_ratio"  # any rapidfuzz.fuzz scorer name
    # BM25 length normalisation per field: the word field holds whole bodies, whose
    # length varies far more than the title-sized n-gram field's
    word_b: float = 0.9
    char_b: float = 0.75
    # Queries in Arabic script (Arabic, Persian; see _query_grams for why): a query word's
    # n-grams share its word IDF, idf(word) / grams(word) ** power each, and ...
    gram_weight_power: float = 0.5
    arabic_script_fuzzy_weight: float = 0.05
    # ... an Arabic query leaves out whole words: conjunctions, prepositions, the article
    # and pronouns are glued onto words (وبالكتاب, كتابهم), so whole-word matches are
    # unreliable and the n-grams alone match better; Persian writes them apart
    arabic_word_weight: float = 0.0
    # ... while a Persian query's whole words are its most reliable evidence: Persian
    # writes its particles apart and ParsiNLU's near-duplicates differ by one word, which
    # three-letter n-grams of the rest blur. Lexical Persian MRR@10 at 0.2 (the default
    # share) / 0.35 / 0.5 / 0.65: 70.8 / 71.3 / 71.5 / 71.2, and 0.5 gains on both
    # --split halves (69.3 -> 69.8 and 72.5 -> 73.4)
    persian_word_weight: float = 0.5
    # IDF lent by a query word the index has never seen (a typo, a name, pasted noise):
    # that of a word in this share of documents, not the maximum, or one misspelling
    # would outweigh every correctly spelt word of the query
    unseen_word_df: float = 0.01


# --- analysed documents ---------------------------------------------------------------


@dataclass(slots=True)
class _Entry:
    doc: Document
    seq: int
    match_titles: tuple[str, ...]  # normalised title + aliases, for the fuzzy rerank
    words: Counter[str]  # emptied once the entry is in the main index
    chars: Counter[str]
    word_len: int
    char_len: int
    vector: np.ndarray | None = None


_EMPTY: Counter[str] = Counter()

#: What the main index is built from, one per document: the entry, its word and n-gram
#: counts, and its vector (None without the semantic extra).
_Analysed = tuple[_Entry, Counter[str], Counter[str], np.ndarray | None]


def _idf(df: np.ndarray | float, n_docs: int) -> np.ndarray | float:
    # Lucene's BM25 IDF, the same as bm25s' default "lucene" method: always positive.
    return np.log1p((n_docs - df + 0.5) / (df + 0.5))


def _tf_part(tf: np.ndarray | float, length: np.ndarray | float, avgdl: float, b: float):
    # no (k1 + 1) factor: bm25s leaves it out, and it cancels in the self-score ratio
    return tf / (tf + _K1 * (1 - b + b * length / avgdl))


# --- main segment ---------------------------------------------------------------------


class _FieldBuilder:
    """Collects one field's term counts into flat arrays, one document at a time.

    Flat ``array`` buffers instead of per-document lists keep a 100k-document build
    from leaving hundreds of MB of fragmented small-object memory behind.
    """

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.terms = array("i")
        self.tfs = array("f")
        self.unique = array("i")
        self.lengths = array("f")

    def add(self, counts: Counter[str]) -> None:
        vocab = self.vocab
        self.terms.extend(vocab.setdefault(token, len(vocab)) for token in counts)
        self.tfs.extend(counts.values())
        self.unique.append(len(counts))
        self.lengths.append(sum(counts.values()))

    def finish(self, b: float) -> _MainField:
        return _MainField(self.vocab, self.terms, self.tfs, self.unique, self.lengths, b)


class _MainField:
    """One field of the main segment: a BM25 score matrix in CSC layout (term -> docs).

    The matrix is the one bm25s builds with ``method="lucene"`` (a test checks the
    scores match bm25s exactly), but it is assembled here with a few vectorised NumPy
    calls: bm25s' own builder goes through per-document Python lists and Counters, which
    at 100k documents left the process above 550 MB resident against a 400 MB budget.
    """

    def __init__(
        self,
        vocab: dict[str, int],
        terms: array,
        tfs: array,
        unique: array,
        lengths: array,
        b: float,
    ) -> None:
        self.vocab = vocab
        n_docs = len(unique)
        self.n_docs = n_docs
        term_arr = np.frombuffer(terms, dtype=np.int32) if len(terms) else np.zeros(0, np.int32)
        tf_arr = np.frombuffer(tfs, dtype=np.float32) if len(tfs) else np.zeros(0, np.float32)
        len_arr = np.frombuffer(lengths, dtype=np.float32) if n_docs else np.zeros(0, np.float32)
        self.avgdl = max(float(len_arr.mean()) if n_docs else 1.0, 1.0)
        docs = np.repeat(np.arange(n_docs, dtype=np.int32), np.frombuffer(unique, np.int32))
        self.df = np.bincount(term_arr, minlength=len(vocab)).astype(np.int32)
        idf = _idf(self.df.astype(np.float32), n_docs).astype(np.float32)
        tf_part = _tf_part(tf_arr, len_arr[docs], self.avgdl, b).astype(np.float32)
        scores = idf[term_arr] * tf_part
        order = np.argsort(term_arr, kind="stable")
        self.indices = docs[order]
        self.data = scores[order].astype(np.float32)
        self.indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(self.df, out=self.indptr[1:])

    def scores(
        self, term_ids: Sequence[int], term_weights: Sequence[float] | None = None
    ) -> np.ndarray:
        """BM25 score of every main document for the given distinct query terms.

        ``term_weights`` optionally scales each term's contribution (default 1 each).
        """
        if not term_ids:
            return np.zeros(self.n_docs, dtype=np.float64)
        ids = np.asarray(term_ids, dtype=np.int64)
        starts, ends = self.indptr[ids], self.indptr[ids + 1]
        docs = np.concatenate([self.indices[s:e] for s, e in zip(starts, ends, strict=True)])
        weights = np.concatenate([self.data[s:e] for s, e in zip(starts, ends, strict=True)])
        if term_weights is not None:
            weights = weights * np.repeat(np.asarray(term_weights, dtype=np.float32), ends - starts)
        return np.bincount(docs, weights=weights, minlength=self.n_docs)


class _Main:
    """The bulk-built, read-only part of the index (plus a tombstone mask).

    ``items`` may be a lazy iterable of (entry, word counts, n-gram counts, vector): the
    counts are folded into the field builders and dropped, so only one document's
    Counters live at a time. The entries themselves are kept as given, not copied: a
    rebuild reuses the live entries instead of making 100,000 new long-lived objects,
    which would also set off a full garbage collection (a 250 ms pause for searches).
    """

    def __init__(
        self,
        items: Iterable[_Analysed],
        tuning: Tuning,
    ) -> None:
        words, chars = _FieldBuilder(), _FieldBuilder()
        kept: list[_Entry] = []
        vectors: list[np.ndarray | None] = []
        for entry, word_counts, char_counts, vector in items:
            words.add(word_counts)
            chars.add(char_counts)
            vectors.append(vector)
            kept.append(entry)
        self.entries = kept
        self.words = words.finish(tuning.word_b)
        self.chars = chars.finish(tuning.char_b)
        self.slot_of = {e.doc.id: i for i, e in enumerate(kept)}
        self.alive = np.ones(len(kept), dtype=bool)
        self.kinds = np.array([e.doc.kind for e in kept], dtype=object)
        self.vectors: np.ndarray | None = None
        if kept and all(v is not None for v in vectors):
            self.vectors = np.vstack(vectors).astype(np.float32)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self.entries)


# --- delta segment --------------------------------------------------------------------


class _DeltaField:
    """A small inverted index (token -> document slot -> term frequency), updated in place.

    Searches read each posting list as two arrays (slots, term frequencies), built on first
    use and kept until a write touches the token, so scoring is a few numpy operations per
    query rather than Python work per posting: the delta holds up to 1,000 recent documents
    and a common character n-gram can be in most of them.
    """

    def __init__(self) -> None:
        self.postings: dict[str, dict[int, int]] = {}
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def add(self, slot: int, counts: Counter[str]) -> None:
        for token, tf in counts.items():
            self.postings.setdefault(token, {})[slot] = tf
            self._arrays.pop(token, None)

    def remove(self, slot: int, counts: Counter[str]) -> None:
        for token in counts:
            plist = self.postings.get(token)
            if plist is not None:
                plist.pop(slot, None)
                self._arrays.pop(token, None)
                if not plist:
                    del self.postings[token]

    def df(self, token: str) -> int:
        plist = self.postings.get(token)
        return len(plist) if plist else 0

    def arrays(self, token: str) -> tuple[np.ndarray, np.ndarray] | None:
        found = self._arrays.get(token)
        if found is None:
            plist = self.postings.get(token)
            if not plist:
                return None
            found = (
                np.fromiter(plist.keys(), dtype=np.intp, count=len(plist)),
                np.fromiter(plist.values(), dtype=np.float64, count=len(plist)),
            )
            self._arrays[token] = found
        return found


@dataclass
class _Delta:
    entries: dict[str, _Entry] = field(default_factory=dict)
    words: _DeltaField = field(default_factory=_DeltaField)
    chars: _DeltaField = field(default_factory=_DeltaField)

    # A document keeps its slot (an index into the score arrays) while it is in the delta,
    # also when it is replaced; slots of dropped documents are simply never scored.
    slot_of: dict[str, int] = field(default_factory=dict)
    slot_ids: list[str] = field(default_factory=list)
    # Per slot, BM25's length part k1 * (1 - b + b * dl / avgdl), kept between writes:
    # searches far outnumber writes.
    _norms: dict[tuple[str, float, float], np.ndarray] = field(default_factory=dict)

    def put(self, entry: _Entry) -> None:
        doc_id = entry.doc.id
        self.drop(doc_id)
        slot = self.slot_of.get(doc_id)
        if slot is None:
            slot = self.slot_of[doc_id] = len(self.slot_ids)
            self.slot_ids.append(doc_id)
        self.entries[doc_id] = entry
        self.words.add(slot, entry.words)
        self.chars.add(slot, entry.chars)
        self._norms.clear()

    def drop(self, doc_id: str) -> None:
        old = self.entries.pop(doc_id, None)
        if old is not None:
            slot = self.slot_of[doc_id]
            self.words.remove(slot, old.words)
            self.chars.remove(slot, old.chars)
            self._norms.clear()

    def length_norms(self, which: str, avgdl: float, b: float) -> np.ndarray:
        key = (which, avgdl, b)
        norms = self._norms.get(key)
        if norms is None:
            attr = "word_len" if which == "words" else "char_len"
            norms = np.ones(len(self.slot_ids), dtype=np.float64)  # dropped slots: unused
            for doc_id, e in self.entries.items():
                norms[self.slot_of[doc_id]] = _K1 * (1 - b + b * getattr(e, attr) / avgdl)
            self._norms[key] = norms
        return norms


@dataclass(slots=True)
class _QueryField:
    """One field of the query with the statistics both segments score it by."""

    name: str  # "words" or "chars": the field's attribute on _Main and _Delta
    counts: Counter[str]
    weights: Mapping[str, float] | None  # per-token query weight (None: 1 each)
    b: float
    df: dict[str, int]  # global document frequency (main + delta) of each query token
    main_ids: list[int]  # main-index ids of the tokens the main segment scores ...
    main_weights: list[float]  # ... and their weights (see SearchEngine._query_field)
    avgdl: float
    scale: float = 1.0  # the field's share of the lexical score / the query's self-score


@dataclass(slots=True)
class _Candidate:
    entry: _Entry
    lexical: float  # fused word + n-gram BM25, in [0, 1]
    cosine: float  # embedding similarity, NaN without vectors


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    if k >= len(scores):
        return np.arange(len(scores))
    return np.argpartition(-scores, k - 1)[:k]


@dataclass
class _State:
    main: _Main | None
    delta: _Delta
    snapshot_seq: int  # every doc with a larger seq lives in the delta


# --- the engine -----------------------------------------------------------------------


class SearchEngine:
    """Multilingual similar-question search over an in-memory corpus."""

    def __init__(
        self,
        *,
        semantic: TextEmbedder | None = None,
        stem_languages: Sequence[str] = DEFAULT_STEM_LANGUAGES,
        tuning: Tuning | None = None,
        compact_threshold: int = 256,
        background_compaction: bool = True,
    ) -> None:
        self._semantic = semantic
        self._languages = tuple(stem_languages)
        self._tuning = tuning or Tuning()
        self._compact_threshold = compact_threshold
        self._background = background_compaction
        self._seq = itertools.count(1)
        self._live: dict[str, _Entry] = {}
        self._titles = TitleIndex()  # the titles of _live, for title_matches
        self._state = _State(main=None, delta=_Delta(), snapshot_seq=0)
        self._lock = threading.Lock()
        self._compacting: threading.Thread | None = None
        self._gate = _ReaderGate()

    # -- writes ---------------------------------------------------------------------

    def build(
        self, docs: Iterable[Document], vectors: Mapping[str, np.ndarray] | None = None
    ) -> None:
        """Replace the whole index with ``docs`` (later duplicates of an id win).

        ``vectors`` optionally maps doc ids to precomputed passage embeddings (e.g.
        loaded from storage); missing ones are computed if a semantic embedder is set.
        """
        unique = {doc.id: doc for doc in docs}
        given = self._vectors_for(list(unique.values()), vectors or {})
        seqs = {doc_id: next(self._seq) for doc_id in unique}

        def analysed() -> Iterator[_Analysed]:
            for doc in self._gate.paced(unique.values()):
                entry = self._analyse(doc, seqs[doc.id])
                counts = entry.words, entry.chars
                entry.words = entry.chars = _EMPTY  # the main index holds them now
                yield entry, *counts, given.get(doc.id)

        main = _Main(analysed(), self._tuning) if unique else None
        titles = TitleIndex(unique.values())  # same order as _live
        with self._lock:
            self._live = {e.doc.id: e for e in main.entries} if main else {}
            self._titles = titles
            self._state = _State(main=main, delta=_Delta(), snapshot_seq=next(self._seq))

    def add(self, doc: Document, vector: np.ndarray | None = None) -> None:
        """Add ``doc`` or replace the document with the same id; searchable at once."""
        entry = self._analyse(doc, next(self._seq))
        entry.vector = self._vectors_for([doc], {doc.id: vector} if vector is not None else {}).get(
            doc.id
        )
        with self._lock:
            state = self._state
            self._tombstone(state, doc.id)
            state.delta.put(entry)
            self._live[doc.id] = entry
            self._titles.put(doc)
        self._maybe_compact()

    def remove(self, doc_id: str) -> None:
        """Forget ``doc_id``; unknown ids are ignored."""
        with self._lock:
            state = self._state
            self._tombstone(state, doc_id)
            state.delta.drop(doc_id)
            self._live.pop(doc_id, None)
            self._titles.remove(doc_id)

    def compact(self) -> None:
        """Rebuild the main index from all live documents (blocking).

        Runs by itself on a background thread once the delta segment is large; call it
        directly from a worker thread or a test to force it.
        """
        with self._lock:
            snapshot = list(self._live.values())
            snapshot_seq = next(self._seq)
            old_main = self._state.main

        # Entries inside the main index gave their token counts to the matrices, so
        # every document is analysed again (off the event loop); the entry objects are
        # kept, only their counts are new.
        def analysed() -> Iterator[_Analysed]:
            for entry in self._gate.paced(snapshot):
                fresh = self._analyse(entry.doc, entry.seq)
                vector = entry.vector
                if vector is None:
                    vector = self._vector_of(old_main, entry.doc.id)
                yield entry, fresh.words, fresh.chars, vector

        main = _Main(analysed(), self._tuning) if snapshot else None
        with self._lock:
            delta = _Delta()
            for entry in self._live.values():
                if entry.seq > snapshot_seq:
                    delta.put(entry)
            if main is not None:
                for i, e in enumerate(main.entries):
                    if self._live.get(e.doc.id) is not e:  # removed or replaced meanwhile
                        main.alive[i] = False
                    else:  # out of the delta: its counts and vector live in the matrices
                        e.words = e.chars = _EMPTY
                        e.vector = None
            self._state = _State(main=main, delta=delta, snapshot_seq=snapshot_seq)

    def wait_for_compaction(self, timeout: float | None = None) -> None:
        """Block until a running background compaction finishes (for tests/benchmarks)."""
        thread = self._compacting
        if thread is not None:
            thread.join(timeout)

    # -- reads ----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._live)

    def document(self, doc_id: str) -> Document | None:
        """The indexed document with this id (the object given to ``build``/``add``)."""
        entry = self._live.get(doc_id)
        return entry.doc if entry is not None else None

    def documents(self) -> Iterator[Document]:
        """Every indexed document, in the order their ids were first indexed. Iterate it on
        the writer's task, like ``add``: the index must not change meanwhile."""
        return (entry.doc for entry in self._live.values())

    def title_matches(
        self, needle: str, limit: int, hidden: Container[str] = ()
    ) -> tuple[list[Document], list[Document]]:
        """Documents whose casefolded title starts with ``needle`` (sorted by it), then
        others whose casefolded title contains it, ``limit`` in all, ids in ``hidden``
        left out: see ``TitleIndex.find``. Fast (no walk over every document); call it
        on the writer's task."""
        return self._titles.find(needle, limit, hidden)

    def search(
        self,
        text: str,
        limit: int = 5,
        *,
        kinds: set[str] | None = None,
        exclude: set[str] | None = None,
    ) -> list[Hit]:
        """The best ``limit`` documents for ``text``, best first, scores in [0, 1]."""
        self._gate.enter()
        try:
            return self._search(text, limit, kinds, exclude)
        finally:
            self._gate.leave()

    def _search(
        self, text: str, limit: int, kinds: set[str] | None, exclude: set[str] | None
    ) -> list[Hit]:
        query = normalize(text or "", max_chars=MAX_QUERY_CHARS)
        if not query or limit <= 0:
            return []
        state = self._state
        t = self._tuning
        languages = stem_languages_for(text[:MAX_QUERY_CHARS], self._languages)
        q_words = Counter(word_tokens(query, languages))
        n_total = (len(state.main) if state.main else 0) + len(state.delta.entries)
        if n_total == 0:
            return []

        script_language = arabic_script_language(text[:MAX_QUERY_CHARS], query)
        word_weight, fuzzy_weight = t.word_weight, t.fuzzy_weight
        if script_language is not None:
            fuzzy_weight = t.arabic_script_fuzzy_weight
            word_weight = (
                t.arabic_word_weight if script_language == "arabic" else t.persian_word_weight
            )
        stop = self._stop_factors(query)
        word_factors = (
            self._piece_factors(query, stop, lambda w: word_tokens(w, languages)) if stop else None
        )
        words = self._query_field(
            state, "words", q_words, word_factors, t.word_b, word_weight, n_total
        )
        q_chars, q_gram_weights = self._query_grams(
            query, words.df, n_total, weighted=script_language is not None
        )
        if stop:
            factors = self._piece_factors(query, stop, self._grams)
            base = q_gram_weights or dict.fromkeys(q_chars, 1.0)
            q_gram_weights = {gram: w * factors.get(gram, 1.0) for gram, w in base.items()}
        chars = self._query_field(
            state, "chars", q_chars, q_gram_weights, t.char_b, 1 - word_weight, n_total
        )
        qvec = None
        if self._semantic is not None:
            qvec = self._semantic.embed_query(text[:MAX_QUERY_CHARS])
        found: dict[str, _Candidate] = {}
        self._search_main(state, words, chars, kinds, exclude, qvec, found)
        self._search_delta(state, (words, chars), n_total, kinds, exclude, qvec, found)
        if not found:
            return []

        ids = list(found)
        entries = [found[i].entry for i in ids]
        lex = np.array([found[i].lexical for i in ids], dtype=np.float64)
        fuzzy = self._fuzzy(query, entries, getattr(fuzz, t.fuzzy_scorer))
        scores = (1 - fuzzy_weight) * lex + fuzzy_weight * fuzzy
        if qvec is not None:
            from knowledge.semantic import fuse_scores

            cosine = np.array([found[i].cosine for i in ids], dtype=np.float64)
            scores = fuse_scores(cosine, scores, t.semantic_weight)
        order = np.argsort(-scores, kind="stable")[:limit]
        return [
            Hit(
                id=ids[i],
                score=float(min(1.0, max(0.0, scores[i]))),
                kind=entries[i].doc.kind,
                title=entries[i].doc.title,
            )
            for i in order
        ]

    # -- internals: analysis ----------------------------------------------------------

    def _stop_factors(self, query: str) -> dict[str, float]:
        """The query's stop words with their weight; empty when it has none (or stop words
        count fully)."""
        weight = self._tuning.stopword_weight
        if weight == 1.0:
            return {}
        stop = stopwords()
        return {word: weight for word in query.split() if word in stop}

    @staticmethod
    def _piece_factors(
        query: str, stop: Mapping[str, float], pieces: Callable[[str], Iterable[str]]
    ) -> dict[str, float]:
        """Per token or n-gram of the query's words, the largest weight of the words it is
        in: what a stop word shares with a content word keeps full weight."""
        factors: dict[str, float] = {}
        for word in query.split():
            f = stop.get(word, 1.0)
            for piece in pieces(word):
                factors[piece] = max(factors.get(piece, 0.0), f)
        return factors

    def _analyse(self, doc: Document, seq: int) -> _Entry:
        t = self._tuning
        title = normalize(doc.title)
        aliases = [normalize(a) for a in doc.aliases]
        body = normalize(doc.body, max_chars=MAX_BODY_CHARS) if doc.body else ""
        tags = " ".join(normalize(tag) for tag in doc.tags)
        languages = stem_languages_for(
            " ".join((doc.title, *doc.aliases, doc.body[:MAX_BODY_CHARS])), self._languages
        )
        words: Counter[str] = Counter()
        for _ in range(t.title_repeat):
            words.update(word_tokens(title, languages))
        for text in (*aliases, tags, body):
            words.update(word_tokens(text, languages))
        chars: Counter[str] = Counter()
        for text in (title, *aliases):
            chars.update(self._grams(text))
        if t.char_body_chars and body:
            chars.update(self._grams(body[: t.char_body_chars]))
        match_titles = tuple(dict.fromkeys(x for x in (title, *aliases) if x))
        return _Entry(
            doc=doc,
            seq=seq,
            match_titles=match_titles or ("",),
            words=words,
            chars=chars,
            word_len=sum(words.values()),
            char_len=sum(chars.values()),
        )

    def _grams(self, text: str) -> list[str]:
        t = self._tuning
        return char_ngrams(text, t.ngram_sizes, within_words=t.ngrams_within_words, pad=t.ngram_pad)

    def _query_grams(
        self, query: str, word_df: Mapping[str, int], n_total: int, *, weighted: bool
    ) -> tuple[Counter[str], dict[str, float] | None]:
        """The query's n-grams and, if ``weighted``, per gram the weight its words lend it.

        Plain n-gram BM25 lets a long word speak many times (one vote per gram) and a
        short rare word -- often the one that names the topic -- once or twice, and it
        trusts each gram's own IDF. In Arabic script that IDF says little: words are
        built from three-letter roots inside patterns and wrapped in clitics, so the
        trigrams of a rare word are shared by many unrelated ones (on the shared Arabic
        and Persian pairs this weighting adds 3 and 1.5 points MRR@10, on both halves;
        on English, where a rare word's trigrams are rare themselves, it costs 1 MAP).
        So there each query word hands its word IDF to its grams, ``idf / grams **
        power`` each: the grams still match inflected and misspelt forms, but with the
        weight of the word they came from.
        """
        t = self._tuning
        if not weighted or not t.ngrams_within_words:  # (grams spanning words: no owner)
            return Counter(self._grams(query)), None
        counts: Counter[str] = Counter()
        weights: dict[str, float] = {}
        unseen_idf = float(_idf(max(1.0, t.unseen_word_df * n_total), n_total))
        for word in query.split():
            grams = self._grams(word)
            if not grams:
                continue
            df = word_df.get(word)
            idf = float(_idf(df, n_total)) if df else unseen_idf
            share = idf / len(grams) ** t.gram_weight_power
            counts.update(grams)
            for gram in grams:
                weights[gram] = weights.get(gram, 0.0) + share
        return counts, weights

    def _vectors_for(
        self, docs: Sequence[Document], given: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """Passage vectors for ``docs``: the given ones, the rest computed (semantic only)."""
        if self._semantic is None:
            return {}
        out = {d.id: np.asarray(given[d.id], dtype=np.float32) for d in docs if d.id in given}
        missing = [d for d in docs if d.id not in out]
        if missing:
            vecs = self._semantic.embed([passage_text(d) for d in missing])
            if vecs is not None:  # None: the model could not load, stay lexical
                out.update((d.id, v) for d, v in zip(missing, vecs, strict=True))
        return out

    @staticmethod
    def _vector_of(main: _Main | None, doc_id: str) -> np.ndarray | None:
        if main is None or main.vectors is None:
            return None
        slot = main.slot_of.get(doc_id)
        return None if slot is None else main.vectors[slot]

    @staticmethod
    def _tombstone(state: _State, doc_id: str) -> None:
        main = state.main
        if main is not None:
            slot = main.slot_of.get(doc_id)
            if slot is not None:
                main.alive[slot] = False

    def _maybe_compact(self) -> None:
        state = self._state
        main_size = len(state.main) if state.main else 0
        # The delta segment is scored posting by posting (no precomputed matrix), so it is
        # kept small: rebuild after 256 writes, or 2% of the index, but never past 1,000
        # documents.
        threshold = max(self._compact_threshold, min(main_size // 50, 1_000))
        if len(state.delta.entries) < threshold:
            return
        if not self._background:
            self.compact()
            return
        if self._compacting is not None and self._compacting.is_alive():
            return
        self._compacting = threading.Thread(
            target=self._compact_logged, name="knowledge-compaction", daemon=True
        )
        self._compacting.start()

    def _compact_logged(self) -> None:
        try:
            self.compact()
        except Exception:  # a failed rebuild must not lose the delta; retry next time
            log.exception("search index compaction failed")

    # -- internals: scoring -----------------------------------------------------------

    def _query_field(
        self,
        state: _State,
        name: str,
        counts: Counter[str],
        weights: Mapping[str, float] | None,
        b: float,
        share: float,
        n_total: int,
    ) -> _QueryField:
        """The query's ``name`` field with global statistics, scaled to ``share`` of [0, 1].

        A main-index term's weight is its query weight (default 1) times the ratio of its
        current IDF to the one baked into the main index when it was built, so a main
        document scores with the same, current statistics as a delta document.
        """
        main_field: _MainField | None = getattr(state.main, name) if state.main else None
        delta_field: _DeltaField = getattr(state.delta, name)
        df_of: dict[str, int] = {}
        term_ids: list[int] = []
        term_weights: list[float] = []
        limit = None
        if main_field is not None and main_field.n_docs >= 1000 and name == "chars":
            limit = self._tuning.max_df_ratio * main_field.n_docs
        for token in counts:
            df = delta_field.df(token)
            if main_field is not None:
                tid = main_field.vocab.get(token)
                if tid is not None:
                    mdf = int(main_field.df[tid])
                    if limit is None or mdf <= limit:
                        term_ids.append(tid)
                        stale = float(_idf(mdf, main_field.n_docs))
                        now = float(_idf(mdf + df, n_total))
                        weight = weights[token] if weights is not None else 1.0
                        term_weights.append(weight * now / stale)
                    df += mdf
            df_of[token] = df
        avgdl = main_field.avgdl if main_field is not None else self._delta_avgdl(state, name)
        qf = _QueryField(name, counts, weights, b, df_of, term_ids, term_weights, avgdl)
        qf.scale = share / self._self_score(qf, n_total)
        return qf

    @staticmethod
    def _self_score(qf: _QueryField, n_total: int) -> float:
        """What a document identical to the query would score (the [0, 1] scale)."""
        q_len = sum(qf.counts.values())
        total = 0.0
        for token, tf in qf.counts.items():
            # A query word no document has is weighed as one that a single document has,
            # not as rarer than any: in a small knowledge base, where that difference is
            # large, the words it has never seen would outweigh those it matched. (With
            # thousands of documents it is small: the shared data's figures do not move.)
            idf = float(_idf(max(1, qf.df[token]), n_total))
            weight = qf.weights[token] if qf.weights is not None else 1.0
            total += weight * idf * float(_tf_part(tf, q_len, qf.avgdl, qf.b))
        return total or 1.0

    @staticmethod
    def _delta_avgdl(state: _State, which: str) -> float:
        entries = state.delta.entries.values()
        if not entries:
            return 1.0
        attr = "word_len" if which == "words" else "char_len"
        return max(1.0, sum(getattr(e, attr) for e in entries) / len(entries))

    def _search_main(
        self,
        state: _State,
        words: _QueryField,
        chars: _QueryField,
        kinds: set[str] | None,
        exclude: set[str] | None,
        qvec: np.ndarray | None,
        out: dict[str, _Candidate],
    ) -> None:
        main = state.main
        use_vectors = qvec is not None and main is not None and main.vectors is not None
        if main is None or (not words.main_ids and not chars.main_ids and not use_vectors):
            return
        t = self._tuning
        lex = words.scale * main.words.scores(words.main_ids, words.main_weights)
        lex += chars.scale * main.chars.scores(chars.main_ids, chars.main_weights)
        mask = main.alive
        if kinds is not None:
            mask = mask & np.isin(main.kinds, list(kinds))
        lex[~mask] = -1.0
        if exclude:
            for doc_id in exclude:
                slot = main.slot_of.get(doc_id)
                if slot is not None:
                    lex[slot] = -1.0
        # Only documents sharing a term can be candidates, so only those are partitioned
        # (bench/search_speed.py shows no difference beyond noise), and the candidates go in
        # slot order, so equal scores rank in the order documents were indexed.
        matching = np.flatnonzero(lex > 0)
        top = np.sort(matching[_top_k(lex[matching], t.candidates)])
        cosine = None
        if use_vectors:
            assert main.vectors is not None and qvec is not None
            cosine = main.vectors @ qvec
            cosine[lex < 0] = -2.0  # masked: dead, other kind or excluded
            by_meaning = _top_k(cosine, t.candidates)
            top = np.union1d(top, by_meaning[cosine[by_meaning] > -2.0])
        for slot in top:
            entry = main.entries[slot]
            out[entry.doc.id] = _Candidate(
                entry=entry,
                lexical=min(max(float(lex[slot]), 0.0), 1.0),
                cosine=float(cosine[slot]) if cosine is not None else math.nan,
            )

    @staticmethod
    def _search_delta(
        state: _State,
        fields: tuple[_QueryField, _QueryField],
        n_total: int,
        kinds: set[str] | None,
        exclude: set[str] | None,
        qvec: np.ndarray | None,
        out: dict[str, _Candidate],
    ) -> None:
        delta = state.delta
        if not delta.entries:
            return
        n_slots = len(delta.slot_ids)
        scores = np.zeros(n_slots, dtype=np.float64)
        for qf in fields:
            delta_field: _DeltaField = getattr(delta, qf.name)
            slot_parts: list[np.ndarray] = []
            tf_parts: list[np.ndarray] = []
            idfs: list[float] = []
            for token in qf.counts:
                found = delta_field.arrays(token)
                if found is None:
                    continue
                idf = float(_idf(qf.df[token], n_total)) * qf.scale
                if qf.weights is not None:
                    idf *= qf.weights[token]
                slot_parts.append(found[0])
                tf_parts.append(found[1])
                idfs.append(idf)
            if not idfs:
                continue
            slots = np.concatenate(slot_parts)
            tfs = np.concatenate(tf_parts)
            weights = np.repeat(np.asarray(idfs), [len(p) for p in slot_parts])
            norms = delta.length_norms(qf.name, qf.avgdl, qf.b)
            part = tfs / (tfs + norms[slots])  # BM25 tf part
            scores += np.bincount(slots, weights=weights * part, minlength=n_slots)
        totals = {delta.slot_ids[s]: float(scores[s]) for s in np.flatnonzero(scores)}
        # A dict, not a set: candidates go in slot order, so equal scores rank the same way
        # in every process (a set of strings iterates in PYTHONHASHSEED order)
        candidates = dict.fromkeys(totals)
        if qvec is not None:  # the delta is small: every document with a vector competes
            candidates.update(
                dict.fromkeys(i for i, e in delta.entries.items() if e.vector is not None)
            )
        for doc_id in candidates:
            entry = delta.entries[doc_id]
            if kinds is not None and entry.doc.kind not in kinds:
                continue
            if exclude and doc_id in exclude:
                continue
            # read once: a rebuild that just took this entry into the main index drops it
            vector = entry.vector
            cosine = math.nan
            if qvec is not None and vector is not None:
                cosine = float(vector @ qvec)
            out[doc_id] = _Candidate(entry, min(totals.get(doc_id, 0.0), 1.0), cosine)

    @staticmethod
    def _fuzzy(query: str, entries: list[_Entry], scorer: Callable[..., float]) -> np.ndarray:
        choices: list[str] = []
        owners: list[int] = []
        for i, e in enumerate(entries):
            for title in e.match_titles:
                choices.append(title)
                owners.append(i)
        sims = process.cdist([query], choices, scorer=scorer, dtype=np.float32)[0]
        best = np.zeros(len(entries), dtype=np.float64)
        np.maximum.at(best, np.asarray(owners), sims / 100.0)
        return best


def passage_text(doc: Document) -> str:
    """The text embedded for a document: title, aliases and the start of the body."""
    parts = [doc.title, *doc.aliases]
    if doc.body:
        parts.append(doc.body[:1000])
    return "\n".join(p for p in parts if p)
