"""Translation review: what the file watcher costs while nothing changes, against a refresh.

The review widget polls its translations file (one ``stat``) every second and refreshes only
when the file changed. The peer, measured in the same run, is the refresh itself (read the
file, rebuild the rows of a page, recount the states) for the sample module's 74 segments.

    .venv/bin/python benchmarks/review_watch.py [--polls 2000] [--refreshes 20]

Target: a poll under 1% of a refresh (so polling every second costs nothing noticeable).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from mblib.content import Workspace
from mblib.content.samples import sample_workspace
from mblib.widgets.review import TranslationReview


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--polls", type=int, default=2000)
    ap.add_argument("--refreshes", type=int, default=20)
    args = ap.parse_args()
    root = shutil.copytree(sample_workspace(), Path(tempfile.mkdtemp()) / "ws")
    ws = Workspace.open(root)
    review = TranslationReview(ws, module="reading-bar-charts", language="fr", watch=False)
    polls = []
    for _ in range(args.polls):
        t = time.perf_counter()
        changed = review.check_for_changes()
        polls.append(time.perf_counter() - t)
        assert not changed
    refreshes = []
    for _ in range(args.refreshes):
        t = time.perf_counter()
        review.refresh()
        refreshes.append(time.perf_counter() - t)
    p_us, r_ms = statistics.median(polls) * 1e6, statistics.median(refreshes) * 1000
    share = p_us / 1000 / r_ms
    print(f"sample module, {len(review.rows)} segments; {args.polls} polls, {args.refreshes} refreshes")
    print(f"poll with no change (one stat):            median {p_us:.1f} us")
    print(f"peer: refresh (read, rows of a page, counts): median {r_ms:.1f} ms")
    print(f"ratio poll / refresh: {share:.4f} (target < 0.01: {'met' if share < 0.01 else 'MISSED'})")


if __name__ == "__main__":
    main()
