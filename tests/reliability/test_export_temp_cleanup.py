"""No temporary folders pile up in the exports folder (issue 10, item 12).

A killed run leaves its temporary folder behind; the next run of the same command for
the same target removes it (only our own naming, only that target, only when stale and
not in use by a running process). A failed or refused export leaves none.
"""

from __future__ import annotations

import os
import time
import zipfile

import pytest

from mblib.export.scratch import STALE_AFTER_S

CRED = "data-literacy-foundations"


def _dead_pid():
    for pid in range(4_000_000, 3_000_000, -7919):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except OSError:
            continue
    pytest.skip("no free process id found")


def _plant(folder, name, *, age=STALE_AFTER_S + 3600, file=False):
    path = folder / name
    if file:
        path.write_text("half")
    else:
        (path / "half").mkdir(parents=True)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def _names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_stale_temporaries_of_the_same_target_are_removed_others_stay(sample_ws, tmp_path):
    from mblib.export.badges import export_badges

    exports = tmp_path / "badges"
    exports.mkdir()
    dead = _dead_pid()
    stale = [
        _plant(exports, f".{CRED}.abcd1234.tmp"),  # an older mblib's naming
        _plant(exports, f".{CRED}.k2j4_x9q.old"),
        _plant(exports, f".{CRED}.{dead}-abcd1234.tmp"),
    ]  # its process is gone
    kept = [
        _plant(exports, f".{CRED}.{os.getpid()}-zzzz0000.tmp", age=0),  # in use right now
        _plant(exports, f".{CRED}.{dead}-yyyy0000.tmp", age=60),  # too recent to judge
        _plant(exports, f".{CRED}.v2.abcd1234.tmp"),  # another target's
        _plant(exports, f".{CRED}-notes.txt", file=True),
        _plant(exports, "notes.abcd1234.tmp"),
    ]
    export_badges(sample_ws, CRED, [], exports / CRED)
    assert not any(p.exists() for p in stale)
    assert _names(exports) == sorted([CRED, *(p.name for p in kept)])


def test_lessons_and_scorm_clean_their_own_leftovers(sample_ws, tmp_path):
    from mblib.export.lessons import export_lessons
    from mblib.export.scorm import export_scorm

    out = tmp_path / "exports"
    out.mkdir()
    stale = [
        _plant(out, ".lessons.abcd1234.tmp"),
        _plant(out, f".lessons.{_dead_pid()}-abcd1234.tmp"),
        _plant(out, ".reading-bar-charts.abcd1234"),  # an older SCORM build folder
        _plant(out, ".reading-bar-charts.zip.abcd1234.tmp", file=True),
    ]
    export_lessons(sample_ws, out / "lessons", ["reading-bar-charts"], execute=False)
    export_scorm(sample_ws, "reading-bar-charts", out / "reading-bar-charts.zip", execute=False)
    assert not any(p.exists() for p in stale)
    assert _names(out) == ["lessons", "reading-bar-charts.zip"]


def test_an_export_that_fails_midway_leaves_no_temporary_folder(sample_ws, tmp_path, monkeypatch):
    from mblib.export.lessons import export_lessons
    from mblib.render import page

    out = tmp_path / "exports"
    export_lessons(sample_ws, out / "lessons", ["reading-bar-charts"], execute=False)
    before = (out / "lessons" / "reading-bar-charts.html").read_bytes()

    def broken(*a, **kw):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(page, "render_index", broken)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        export_lessons(sample_ws, out / "lessons", ["reading-bar-charts"], execute=False, force=True)
    assert _names(out) == ["lessons"] and (out / "lessons" / "reading-bar-charts.html").read_bytes() == before
    monkeypatch.undo()

    def no_room(new, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("mblib.export.packaging.replace_folder", no_room)  # fails while moving into place
    with pytest.raises(OSError, match="No space left"):
        export_lessons(sample_ws, out / "lessons", ["reading-bar-charts"], execute=False, force=True)
    assert _names(out) == ["lessons"]


def test_a_refused_or_failed_import_leaves_nothing_and_cleans_stale_scratch(tmp_path):
    from mblib.export.errors import UnsafePackageError
    from mblib.export.packaging import import_package

    pkg = tmp_path / "pkg.zip"
    with zipfile.ZipFile(pkg, "w") as zf:
        zf.writestr("index.html", "<p>hi</p>")
    dest = tmp_path / "dest"
    dest.mkdir()
    stale = _plant(dest, f".mblib-import.{_dead_pid()}-abcd1234.tmp")
    import_package(pkg, dest)  # only a stale scratch folder inside: DEST counts as empty
    assert _names(dest) == ["index.html"] and not stale.exists()
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("x", "1")
        zf.writestr("x/y", "2")
    with pytest.raises(UnsafePackageError):
        import_package(bad, dest, replace=True)
    with pytest.raises(UnsafePackageError):
        import_package(bad, tmp_path / "new")
    assert _names(dest) == ["index.html"] and _names(tmp_path) == ["bad.zip", "dest", "pkg.zip"]
