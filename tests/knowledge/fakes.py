"""A stand-in for the sentence embedder, so semantic search is tested without the model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Concept axes: texts mentioning any of a concept's words point along that axis.
CONCEPTS = [("weight", "slimming", "diet"), ("password", "passcode"), ("invoice", "bill")]


class FakeEmbedder:
    """Embeds texts on the concept axes and counts the passages it was asked for."""

    def __init__(self) -> None:
        self.passages = 0

    def vector(self, text: str) -> np.ndarray:
        vec = np.full(len(CONCEPTS) + 1, 0.05, dtype=np.float32)
        for axis, words in enumerate(CONCEPTS):
            if any(w in text.lower() for w in words):
                vec[axis] = 1.0
        return vec / np.linalg.norm(vec)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.passages += len(texts)
        return np.vstack([self.vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self.vector(text)
