"""``python -m synevent``: the same as the ``synevent`` command."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
