"""Title autocomplete (`EngineKnowledge.titles`, `knowledge.titles.TitleIndex`) gives exactly
what a walk over every document gives (`knowledge.titles.walk`, the reference): compared
on random corpora, through adds, title edits, removals, rebuilds and promoted (hidden)
questions."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest

from bot.model import Suggestion
from knowledge import titles as titles_module
from knowledge.engine import Document, SearchEngine
from knowledge.service import EngineKnowledge
from knowledge.titles import TitleIndex, walk

COMMUNITY = "default"


def reference_titles(
    engine: SearchEngine, hidden: dict[str, str], prefix: str, limit: int
) -> list[Suggestion]:
    """`EngineKnowledge.titles` by a walk over every document (`knowledge.titles.walk`)."""
    needle = " ".join(prefix.split()).casefold()
    starts, contains = walk(engine.documents(), needle, limit, hidden)
    return [
        Suggestion(id=d.id, title=d.title, kind=d.kind, score=1.0 if i < len(starts) else 0.5)
        for i, d in enumerate(starts + contains)
    ]


# Words that casefold alike, expand (ß), carry a dot (Turkish İ: "i" + U+0307 folded),
# share n-grams, and right-to-left scripts (Persian, Arabic).
WORDS = [
    "printer", "Printer", "PRINTER", "print", "sprint", "offline", "Offline", "jam", "jams",
    "İstanbul", "ISTANBUL", "istanbul", "ıspanak", "Iğdır", "Straße", "STRASSE", "strasse",
    "چاپگر", "چاپ", "رمز", "عبور", "رمز عبور", "الطابعة", "طابعة", "كلمة", "السر", "ﻻ",
    "a", "aa", "aaa", "ab", "ba", "x", "42", "4", "?", "-", "ǅ", "ﬁle", "file", "Σίσυφος",
]  # fmt: skip


def random_title(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(1, 4))
    gaps = [rng.choice((" ", " ", " ", "  ", "", "\t")) for _ in words]
    title = "".join(w + g for w, g in zip(words, gaps, strict=True))
    return title if rng.random() < 0.9 else title.strip()


def random_prefix(rng: random.Random, titles: list[str]) -> str:
    """What a member might type: a start or a piece of a title, recased, padded; or noise."""
    roll = rng.random()
    if roll < 0.1 or not titles:
        return rng.choice([*WORDS, "zzz", "i̇", "ı", "ss", "ß", " ", "", "rmz", "پ", "ب ع"])
    title = rng.choice(titles)
    start = 0 if roll < 0.55 else rng.randrange(len(title))
    piece = title[start : start + rng.randint(1, 12)]
    if rng.random() < 0.2:
        piece = piece.upper()
    if rng.random() < 0.2:
        piece = f"  {piece} "
    return piece


def assert_same(knowledge: EngineKnowledge, rng: random.Random, queries: int) -> None:
    engine = knowledge._engine(COMMUNITY)
    hidden = knowledge._promoted.get(COMMUNITY, {})
    assert list(engine._titles.documents()) == list(engine.documents())  # same order
    titles = [d.title for d in engine.documents()]
    for _ in range(queries):
        prefix = random_prefix(rng, titles)
        limit = rng.choice((1, 2, 3, 5, 25, 25, 1000))
        got = knowledge.titles(COMMUNITY, prefix, limit)
        want = reference_titles(engine, hidden, prefix, limit)
        assert got == want, (prefix, limit)


def knowledge_base() -> EngineKnowledge:
    return EngineKnowledge(database=None)  # type: ignore[arg-type]  # no database needed


@pytest.fixture(params=[False, True], ids=["rare-ngrams", "all-ngrams-common"])
def small_common_cap(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Also run with every n-gram in 2+ titles 'common' (no posting list): the other path."""
    if request.param:
        monkeypatch.setattr(titles_module, "MIN_COMMON", 1)
        monkeypatch.setattr(titles_module, "COMMON_SHARE", 10**9)


@pytest.mark.parametrize("seed", range(6))
def test_titles_equal_the_linear_scan_through_random_changes(
    seed: int, small_common_cap: None
) -> None:
    rng = random.Random(seed)
    knowledge = knowledge_base()
    engine = knowledge._engine(COMMUNITY)
    start = [Document(f"d{i}", random_title(rng)) for i in range(rng.randint(0, 120))]
    start += rng.sample(start, min(len(start), 5))  # duplicate ids: the later one wins
    engine.build(start)
    promoted = knowledge._promoted.setdefault(COMMUNITY, {})
    next_id = len(start)
    removed: list[str] = []
    for _ in range(40):
        live = [d.id for d in engine.documents()]
        for _ in range(rng.randint(1, 8)):
            roll = rng.random()
            if roll < 0.3 or not live:  # a new document
                doc_id, next_id = f"d{next_id}", next_id + 1
                kind = rng.choice(("article", "question"))
                knowledge._put(COMMUNITY, Document(doc_id, random_title(rng), kind=kind))
                live.append(doc_id)
            elif roll < 0.5:  # an edit that changes the title (keeps its place)
                knowledge._put(COMMUNITY, Document(rng.choice(live), random_title(rng)))
            elif roll < 0.6:  # an edit that keeps the title
                old = engine.document(rng.choice(live))
                assert old is not None
                knowledge._put(COMMUNITY, Document(old.id, old.title, body=str(rng.random())))
            elif roll < 0.75:  # a removal
                doc_id = live.pop(rng.randrange(len(live)))
                knowledge._drop(COMMUNITY, doc_id)
                removed.append(doc_id)
            elif roll < 0.85 and removed:  # back again: last in index order now
                knowledge._put(COMMUNITY, Document(removed.pop(), random_title(rng)))
            elif roll < 0.95:  # a question promoted into an article: hidden
                promoted[rng.choice(live)] = "a:whatever"
            elif promoted:  # the article removed: the question shows again
                promoted.pop(rng.choice(list(promoted)))
        if rng.random() < 0.1:
            engine.compact()  # compaction leaves the titles alone
        assert_same(knowledge, rng, 40)
    # a rebuild (load) replaces everything
    engine.build([Document(f"r{i}", random_title(rng)) for i in range(50)])
    assert_same(knowledge, rng, 100)


def test_titles_unchanged_by_background_compaction() -> None:
    rng = random.Random(99)
    knowledge = knowledge_base()
    knowledge._engines[COMMUNITY] = engine = SearchEngine(compact_threshold=4)
    for i in range(200):
        knowledge._put(COMMUNITY, Document(f"d{i}", random_title(rng)))
        if i % 10 == 0:
            assert_same(knowledge, rng, 5)
    engine.wait_for_compaction(10)
    assert_same(knowledge, rng, 100)


def test_a_hidden_run_of_prefix_matches_is_skipped() -> None:
    """More hidden documents start with the text than the limit: look further."""
    knowledge = knowledge_base()
    engine = knowledge._engine(COMMUNITY)
    engine.build([Document(f"q{i}", f"printer {i:03d}", kind="question") for i in range(300)])
    knowledge._promoted[COMMUNITY] = {f"q{i}": f"a:{i}" for i in range(0, 300, 3)}
    knowledge._promoted[COMMUNITY].update({f"q{i}": "a:x" for i in range(10)})
    found = knowledge.titles(COMMUNITY, "Printer", 25)
    assert found == reference_titles(engine, knowledge._promoted[COMMUNITY], "Printer", 25)
    assert [s.id for s in found[:3]] == ["q10", "q11", "q13"]


def ids(index: TitleIndex, needle: str, limit: int = 10, hidden: set[str] | None = None):
    starts, contains = index.find(needle, limit, hidden or set())
    return [d.id for d in starts], [d.id for d in contains]


def test_prefix_matches_come_first_sorted_then_contains_in_index_order() -> None:
    index = TitleIndex(
        [
            Document("1", "Reset the printer"),
            Document("2", "printer offline"),
            Document("3", "Printer Driver"),
            Document("4", "My printer jams"),
            Document("5", "PRINTER driver"),  # folds like 3: index order breaks the tie
        ]
    )
    assert ids(index, "printer") == (["3", "5", "2"], ["1", "4"])
    assert ids(index, "printer", 4) == (["3", "5", "2"], ["1"])
    assert ids(index, "printer", 2) == (["3", "5"], [])  # the first two as shown
    # More matches than fit: the head of the sorted list, not the oldest ones, sorted.
    many = TitleIndex([Document("1", "pz"), Document("2", "pa"), Document("3", "pb")])
    assert ids(many, "p", 2) == (["2", "3"], [])
    assert ids(index, "printer d") == (["3", "5"], [])
    assert ids(index, "zebra") == ([], [])
    assert ids(index, "printer", 10, {"3", "1"}) == (["5", "2"], ["4"])
    assert ids(index, "printer", 10, {"2", "3", "5"}) == ([], ["1", "4"])
    again = TitleIndex([Document("1", "a"), Document("2", "b"), Document("1", "printer c")])
    assert ids(again, "printer") == (["1"], []) and len(again) == 2
    assert ids(index, "", 10) == ([], []) and ids(index, "printer", 0) == ([], [])


def test_edits_keep_the_place_and_a_comeback_goes_last() -> None:
    # Equal titles show in index order, which is where a document's place shows.
    index = TitleIndex([Document("1", "jam"), Document("2", "jam"), Document("3", "jam")])
    index.put(Document("1", "JAM"))  # retitled (folds the same): still first
    assert ids(index, "jam", 1) == (["1"], [])
    index.remove("1")
    index.put(Document("1", "jam"))  # removed and added: last
    assert ids(index, "jam", 1) == (["2"], [])
    assert ids(index, "jam") == (["2", "3", "1"], [])
    index.put(Document("2", "the jam"))
    assert ids(index, "jam") == (["3", "1"], ["2"])
    index.remove("unknown")
    assert [d.id for d in index.documents()] == ["2", "3", "1"] and len(index) == 3


def test_unicode_casefolding() -> None:
    index = TitleIndex(
        [
            Document("tr", "İstanbul'da yazıcı"),  # İ folds to "i" + combining dot
            Document("de", "Straße gesperrt"),
            Document("fa", "چگونه رمز عبور را تغییر دهم"),
            Document("ar", "كيف أغير كلمة السر"),
            Document("el", "ΣΊΣΥΦΟΣ"),
            Document("lig", "ﬁle not found"),
        ]
    )
    assert ids(index, "i̇stanbul") == (["tr"], [])
    assert ids(index, "İstanbul".casefold()) == (["tr"], [])
    assert ids(index, "istanbul") == ([], [])  # the dot stays: as the scan had it
    assert ids(index, "i") == (["tr"], ["lig"])
    assert ids(index, "strasse") == (["de"], []) and ids(index, "ss") == ([], ["de"])
    assert ids(index, "چگونه") == (["fa"], []) and ids(index, "رمز عبور") == ([], ["fa"])
    assert ids(index, "كلمة") == ([], ["ar"]) and ids(index, "ك") == (["ar"], [])
    assert ids(index, "σίσυφοσ") == (["el"], [])
    assert ids(index, "file") == (["lig"], [])


def test_whitespace_as_written_in_titles_and_collapsed_in_the_prefix() -> None:
    knowledge = knowledge_base()
    knowledge._engine(COMMUNITY).build(
        [Document("1", "printer  offline"), Document("2", "printer offline")]
    )
    assert [s.id for s in knowledge.titles(COMMUNITY, "  printer\t offline ", 5)] == ["2"]
    assert [s.id for s in knowledge.titles(COMMUNITY, "  ", 5)] == []
    assert knowledge.titles("nowhere", "printer", 5) == []


def test_common_ngrams_keep_no_posting_list_and_still_match(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(titles_module, "MIN_COMMON", 4)
    index = TitleIndex([Document(str(i), f"x{i} apple") for i in range(40)])
    assert "app" in index._common and "app" not in index._postings
    assert ids(index, "apple", 3) == ([], ["0", "1", "2"])
    index.put(Document("new", "pear"))
    index.put(Document("new2", "pear too"))
    assert ids(index, "pear") == (["new", "new2"], [])
    for i in range(40):
        index.remove(str(i))
    assert ids(index, "apple") == ([], []) and ids(index, "x") == ([], [])


def test_positions_are_renumbered_before_they_overflow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(titles_module, "_MAX_POSITION", 5)
    index, model = TitleIndex(), SearchEngine()  # the engine's documents(): index order
    for i in range(30):
        doc = Document(str(i % 4), f"jam {i}")
        index.put(doc)
        model.add(doc)
        if i % 3 == 0:
            index.remove(str(i % 5))
            model.remove(str(i % 5))
    assert list(index.documents()) == list(model.documents())
    for needle, limit in (("jam", 2), ("jam", 10), ("2", 10), ("m 2", 10)):
        starts, contains = index.find(needle, limit)
        assert [s.id for s in reference_titles(model, {}, needle, limit)] == [
            d.id for d in starts + contains
        ]


def test_a_miss_and_a_prefix_are_fast_at_scale() -> None:
    """Not a benchmark (see bench/search_speed.py): a guard against a walk over all."""
    rng = random.Random(5)
    docs = [Document(f"d{i}", f"{random_title(rng)} {i}") for i in range(20_000)]
    index = TitleIndex(docs)
    started = time.perf_counter()
    for _ in range(50):
        index.find("zzzq", 25)
        index.find("print", 25)
    assert (time.perf_counter() - started) / 100 < 0.002


@pytest.mark.parametrize("common", [False, True], ids=["lists", "bitsets"])
def test_the_bulk_build_indexes_like_one_put_after_another(
    common: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every n-gram keeps its list, or every one in two titles or more has a bitset
    monkeypatch.setattr(titles_module, "MIN_COMMON", 1 if common else 10**9)
    monkeypatch.setattr(titles_module, "COMMON_SHARE", 10**9)
    rng = random.Random(3)
    odd = ["😀 smile", "a\x00b", "\ud800lone", "ǅ\U0010ffff", "", " ", "aaaa"]
    docs = [Document(f"d{i}", random_title(rng)) for i in range(300)]
    docs += [Document(f"odd{i}", title) for i, title in enumerate(odd)]
    bulk, one_by_one = TitleIndex(docs), TitleIndex()
    for doc in docs:
        one_by_one.put(doc)
    assert bulk._postings == one_by_one._postings
    assert bool(bulk._common) == common and bitsets(bulk) == bitsets(one_by_one)
    assert bulk._sorted == one_by_one._sorted
    assert bulk._sorted_places.tolist() == one_by_one._sorted_places.tolist()
    assert ids(bulk, "😀") == (["odd0"], []) and ids(bulk, "\x00") == ([], ["odd1"])
    assert ids(bulk, "\ud800l") == (["odd2"], []) and ids(bulk, "\U0010ffff") == ([], ["odd3"])


def bitsets(index: TitleIndex) -> dict[str, list[int]]:
    return {g: np.flatnonzero(np.unpackbits(b)).tolist() for g, b in index._common.items()}


def test_bitsets_grow_with_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(titles_module, "MIN_COMMON", 8)
    index = TitleIndex([Document("first", "apple pie")])
    for i in range(3000):
        index.put(Document(str(i), f"x{i} apple"))
    assert "app" in index._common and 8 * index._bytes > 3000
    assert ids(index, "apple", 3) == (["first"], ["0", "1"])
    assert bitsets(index)["app"] == list(range(3001))
    for i in range(2999):
        index.remove(str(i))
    assert ids(index, "apple", 3) == (["first"], ["2999"])
    assert ids(index, "x2999 ", 3) == (["2999"], []) and ids(index, "x1 ", 3) == ([], [])


def test_common_ngrams_filter_what_the_lists_leave(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(titles_module, "MIN_COMMON", 40)
    docs = [Document(f"ap{i}", f"{i} apricot") for i in range(60)]  # " ap" is common ...
    docs += [Document(f"zq{i}", f"{i} zq apricot") for i in range(20)]  # ... "zq " is not
    docs += [Document(f"zqp{i}", f"{i} zq apple") for i in range(20)]  # "app" is not either
    docs += [Document(f"pp{i}", f"{i} happy") for i in range(40)]  # now it is
    index = TitleIndex(docs)
    assert {" ap", "app"} <= set(index._common) and "zq " in index._postings
    assert ids(index, "zq app", 3) == ([], ["zqp0", "zqp1", "zqp2"])
    assert ids(index, "zq apr", 3) == ([], ["zq0", "zq1", "zq2"])


def test_titles_too_short_for_some_gram_sizes_build() -> None:
    # No title long enough for a 3-gram (or even a 2-gram): the bulk build used to fail
    # with IndexError, so a knowledge base of such titles would not load.
    for titles in (["pz", "pa", "pb"], ["a", "b"], ["", "x"]):
        docs = [Document(str(i), t) for i, t in enumerate(titles)]
        index = TitleIndex(docs)
        for needle in {t[:k] for t in titles for k in (1, 2)} - {""}:
            assert index.find(needle, 5) == walk(docs, needle, 5)


# --- adversarial corpora ----------------------------------------------------------------
# The generator above makes titles of whole words, so every corpus has long titles and
# every needle is a piece of one: the tests below also try corpora of titles of 0-5
# characters (or one character repeated), needles longer than any title, characters that
# casefold to two or three (ß, ﬁ, İ), astral ones and lone surrogates, NUL, big hidden
# sets, and the constants that pick a path (lists or bitsets, bitset slices).

ODD_CHARS = [
    "a", "b", "A", " ", "ß", "ﬁ", "İ", "ı", "\x00", "😀", "\U0010ffff", "\ud800", "\udc00",
    "ǅ", "ς", "Σ", "ss",
]  # fmt: skip


def odd_title(rng: random.Random, alphabet: list[str], longest: int) -> str:
    if rng.random() < 0.2:  # one character repeated
        return rng.choice(alphabet) * rng.randint(0, longest)
    return "".join(rng.choices(alphabet, k=rng.randint(0, longest)))


def odd_needle(rng: random.Random, alphabet: list[str], titles: list[str], longest: int) -> str:
    """A piece of a casefolded title (of 1 to 3+ characters, maybe running off its end),
    casefolded noise longer than any title, or text as typed (ß: in no casefolded title)."""
    roll = rng.random()
    folded = [t for t in map(titles_module.fold, titles) if t]
    if roll < 0.6 and folded:
        title = rng.choice(folded)
        start = rng.randrange(len(title))
        return title[start : start + rng.randint(1, longest + 2)]
    text = "".join(rng.choices(alphabet, k=rng.randint(1, longest + 3)))
    return text.casefold() if roll < 0.85 else text


def odd_constants(rng: random.Random, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(titles_module, "MIN_COMMON", rng.choice((0, 1, 2, 256)))
    monkeypatch.setattr(titles_module, "COMMON_SHARE", rng.choice((1, 2, 16)))
    monkeypatch.setattr(titles_module, "_BITSET_SLICE", rng.choice((1, 3, 1024)))


def assert_index_walks(
    index: TitleIndex, docs: list[Document], needles: list[str], rng: random.Random
) -> None:
    """``index.find`` equals ``walk`` for these needles, with random limits and hidden sets."""
    assert list(index.documents()) == docs
    for needle in needles:
        limit = rng.choice((1, 2, 3, 5, 50))
        hidden: set[str] = set()
        if docs and rng.random() < 0.4:  # a few hidden, or most of them
            share = rng.choice((0.1, 0.9))
            hidden = {d.id for d in docs if rng.random() < share}
        assert index.find(needle, limit, hidden) == walk(docs, needle, limit, hidden), (
            needle,
            limit,
            hidden,
        )


@pytest.mark.parametrize("seed", range(60))
def test_odd_corpora_equal_the_walk_through_changes(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    odd_constants(rng, monkeypatch)
    alphabet = rng.sample(ODD_CHARS, rng.randint(1, 6))
    longest = rng.choice((0, 1, 2, 3, 5))
    start = [Document(f"d{i}", odd_title(rng, alphabet, longest)) for i in range(seed % 7 * 9)]
    start += rng.sample(start, min(len(start), 3))  # duplicate ids: the later one wins
    index = TitleIndex(start)
    model = {d.id: d for d in start}  # index order: where an id first came
    next_id, removed = len(start), []
    for _ in range(12):
        docs = list(model.values())
        titles = [d.title for d in docs]
        needles = [odd_needle(rng, alphabet, titles, longest) for _ in range(12)]
        assert_index_walks(index, docs, needles, rng)
        for _ in range(rng.randint(1, 10)):
            roll = rng.random()
            if roll < 0.35 or not model:
                doc = Document(f"d{next_id}", odd_title(rng, alphabet, longest))
                next_id += 1
            elif roll < 0.55:  # retitled: keeps its place
                doc = Document(rng.choice(list(model)), odd_title(rng, alphabet, longest))
            elif roll < 0.85 or not removed:
                doc_id = rng.choice(list(model))
                index.remove(doc_id)
                del model[doc_id]
                removed.append(doc_id)
                continue
            else:  # back again: last
                doc = Document(removed.pop(), odd_title(rng, alphabet, longest))
            index.put(doc)
            model[doc.id] = doc


@pytest.mark.parametrize("common", [False, True], ids=["lists", "bitsets"])
def test_every_piece_of_every_title_equals_the_walk(
    common: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(titles_module, "MIN_COMMON", 1 if common else 10**9)
    titles = [
        "", "", "a", "aa", "aaa", "aaaa", "ß", "ss", "SS", "ẞ", "ﬁ", "fi", "ﬃ", "İ", "i̇", "ı",
        "\x00", "\x00\x00", "a\x00", "😀", "😀😀😀", "\U0010ffff\U0010ffffa", "\ud800", "\udc00a",
        "\ud83d\ude00", "ǅ", "ΣΣ", "σς", "ab", "ba", "aba", "  ", "a b",
    ]  # fmt: skip
    docs = [Document(str(i), t) for i, t in enumerate(titles)]
    folded = [titles_module.fold(t) for t in titles]
    pieces = {f[i:j] for f in folded for i in range(len(f)) for j in range(i + 1, len(f) + 1)}
    pieces |= {f + "a" for f in folded} | {"aaaaa", "ß", "İ", "ﬁ", "\U00010000", "\ud800\udc00"}
    pieces.discard("")
    index = TitleIndex(docs)
    for needle in sorted(pieces):
        for limit in (1, 2, 4, 100):
            assert index.find(needle, limit) == walk(docs, needle, limit), (needle, limit)
    one_by_one = TitleIndex()
    for doc in docs:
        one_by_one.put(doc)
    assert_index_walks(one_by_one, docs, sorted(pieces), random.Random(1))


def test_churn_grows_the_bitsets_and_renumbers_after_many_removals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Few documents live, thousands come and go: the bitsets grow past their bytes, and
    the places are renumbered once the holes outnumber the documents (not only at 2**31)."""
    monkeypatch.setattr(titles_module, "MIN_COMMON", 2)
    rng = random.Random(7)
    alphabet = ["a", "b", "ß", "😀", " "]
    index, model = TitleIndex(), {}
    largest, renumbered = index._bytes, 0
    for i in range(3000):
        doc = Document(f"d{i}", odd_title(rng, alphabet, 4))
        holes = index._holes
        index.put(doc)
        model[doc.id] = doc
        just_renumbered = index._holes < holes
        renumbered += just_renumbered
        largest = max(largest, index._bytes)
        if just_renumbered:  # still in index order
            assert list(index.documents()) == list(model.values())
        while len(model) > 6:
            doc_id = rng.choice(list(model))
            index.remove(doc_id)
            del model[doc_id]
        if i % 150 == 0 or just_renumbered:
            docs = list(model.values())
            titles = [d.title for d in docs]
            needles = [odd_needle(rng, alphabet, titles, 4) for _ in range(20)]
            assert_index_walks(index, docs, needles, rng)
    assert renumbered >= 1 and largest > 128  # both paths were taken
    docs = list(model.values())
    needles = [odd_needle(rng, alphabet, [d.title for d in docs], 4) for _ in range(50)]
    assert_index_walks(index, docs, needles, rng)


@pytest.mark.parametrize("seed", range(6))
def test_engine_title_matches_equal_the_walk_over_its_documents(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through build (duplicate ids), add, retitle, remove, re-add, rebuild and compaction
    (forced, and in the background after every few writes)."""
    rng = random.Random(seed)
    odd_constants(rng, monkeypatch)
    alphabet = rng.sample(ODD_CHARS, 4) + ["a"]
    engine = SearchEngine(compact_threshold=3, background_compaction=seed % 2 == 0)
    start = [Document(f"d{i}", odd_title(rng, alphabet, 4)) for i in range(20)]
    engine.build(start + start[:3])
    next_id, removed = 100, []
    for step in range(60):
        live = [d.id for d in engine.documents()]
        roll = rng.random()
        if roll < 0.35 or not live:
            engine.add(Document(f"d{next_id}", odd_title(rng, alphabet, 4)))
            next_id += 1
        elif roll < 0.55:
            engine.add(Document(rng.choice(live), odd_title(rng, alphabet, 4)))
        elif roll < 0.8:
            removed.append(live[rng.randrange(len(live))])
            engine.remove(removed[-1])
        elif roll < 0.95 and removed:
            engine.add(Document(removed.pop(), odd_title(rng, alphabet, 4)))
        elif roll < 0.97:
            engine.compact()
        else:
            engine.build([*engine.documents(), Document(f"b{step}", odd_title(rng, alphabet, 4))])
        if step % 5 == 0:
            engine.wait_for_compaction(10)
        docs = list(engine.documents())
        titles = [d.title for d in docs]
        for _ in range(4):
            needle = odd_needle(rng, alphabet, titles, 4)
            limit = rng.choice((1, 3, 50))
            assert engine.title_matches(needle, limit) == walk(docs, needle, limit), needle
    engine.wait_for_compaction(10)
