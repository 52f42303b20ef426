"""``synevent plot``: figures of a finished run folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..engine.checks import ParameterError
from .common import EXIT_OK, path_arg, writable_file

__all__ = ["add_plot", "image_path"]


def image_path(out: Path) -> tuple[Path, str]:
    """The file ``savefig`` will write for ``--out``, and its format (the extension's).

    Without an extension matplotlib adds ``.`` + ``savefig.format`` (``.png``): the path is
    completed here so that the message names the file really written. An extension matplotlib
    cannot write is refused before the figure is drawn.
    """
    import matplotlib
    from matplotlib.backend_bases import FigureCanvasBase

    if not out.suffix:
        fmt = matplotlib.rcParams["savefig.format"]
        return out.with_name(f"{out.name}.{fmt}"), fmt
    fmt = out.suffix[1:].lower()
    allowed = sorted(FigureCanvasBase.get_supported_filetypes())
    if fmt not in allowed:
        listed = ", ".join("." + a for a in allowed)
        raise ParameterError(f'--out "{out}": matplotlib cannot write ".{fmt}" images; the '
                             f"extension picks the format, one of {listed}")
    return out, fmt


def _plot(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    folder = Path(args.folder)
    traces_file = folder / "traces.parquet"
    if not traces_file.is_file():
        raise ParameterError(f'"{folder}" is not a finished run folder with traces '
                             "(traces.parquet is missing; was outputs.traces false?)")
    requested = Path(args.out) if args.out else folder / "traces.png"
    writable_file(requested, "--out")  # before drawing: a bad path is refused at once
    out, fmt = image_path(requested)
    try:
        tr = pd.read_parquet(traces_file)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise ParameterError(f'"{traces_file}" cannot be read as traces: {exc}') from None
    missing = [c for c in ("replicate", "t_ms") if c not in tr.columns]
    if missing:
        raise ParameterError(f'"{traces_file}" is not the traces of a run: no column {missing}')
    traced = [c for c in tr.columns if c not in ("replicate", "t_ms")]
    # A synapse's run has a clamp current; a [volume] run has the probe signal instead.
    columns = args.columns or [c for c in traced
                               if c.endswith(("_free_uM", "_probe_uM")) or c == "current_pA"]
    unknown = [c for c in columns if c not in traced]
    if unknown:
        raise ParameterError(f"--columns: unknown {unknown}; the traces have {traced} "
                             "(plotted against t_ms)")
    fig, axes = plt.subplots(len(columns), 1, sharex=True, figsize=(7, 2.4 * len(columns)),
                             squeeze=False)
    for ax, col in zip(axes[:, 0], columns):
        g = tr.groupby("t_ms")[col]
        mean, sd = g.mean(), g.std(ddof=1).fillna(0.0)
        for _, rep in tr.groupby("replicate"):
            ax.plot(rep["t_ms"], rep[col], lw=0.5, alpha=0.3, color="0.5")
        ax.plot(mean.index, mean.to_numpy(), color="C0", lw=1.5, label="mean")
        ax.fill_between(mean.index, mean - sd, mean + sd, color="C0", alpha=0.2, label="± SD")
        ax.set_ylabel(col)
    axes[0, 0].legend(loc="upper right", frameon=False)
    axes[-1, 0].set_xlabel("t_ms")
    fig.suptitle(f"{folder.name}: {tr['replicate'].nunique()} replicate(s)")
    fig.tight_layout()
    try:
        fig.savefig(out, dpi=120, format=fmt)
    except OSError as exc:
        raise ParameterError(f'--out "{out}" cannot be written: {exc.strerror or exc}') from None
    finally:
        plt.close(fig)
    print(f"Figure written to {out}")
    return EXIT_OK


def add_plot(subparsers) -> None:
    p = subparsers.add_parser("plot", help="plot the traces of a finished run",
                              description="Plot each replicate's traces and their mean +- SD "
                              "from a run folder's traces.parquet.")
    p.add_argument("folder", help="a run folder (written by synevent run)")
    p.add_argument("--columns", nargs="+", metavar="COL",
                   help="trace columns (default: free transmitter, and current_pA or the "
                   "probe signal)")
    p.add_argument("--out", type=path_arg, metavar="FILE",
                   help="image file; its extension picks the format (.png, .pdf, .svg, ...; "
                   "none: .png is added, as matplotlib does). Its folder must exist "
                   "(default: FOLDER/traces.png)")
    p.set_defaults(handler=_plot)
