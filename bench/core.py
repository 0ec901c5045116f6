"""Core throughput and read latency on SQLite.

    python bench/core.py [--events 20000] [--members 100] [--big-members 100000] [--big-ledger 1000000]

1. Replays a mix of asks, answers, accepts and profile/leaderboard reads through the core
   (CommunityBot.handle, real storage) with `--members` concurrent members, and reports
   events/s and p50/p99 latency. In the same run, raw `sqlite3` performs the same writes
   (one transaction per event, same schema and pragmas): the ceiling.
2. Fills a database with `--big-members` members and `--big-ledger` ledger rows and times
   `/rep` and `/leaderboard` through the core (median and p99).

Targets: >= 2,000 events/s with p99 <= 50 ms; /rep and /leaderboard median <= 10 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot import commands as c  # noqa: E402
from bot import errors  # noqa: E402
from bot.bootstrap import bootstrap  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.model import Actor, MemberRef, Period, ThreadRef  # noqa: E402


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def actor(i: int) -> Actor:
    return Actor(MemberRef("bench", "default", f"u{i}"), f"member{i}")


class Workload:
    """A deterministic mix: 15% ask, 50% answer, 10% accept, 15% /rep, 10% /leaderboard."""

    def __init__(self, members: int, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.members = members
        self.open: list[tuple[int, str]] = []  # (asker index, thread id)
        self.answers: dict[str, list[tuple[int, str]]] = {}
        self.n = 0

    def next_op(self, who: int) -> tuple[str, object]:
        self.n += 1
        r = self.rng.random()
        if r < 0.15 or not self.open:
            tid = f"t{self.n}"
            self.open.append((who, tid))
            self.answers[tid] = []
            return "ask", (tid, f"Question {self.n}: how do I configure feature {self.n % 97}?")
        if r < 0.65:
            asker, tid = self.rng.choice(self.open[-200:])
            if asker == who:
                who = (who + 1) % self.members
            mid = f"a{self.n}"
            self.answers[tid].append((who, mid))
            return "answer", (tid, mid, who)
        if r < 0.75:
            for _ in range(5):
                asker, tid = self.rng.choice(self.open[-200:])
                if self.answers.get(tid):
                    return "accept", (asker, self.answers[tid][-1][1], tid)
            return "rep", None
        if r < 0.90:
            return "rep", None
        return "leaderboard", None


async def core_run(
    db_path: Path, events: int, members: int, *, suggestions: bool = True
) -> dict[str, float]:
    data: dict[str, Any] = {"database": {"url": f"sqlite:///{db_path}"}}
    if not suggestions:
        data["knowledge"] = {"suggestions": 0}  # no similar-question search at ask time
    config = parse_config(data)
    app = await bootstrap(config, clock=SystemClock())
    bot = app.bot
    work = Workload(members)
    latencies: list[float] = []
    per_member = events // members
    counter = {"writes": 0}

    async def member(i: int) -> None:
        me = actor(i)
        for _ in range(per_member):
            op, arg = work.next_op(i)
            start = time.perf_counter()
            try:
                if op == "ask":
                    tid, text = arg  # type: ignore[misc]
                    await bot.handle(
                        c.AskQuestion(me, "help", tid, text, event_id=tid, thread_id=tid)
                    )
                    counter["writes"] += 1
                elif op == "answer":
                    tid, mid, who = arg  # type: ignore[misc]
                    await bot.handle(
                        c.PostMessage(
                            actor(who),
                            ThreadRef("bench", tid),
                            mid,
                            "Try restarting it.",
                            event_id=mid,
                        )
                    )
                    counter["writes"] += 1
                elif op == "accept":
                    asker, mid, _tid = arg  # type: ignore[misc]
                    await bot.handle(c.AcceptAnswer(actor(asker), mid, event_id=f"acc-{mid}"))
                    counter["writes"] += 1
                elif op == "rep":
                    await bot.handle(c.ShowReputation(me))
                else:
                    await bot.handle(c.ShowLeaderboard(me, Period.WEEK))
            except errors.DomainError:
                pass  # e.g. a repeated accept: still a processed event
            latencies.append(time.perf_counter() - start)

    # The schema exists (bootstrap ran migrations); warm up the connections.
    await bot.handle(c.ShowLeaderboard(actor(0), Period.ALL))
    t0 = time.perf_counter()
    await asyncio.gather(*(member(i) for i in range(members)))
    elapsed = time.perf_counter() - t0
    await app.close()
    return {
        "events": len(latencies),
        "seconds": elapsed,
        "eps": len(latencies) / elapsed,
        "p50_ms": pct(latencies, 50) * 1000,
        "p99_ms": pct(latencies, 99) * 1000,
        "writes": counter["writes"],
    }


def raw_sqlite_run(schema_db: Path, events: int) -> dict[str, float]:
    """The same writes with plain sqlite3: one transaction per event, same pragmas."""

    path = schema_db.with_name("raw.db")
    src = sqlite3.connect(schema_db)
    dst = sqlite3.connect(path)
    schema = [
        r[0]
        for r in src.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
        )
    ]
    src.close()
    for stmt in schema:
        dst.execute(stmt)
    dst.commit()
    dst.isolation_level = None
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute("PRAGMA synchronous=NORMAL")
    now = datetime.now(UTC).isoformat(" ")
    rng = random.Random(7)
    latencies: list[float] = []
    q_ids: list[int] = []
    t0 = time.perf_counter()
    for n in range(events):
        start = time.perf_counter()
        dst.execute("BEGIN IMMEDIATE")
        dst.execute(
            "INSERT INTO processed_events(platform, event_id, processed_at) VALUES ('raw', ?, ?)",
            (f"e{n}", now),
        )
        member = dst.execute(
            "INSERT INTO members(community, platform, platform_user_id, display_name, is_bot, is_moderator, created_at)"
            " VALUES ('default','raw',?,?,0,0,?) ON CONFLICT(community, platform, platform_user_id)"
            " DO UPDATE SET display_name=excluded.display_name RETURNING id",
            (f"u{n % 100}", f"member{n % 100}", now),
        ).fetchone()[0]
        r = rng.random()
        if r < 0.2 or not q_ids:
            qid = dst.execute(
                "INSERT INTO questions(community, platform, channel_id, message_id, thread_id, asker_id, title, body,"
                " status, created_at, last_activity_at) VALUES ('default','raw','help',?,?,?,?,?, 'open', ?, ?) RETURNING id",
                (f"m{n}", f"t{n}", member, f"Question {n}", f"Question {n}", now, now),
            ).fetchone()[0]
            q_ids.append(qid)
        elif r < 0.85:
            qid = rng.choice(q_ids[-200:])
            dst.execute(
                "INSERT INTO messages(question_id, author_id, platform, message_id, excerpt, created_at) VALUES (?,?,'raw',?,?,?)",
                (qid, member, f"a{n}", "Try restarting it.", now),
            )
            dst.execute("UPDATE questions SET last_activity_at=? WHERE id=?", (now, qid))
        else:
            qid = rng.choice(q_ids[-200:])
            dst.execute(
                "INSERT INTO ledger(community, member_id, delta, reason, question_id, capped, created_at)"
                " VALUES ('default', ?, 15, 'accepted_answer', ?, 0, ?)",
                (member, qid, now),
            )
            dst.execute(
                "INSERT INTO reputation_totals(member_id, community, points, accepted_count) VALUES (?, 'default', 15, 1)"
                " ON CONFLICT(member_id) DO UPDATE SET points = points + 15, accepted_count = accepted_count + 1",
                (member,),
            )
            dst.execute("UPDATE questions SET status='solved' WHERE id=?", (qid,))
        dst.execute("COMMIT")
        latencies.append(time.perf_counter() - start)
    elapsed = time.perf_counter() - t0
    dst.close()
    return {
        "events": events,
        "seconds": elapsed,
        "eps": events / elapsed,
        "p50_ms": pct(latencies, 50) * 1000,
        "p99_ms": pct(latencies, 99) * 1000,
    }


def fill_big(db_path: Path, members: int, ledger_rows: int) -> None:
    """Bulk-load members, ledger rows and the derived caches directly (setup, not measured)."""

    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    rng = random.Random(11)
    now = datetime.now(UTC)
    con.executemany(
        "INSERT INTO members(id, community, platform, platform_user_id, display_name, is_bot, is_moderator, created_at)"
        " VALUES (?, 'default', 'bench', ?, ?, 0, ?, ?)",
        (
            (i + 1, f"u{i}", f"member{i}", int(i % 500 == 0), now.isoformat(" "))
            for i in range(members)
        ),
    )
    totals: dict[int, int] = {}
    accepted: dict[int, int] = {}
    daily: dict[tuple[int, str], int] = {}
    batch = []
    for _ in range(ledger_rows):
        member = int(rng.paretovariate(1.2)) % members + 1
        when = now - timedelta(days=rng.random() * 365)
        big = rng.random() < 0.3
        delta = 15 if big else 2
        reason = "accepted_answer" if big else "thanks"
        batch.append((member, delta, reason, int(not big), when.isoformat(" ")))
        totals[member] = totals.get(member, 0) + delta
        accepted[member] = accepted.get(member, 0) + int(big)
        key = (member, when.date().isoformat())
        daily[key] = daily.get(key, 0) + delta
        if len(batch) >= 50_000:
            con.executemany(
                "INSERT INTO ledger(community, member_id, delta, reason, capped, created_at) VALUES ('default', ?, ?, ?, ?, ?)",
                batch,
            )
            batch.clear()
    if batch:
        con.executemany(
            "INSERT INTO ledger(community, member_id, delta, reason, capped, created_at) VALUES ('default', ?, ?, ?, ?, ?)",
            batch,
        )
    con.executemany(
        "INSERT INTO reputation_totals(member_id, community, points, accepted_count) VALUES (?, 'default', ?, ?)",
        ((m, p, accepted[m]) for m, p in totals.items()),
    )
    con.executemany(
        "INSERT INTO reputation_daily(member_id, day, community, points, capped_points) VALUES (?, ?, 'default', ?, 0)",
        ((m, d, p) for (m, d), p in daily.items()),
    )
    con.commit()
    con.execute("ANALYZE")
    con.close()


async def big_reads(
    db_path: Path, members: int, ledger_rows: int, repeats: int
) -> dict[str, dict[str, float]]:
    config = parse_config({"database": {"url": f"sqlite:///{db_path}"}})
    app = await bootstrap(config, clock=SystemClock())
    t0 = time.perf_counter()
    fill_big(db_path, members, ledger_rows)
    print(
        f"  (filled {members:,} members and {ledger_rows:,} ledger rows in {time.perf_counter() - t0:.1f}s)"
    )
    rng = random.Random(3)
    out: dict[str, dict[str, float]] = {}
    viewer = Actor(MemberRef("bench", "default", "u1"), "member1")
    cases = {
        "/rep (random member)": lambda: c.ShowReputation(
            viewer, MemberRef("bench", "default", f"u{rng.randrange(members)}")
        ),
        "/leaderboard all": lambda: c.ShowLeaderboard(viewer, Period.ALL),
        "/leaderboard week": lambda: c.ShowLeaderboard(viewer, Period.WEEK),
        "/leaderboard month": lambda: c.ShowLeaderboard(viewer, Period.MONTH),
    }
    for name, make in cases.items():
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            await app.bot.handle(make())
            times.append(time.perf_counter() - start)
        out[name] = {"p50_ms": statistics.median(times) * 1000, "p99_ms": pct(times, 99) * 1000}
    await app.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--big-members", type=int, default=100_000)
    parser.add_argument("--big-ledger", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "core.db"
        print(f"1) mixed traffic: {args.events:,} events, {args.members} concurrent members")
        core = asyncio.run(core_run(db, args.events, args.members))
        raw = raw_sqlite_run(db, core["writes"])
        quiet = asyncio.run(
            core_run(Path(tmp) / "quiet.db", args.events, args.members, suggestions=False)
        )
        print(
            f"  core (CommunityBot.handle): {core['eps']:8.0f} events/s  p50 {core['p50_ms']:.2f} ms  p99 {core['p99_ms']:.2f} ms"
        )
        print(
            f"  core, no ask-time search:  {quiet['eps']:8.0f} events/s  p50 {quiet['p50_ms']:.2f} ms  p99 {quiet['p99_ms']:.2f} ms"
            "  (breakdown only)"
        )
        print(
            f"  raw sqlite3 (writes only): {raw['eps']:8.0f} writes/s  p50 {raw['p50_ms']:.2f} ms  p99 {raw['p99_ms']:.2f} ms"
        )
        print(
            f"  core / raw ceiling: {core['eps'] / raw['eps']:.2f}x   target >= 2,000 events/s, p99 <= 50 ms: "
            f"{'MET' if core['eps'] >= 2000 and core['p99_ms'] <= 50 else 'NOT MET'}"
        )
        big = Path(tmp) / "big.db"
        print(
            f"2) reads with {args.big_members:,} members and {args.big_ledger:,} ledger rows ({args.repeats} calls each)"
        )
        for name, figures in asyncio.run(
            big_reads(big, args.big_members, args.big_ledger, args.repeats)
        ).items():
            verdict = "MET" if figures["p50_ms"] <= 10 else "NOT MET"
            print(
                f"  {name:22s} median {figures['p50_ms']:6.2f} ms  p99 {figures['p99_ms']:6.2f} ms  (target median <= 10 ms: {verdict})"
            )


if __name__ == "__main__":
    main()
