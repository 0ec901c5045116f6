"""Title lookup for autocomplete: titles that start with, then contain, a typed text.

Discord asks for choices on every keystroke, on the event loop, so a lookup must not
walk every document, as it did (12-100 ms at 100k documents; bench/search_speed.py times
both). The answer is exactly what such a walk gives (``walk``, the definition), from two
structures kept up to date on every add and removal:

* **the casefolded titles, sorted** (ties in index order): the titles starting with the
  typed text are one contiguous run, found by bisection, and shown from its start;
* **n-gram postings**: for every character 1-, 2- and 3-gram of a casefolded title, the
  places (in index order) of the titles containing it, ascending. A title containing
  the typed text contains each of its n-grams, so intersecting their lists and checking
  the titles left, in order, finds the matches in index order; an n-gram no title has
  answers "nothing contains it" at once. An n-gram in more than 1/16 of the titles
  (a space, a common letter) keeps a bitset over the places instead of a list (an
  eighth of the memory from that share on); a text made only of such n-grams ANDs
  their bitsets a slice at a time, in order, until enough titles matched.

"Index order" is the order ``SearchEngine.documents()`` iterates: the order ids were
first indexed (replacing a document keeps its place; removing and adding it again puts
it last), each id numbered when it enters.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Container, Iterable, Iterator
from typing import TYPE_CHECKING, cast

import numpy as np

if TYPE_CHECKING:
    from knowledge.engine import Document

GRAM_SIZES = (1, 2, 3)
#: An n-gram in more than 1/COMMON_SHARE of the titles gets a bitset, not a list ...
COMMON_SHARE = 16
#: ... but one in at most this many titles always keeps its list (small indexes).
MIN_COMMON = 256
_MAX_POSITION = 2**31 - 1  # places are stored as 32-bit ints
_BITSET_SLICE = 1_024  # bytes: 8,192 places


def fold(title: str) -> str:
    """The form titles are compared in (casefolded; whitespace as written)."""
    folded = title.casefold()
    return title if folded == title else folded  # most titles: no second copy


def _grams(folded: str) -> set[str]:
    return {folded[i : i + n] for n in GRAM_SIZES for i in range(len(folded) - n + 1)}


def _needle_grams(needle: str) -> set[str]:
    n = min(len(needle), GRAM_SIZES[-1])
    return {needle[i : i + n] for i in range(len(needle) - n + 1)}


def _set_bits(bits: np.ndarray, places: np.ndarray) -> None:
    """Set the bits of ``places`` (ascending, distinct); place p is bit 7 - p % 8 of
    byte p // 8, the order ``np.unpackbits`` reads them in."""
    if not len(places):
        return
    byte = places >> 3
    value = np.right_shift(128, places & 7).astype(np.uint8)
    first = np.flatnonzero(np.r_[True, byte[1:] != byte[:-1]])
    bits[byte[first]] |= np.add.reduceat(value, first)  # distinct bits: the sum is the OR


def _ints(plist: array) -> np.ndarray:
    # a copy: a NumPy view would lock the array's size for as long as the view lived
    return np.frombuffer(plist, dtype=np.int32).copy()


def walk(
    docs: Iterable[Document], needle: str, limit: int, hidden: Container[str] = ()
) -> tuple[list[Document], list[Document]]:
    """What ``TitleIndex.find`` answers, by walking every document in index order: the
    definition the index is checked against (its tests; bench/search_speed.py times both).
    The first ``limit`` titles starting with ``needle`` in the order shown (casefolded
    title, then index order), then the first of those containing it elsewhere, in index
    order, as many as still fit."""
    if limit <= 0 or not needle:
        return [], []
    starts: list[Document] = []
    contains: list[Document] = []
    for doc in docs:
        if doc.id in hidden:
            continue
        folded = fold(doc.title)
        if folded.startswith(needle):
            starts.append(doc)
        elif needle in folded:
            contains.append(doc)
    starts.sort(key=lambda d: fold(d.title))  # stable: ties stay in index order
    starts = starts[:limit]
    return starts, contains[: limit - len(starts)]


class TitleIndex:
    """Casefolded titles of a set of documents, for prefix and substring lookups.

    Not thread-safe by itself: one writer, and readers on the writer's thread (the
    engine's contract); ``SearchEngine.build`` swaps in a whole new index.
    """

    def __init__(self, docs: Iterable[Document] = ()) -> None:
        """Index ``docs`` in the given order; a later document with an id already given
        replaces the earlier one at its place (as ``SearchEngine.build`` does)."""
        # Per place (0, 1, ... in index order) the casefolded title and the document;
        # None where a removed document was (a place is never reused).
        self._docs: list[Document | None] = list({doc.id: doc for doc in docs}.values())
        self._folded: list[str | None] = [fold(doc.title) for doc in self._docs]
        self._position = {doc.id: place for place, doc in enumerate(self._docs)}
        self._holes = 0
        # The casefolded titles, sorted; ties in index order (a stable sort of places).
        folded = cast("list[str]", self._folded)
        by_title = sorted(range(len(folded)), key=folded.__getitem__)
        self._sorted: list[str] = [folded[p] for p in by_title]
        self._sorted_places = np.asarray(by_title, dtype=np.int32)
        self._bytes = len(folded) // 8 + 128  # of each bitset
        self._postings: dict[str, array] = {}
        self._common: dict[str, np.ndarray] = {}
        cap = self._cap()
        for place, title in enumerate(folded):
            self._post(title, place, cap)

    def __len__(self) -> int:
        return len(self._position)

    def _cap(self) -> int:
        return max(MIN_COMMON, len(self._position) // COMMON_SHARE)

    # -- writes ------------------------------------------------------------------------

    def put(self, doc: Document) -> None:
        """Add ``doc``, or replace the document with its id (which keeps its place)."""
        folded = fold(doc.title)
        place = self._position.get(doc.id)
        if place is not None:
            old = self._folded[place]
            self._docs[place] = doc
            if old == folded:
                return  # same title: nothing to re-index
            assert old is not None
            self._unindex(old, place)
            self._folded[place] = folded
        else:
            if len(self._docs) > _MAX_POSITION or self._holes > 4 * len(self._position) + 1024:
                self._renumber()  # (after removals of four times the index, or never)
            place = len(self._docs)
            self._docs.append(doc)
            self._folded.append(folded)
            self._position[doc.id] = place
        self._index(folded, place)

    def remove(self, doc_id: str) -> None:
        """Forget ``doc_id``; unknown ids are ignored."""
        place = self._position.pop(doc_id, None)
        if place is not None:
            folded = self._folded[place]
            assert folded is not None
            self._docs[place] = self._folded[place] = None
            self._holes += 1
            self._unindex(folded, place)

    def _index(self, folded: str, place: int) -> None:
        lo = bisect.bisect_left(self._sorted, folded)
        hi = bisect.bisect_right(self._sorted, folded, lo)
        at = lo + int(np.searchsorted(self._sorted_places[lo:hi], place))
        self._sorted.insert(at, folded)
        self._sorted_places = np.insert(self._sorted_places, at, place)
        if place >= 8 * self._bytes:
            self._grow(place)
        self._post(folded, place, self._cap())

    def _post(self, folded: str, place: int, cap: int) -> None:
        """Add ``place`` to the postings of every n-gram of ``folded``: its list, or its
        bitset once the list would hold more than ``cap`` places."""
        byte, bit = place >> 3, 128 >> (place & 7)
        for gram in _grams(folded):
            bits = self._common.get(gram)
            if bits is not None:
                bits[byte] |= bit
                continue
            plist = self._postings.get(gram)
            if plist is None:
                self._postings[gram] = array("i", (place,))
            elif len(plist) >= cap:  # common from now on
                bits = self._common[gram] = np.zeros(self._bytes, dtype=np.uint8)
                _set_bits(bits, _ints(self._postings.pop(gram)))
                bits[byte] |= bit
            elif plist[-1] < place:  # a new document: the last place so far
                plist.append(place)
            else:
                bisect.insort(plist, place)

    def _grow(self, place: int) -> None:
        self._bytes = max(2 * self._bytes, place // 8 + 1)
        for gram, bits in self._common.items():
            grown = self._common[gram] = np.zeros(self._bytes, dtype=np.uint8)
            grown[: len(bits)] = bits

    def _unindex(self, folded: str, place: int) -> None:
        lo = bisect.bisect_left(self._sorted, folded)
        hi = bisect.bisect_right(self._sorted, folded, lo)
        at = lo + int(np.searchsorted(self._sorted_places[lo:hi], place))
        assert self._sorted_places[at] == place
        del self._sorted[at]
        self._sorted_places = np.delete(self._sorted_places, at)
        byte, keep = place >> 3, 255 ^ (128 >> (place & 7))
        for gram in _grams(folded):
            bits = self._common.get(gram)
            if bits is not None:
                bits[byte] &= keep
                continue
            plist = self._postings[gram]
            i = bisect.bisect_left(plist, place)
            if i < len(plist) and plist[i] == place:
                del plist[i]
                if not plist:
                    del self._postings[gram]

    def _renumber(self) -> None:
        self.__dict__.update(TitleIndex(self.documents()).__dict__)

    # -- reads -------------------------------------------------------------------------

    def documents(self) -> Iterator[Document]:
        """The indexed documents in index order."""
        return (doc for doc in self._docs if doc is not None)

    def find(
        self, needle: str, limit: int, hidden: Container[str] = ()
    ) -> tuple[list[Document], list[Document]]:
        """Documents whose casefolded title starts with ``needle``, then others whose
        casefolded title contains it; ids in ``hidden`` are left out. ``needle`` is
        compared as given (casefold it first).

        Exactly what ``walk`` gives: the first ``limit`` titles starting with ``needle``
        by casefolded title (ties in index order), then those containing it elsewhere in
        index order, ``limit`` in all.
        """
        if limit <= 0 or not needle:
            return [], []
        starts = self._starting(needle, limit, hidden)
        wanted = limit - len(starts)
        contains = self._containing(needle, wanted, hidden) if wanted > 0 else []
        return starts, contains

    def _starting(self, needle: str, limit: int, hidden: Container[str]) -> list[Document]:
        keys = self._sorted
        lo = bisect.bisect_left(keys, needle)
        # the titles starting with the needle are one run from lo on, in the order shown
        hi = bisect.bisect_left(keys, True, lo, key=lambda s: not s.startswith(needle))
        found: list[Document] = []
        step = limit + 8  # a few hidden ones (promoted questions) need no second slice
        for start in range(lo, hi, step):
            places = self._sorted_places[start : min(start + step, hi)].tolist()
            if self._collect(places, limit, hidden, found):
                break
        return found

    def _containing(self, needle: str, limit: int, hidden: Container[str]) -> list[Document]:
        lists: list[array] = []
        bitsets: list[np.ndarray] = []
        for gram in _needle_grams(needle):
            bits = self._common.get(gram)
            if bits is not None:
                bitsets.append(bits)
                continue
            plist = self._postings.get(gram)
            if plist is None:
                return []  # no title has this piece of the needle
            lists.append(plist)
        out: list[Document] = []
        if lists:
            # the titles holding every n-gram of the needle, ascending: a superset of
            # those containing it, in index order
            lists.sort(key=len)
            candidates = _ints(lists[0])
            for plist in lists[1:]:
                if len(candidates) <= 2 * limit:
                    break  # few enough to check one by one
                other = _ints(plist)
                at = np.minimum(np.searchsorted(other, candidates), len(other) - 1)
                candidates = candidates[other[at] == candidates]
            for bits in bitsets:
                if len(candidates) <= 2 * limit:
                    break
                candidates = candidates[
                    bits[candidates >> 3] & np.right_shift(128, candidates & 7) != 0
                ]
            self._collect(candidates.tolist(), limit, hidden, out, elsewhere=needle)
            return out
        # only common n-grams: the places in all their bitsets, a slice at a time
        for start in range(0, self._bytes, _BITSET_SLICE):
            both = bitsets[0][start : start + _BITSET_SLICE].copy()
            for bits in bitsets[1:]:
                both &= bits[start : start + _BITSET_SLICE]
            places = np.flatnonzero(np.unpackbits(both)) + 8 * start
            if self._collect(places.tolist(), limit, hidden, out, elsewhere=needle):
                break
        return out

    def _collect(
        self,
        places: Iterable[int],
        limit: int,
        hidden: Container[str],
        out: list[Document],
        elsewhere: str | None = None,
    ) -> bool:
        """Add the documents at ``places`` that are not hidden to ``out``, until it holds
        ``limit``; whether it does. With ``elsewhere``, only those whose title contains it
        but does not start with it."""
        folded, docs = self._folded, self._docs
        for place in places:
            if elsewhere is not None:
                title = folded[place]
                if title is None or elsewhere not in title or title.startswith(elsewhere):
                    continue
            doc = docs[place]
            assert doc is not None
            if doc.id not in hidden:
                out.append(doc)
                if len(out) == limit:
                    return True
        return False
