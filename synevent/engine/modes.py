"""Simulation modes: ``"exact"`` (every reaction drawn) and ``"hybrid"`` (high-copy pools leaped).

One place names the modes so that every entry point (:func:`~synevent.simulate`,
:func:`~synevent.simulate_network`, :meth:`~synevent.Circuit.run`) refuses the same values with
the same message.
"""

from __future__ import annotations

from typing import Any

from .checks import check_choice

__all__ = ["MODES", "check_mode"]

#: Accepted values of the ``mode`` keyword.
MODES: tuple[str, ...] = ("exact", "hybrid")


def check_mode(mode: Any) -> str:
    """Return ``mode`` if it is one of :data:`MODES`, else raise ``ParameterError``."""
    return check_choice("mode", mode, MODES)
