"""A 100-synapse convergent circuit for 1 s at 20 Hz: wall time and where it goes.

100 independent Schaffer-collateral fibres (glutamatergic preset: AMPA and NMDA receptors
simulated as molecules, EAAT2 transporters, exact SSA) converge on one CA1 pyramidal cell.

    python benchmarks/bench_convergent_circuit.py [--synapses 100] [--rate 20] [--seed 1]
        [--mode exact|hybrid|both] [--kernel auto|numba|python] [--repeat 3]

The wall time is the median of ``--repeat`` runs of the same circuit and seed: on this
machine one run varies by a fifth or more from one to the next.

With numba installed (``pip install -e ".[fast]"``) the reaction loops are compiled. A short
warm-up circuit runs first and its time is printed on its own: numba compiles the loops once per
machine (seconds, then cached on disk) and loads them once per process; that one-time cost is
not part of the circuit's wall time, as GillesPy2's compile time is not part of its figure.
"""

from __future__ import annotations

import argparse
import statistics
import time

import synevent as se
from synevent.engine import kernel


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synapses", type=int, default=100)
    ap.add_argument("--rate", type=float, default=20.0, help="Hz per fibre")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mode", default="both", choices=["exact", "hybrid", "both"])
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of the circuit per mode; the median wall time is reported")
    ap.add_argument("--kernel", default="auto", choices=["auto", "numba", "python"],
                    help="reaction loop (auto: numba when installed)")
    args = ap.parse_args()
    if args.kernel != "auto":
        if args.kernel == "numba" and not kernel._HAS_NUMBA:
            ap.error('numba is not installed: pip install -e ".[fast]"')
        kernel.KERNEL = args.kernel
    for mode in (("exact", "hybrid") if args.mode == "both" else (args.mode,)):
        run(args, mode)


def circuit(n: int, rate_hz: float) -> se.Circuit:
    c = se.Circuit()
    cell = c.add_neuron("ca1", se.ca1_pyramidal())
    fibres = c.add_inputs("ca3_", se.regular(rate_hz, max(int(rate_hz), 1), start_ms=1.0), n)
    c.connect(fibres, cell, se.presets.glutamatergic())
    return c


def warm_up(mode: str) -> float:
    """Seconds to run a small circuit that releases (so that every loop of ``mode`` is used)."""
    c = se.Circuit()
    cell = c.add_neuron("ca1", se.ca1_pyramidal())
    fibres = c.add_inputs("w", se.explicit([1.0, 20.0, 40.0]), 3)
    c.connect(fibres, cell, se.presets.glutamatergic().replace(calcium={"local_peak_uM": 40.0}))
    t0 = time.perf_counter()
    r = c.run(60.0, seed=0, mode=mode)
    assert r.summary["quanta"] > 0
    return time.perf_counter() - t0


def run(args, mode: str) -> None:
    warm = warm_up(mode)
    walls = []
    for _ in range(args.repeat):  # the same seed: the same run, only the wall time differs
        c = circuit(args.synapses, args.rate)
        t0 = time.perf_counter()
        r = c.run(1000.0, seed=args.seed, mode=mode)
        walls.append(time.perf_counter() - t0)
    wall = statistics.median(walls)
    s = r.summary
    reactions = sum(len(x.network.reactions) for x in r.synapses.values())
    print(f"{mode} mode, {kernel.kernel_name()} loop: synapses {args.synapses}, {args.rate:g} Hz, 1 s simulated")
    print(f"warm-up            {warm:8.2f} s   (3 synapses for 60 ms; includes compiling or loading the loops)")
    print(f"wall time          {wall:8.2f} s   ({wall:.2f} s per simulated second; median of "
          f"{len(walls)} runs: {', '.join(f'{w:.2f}' for w in walls)})")
    print(f"presynaptic spikes {s['n_input_spikes']:8d}")
    print(f"quanta released    {s['quanta']:8d}")
    print(f"postsynaptic spikes{s['ca1.n_spikes']:8d}   peak V {s['ca1.v_max_mV']:.1f} mV")
    print(f"reaction channels  {reactions:8d}")
    print(f"conserved          {s['conserved']}")


if __name__ == "__main__":
    main()
