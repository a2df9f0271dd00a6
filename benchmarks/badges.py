"""Signed badges benchmark: signing and verifying N AchievementCredentials with mblib (pyld + cryptography)
against Digital Bazaar's reference implementation (@digitalbazaar/vc, eddsa-rdfc-2022, under node), the
same credentials and the same key, in the same run.

    .venv/bin/python benchmarks/badges.py [--credentials 200]

Needs node and `npm ci`. Both sides work in one process each (node's start-up and imports are not
counted; mblib's JSON-LD contexts are warmed by one signature first, as node's are by its first).
Also times `export_badges(..., key=...)` end to end (registry, status list, files) for the same cohort,
and publishing its learner pages (`mb share`: verify, then page + baked SVG + JSON per credential)
against verifying the same folder alone (`mb verify`), in the same run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mblib.content import Workspace  # noqa: E402
from mblib.export.badge_publish import publish_credential_pages  # noqa: E402
from mblib.export.badges import export_badges, issue_badges  # noqa: E402
from mblib.export.keys import new_key  # noqa: E402
from mblib.export.signing import add_proof  # noqa: E402
from mblib.export.verify import verify_credential  # noqa: E402
from mblib.export.verify_files import verify_path  # noqa: E402

SAMPLE = REPO / "datasets" / "sample-workspace"
SCRIPT = REPO / "tests" / "export" / "js" / "ob3.mjs"
CONTEXTS = REPO / "mblib" / "export" / "ob3"
CID = "data-literacy-foundations"
MODULES = [
    "reading-bar-charts",
    "line-charts-over-time",
    "mean-median-and-outliers",
    "percentages-and-percentage-points",
    "spotting-misleading-charts",
    "samples-and-surveys",
]


def cohort(n: int) -> list[dict]:
    """Events for ``n`` learners who all earn the credential."""
    return [
        {"timestamp": f"2026-03-{1 + i % 28:02d}T10:00:00Z", "learner_id": f"learner-{k:05d}", "verb": "passed",
         "module_id": m, "score": 0.8 + (k % 20) / 100, "success": True}
        for k in range(n)
        for i, m in enumerate(MODULES)
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", type=int, default=200)
    args = parser.parse_args()
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        sys.exit("needs node and the npm devDependencies: run `make node` (npm ci)")
    tmp = Path(tempfile.mkdtemp(prefix="mblib-bench-badges-"))
    try:
        ws = Workspace.open(shutil.copytree(SAMPLE, tmp / "ws", ignore=shutil.ignore_patterns(".mblib")))
        key_path, key = new_key(tmp / "issuer.json")
        events = cohort(args.credentials)
        _ach, issued = issue_badges(ws, CID, events)
        docs = [{**d, "issuer": {**d["issuer"], "id": key.did}} for d in issued.values()]
        assert len(docs) == args.credentials, len(docs)
        folder = tmp / "unsigned"
        folder.mkdir()
        for i, d in enumerate(docs):
            (folder / f"{i:05d}.json").write_text(json.dumps(d))
        when = datetime(2026, 4, 1, tzinfo=UTC)
        add_proof(docs[0], key, created=when)  # warm-up (contexts parsed once, as node's first issue does)
        t = time.perf_counter()
        signed = [add_proof(d, key, created=when) for d in docs]
        py_sign = time.perf_counter() - t
        t = time.perf_counter()
        ok = sum(verify_credential(d).ok for d in signed)
        py_verify = time.perf_counter() - t
        r = subprocess.run([node, str(SCRIPT), "time", str(CONTEXTS), str(folder), str(key_path)],
                           capture_output=True, text=True, timeout=1800, check=True)  # fmt: skip
        peer = json.loads(r.stdout)
        t = time.perf_counter()
        export_badges(ws, CID, events, tmp / "badges", key=key, registry=tmp / "issued")
        export_s = time.perf_counter() - t
        t = time.perf_counter()
        verified = sum(r.ok for _, r in verify_path(tmp / "badges"))
        verify_s = time.perf_counter() - t
        t = time.perf_counter()
        pages = publish_credential_pages(tmp / "badges", tmp / "site" / "credentials", registry_folder=tmp / "issued")
        publish_s = time.perf_counter() - t
        n = len(docs)
        print(f"{n} credentials, one process each side; ratio = mblib / node")
        print(f"sign:   mblib {py_sign:.2f} s ({py_sign / n * 1000:.1f} ms each) | node {peer['sign_s']:.2f} s "
              f"({peer['sign_s'] / n * 1000:.1f} ms each) | ratio {py_sign / peer['sign_s']:.2f}x")  # fmt: skip
        print(f"verify: mblib {py_verify:.2f} s ({py_verify / n * 1000:.1f} ms each, all five checks) | node "
              f"{peer['verify_s']:.2f} s (proof only) | ratio {py_verify / peer['verify_s']:.2f}x")  # fmt: skip
        print(f"valid:  mblib {ok}/{n} | node {peer['verified']}/{peer['count']}")
        print(f"export_badges --sign end to end (events, registry, status list, files): {export_s:.2f} s")
        print(f"learner pages: publish (verify + pages) {publish_s:.2f} s, {len(pages)} pages, "
              f"{sum(p.ok for p in pages)} verified | mb verify alone {verify_s:.2f} s, {verified} valid | "
              f"ratio {publish_s / verify_s:.2f}x")  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
