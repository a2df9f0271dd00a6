"""``python -m mblib.cli``: the ``mb`` command."""

from . import main

if __name__ == "__main__":  # pragma: no cover  (importing this module runs nothing)
    main()
