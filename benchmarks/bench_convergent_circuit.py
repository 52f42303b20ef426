"""A 100-synapse convergent circuit for 1 s at 20 Hz: wall time and where it goes.

100 independent Schaffer-collateral fibres (glutamatergic preset: AMPA and NMDA receptors
simulated as molecules, EAAT2 transporters, exact SSA) converge on one CA1 pyramidal cell.

    python benchmarks/bench_convergent_circuit.py [--synapses 100] [--rate 20] [--seed 1]
        [--mode exact|hybrid|both]
"""

from __future__ import annotations

import argparse
import time

import synevent as se


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synapses", type=int, default=100)
    ap.add_argument("--rate", type=float, default=20.0, help="Hz per fibre")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mode", default="both", choices=["exact", "hybrid", "both"])
    args = ap.parse_args()
    for mode in (("exact", "hybrid") if args.mode == "both" else (args.mode,)):
        run(args, mode)


def run(args, mode: str) -> None:
    c = se.Circuit()
    cell = c.add_neuron("ca1", se.ca1_pyramidal())
    fibres = c.add_inputs("ca3_", se.regular(args.rate, int(args.rate), start_ms=1.0), args.synapses)
    c.connect(fibres, cell, se.presets.glutamatergic())
    t0 = time.perf_counter()
    r = c.run(1000.0, seed=args.seed, mode=mode)
    wall = time.perf_counter() - t0
    s = r.summary()
    reactions = sum(len(x.network.reactions) for x in r.synapses.values())
    print(f"{mode} mode: synapses {args.synapses}, {args.rate:g} Hz, 1 s simulated")
    print(f"wall time          {wall:8.2f} s   ({wall:.2f} s per simulated second)")
    print(f"presynaptic spikes {s['n_input_spikes']:8d}")
    print(f"quanta released    {s['quanta']:8d}")
    print(f"postsynaptic spikes{s['ca1.n_spikes']:8d}   peak V {s['ca1.v_max_mV']:.1f} mV")
    print(f"reaction channels  {reactions:8d}")
    print(f"conserved          {s['conserved']}")


if __name__ == "__main__":
    main()
