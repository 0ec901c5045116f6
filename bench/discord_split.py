"""How long Discord's message splitter takes on text full of backticks, beside plain text.

Why: `adapters.discord.render.split_message` runs on the event loop for every long reply
(the largest it is given is about 17 KB: `/mod reports` with 20 long reasons), and member text
decides where its code spans are. Backticks that nothing closes once made each one a re-read
of a part's length: 20 KB of "`````x" took 0.3 s, sixty times plain prose with code. The
figures are ratios against that prose in the same run, so a busy machine moves both sides.

    python bench/discord_split.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.discord.render import split_message  # noqa: E402

PROSE = (
    "See `config.toml` and run ```sh\ncommunity-bot run\n``` then check [the docs](https://x.y). "
)
SHAPES: dict[str, Callable[[int], str]] = {
    "prose with code (baseline)": lambda n: (PROSE * (n // len(PROSE) + 1))[:n],
    '"`````x" (runs nothing closes)': lambda n: ("`````x" * (n // 6 + 1))[:n],
    '"``x" (runs closed at once)': lambda n: ("``x" * (n // 3 + 1))[:n],
    '"``````\\n" (fence-like lines)': lambda n: ("``````\n" * (n // 7 + 1))[:n],
}


def best_of(repeat: int, text: str) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        split_message(text)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="best of this many runs")
    args = parser.parse_args()
    for size in (4_000, 17_000, 100_000):
        base = best_of(args.repeat, SHAPES["prose with code (baseline)"](size))
        print(f"\n{size:,} characters")
        for name, make in SHAPES.items():
            took = best_of(args.repeat, make(size))
            print(f"  {name:36} {took * 1000:8.2f} ms  {took / base:6.1f}x baseline")


if __name__ == "__main__":
    main()
