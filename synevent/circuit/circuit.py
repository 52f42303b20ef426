"""A small, explicit circuit API: inputs and neurons as nodes, synapses as connections.

>>> import synevent as se
>>> c = se.Circuit()
>>> cell = c.add_neuron("ca1", se.ca1_pyramidal())
>>> fibres = [c.add_input(f"ca3_{i}", se.poisson(5.0, 100.0)) for i in range(3)]
>>> names = c.connect(fibres, cell, se.presets.glutamatergic())
>>> len(names)
3

Convergence is many sources connected to one neuron; divergence is one source connected to
many synapses (``n`` > 1, or several targets), each releasing stochastically on its own; a
chain is a neuron used as the source of a connection, whose spikes reach the synapses after
``delay_ms``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..engine.checks import ParameterError, check_count, check_nonnegative, check_positive
from ..pharmacology.drugs import DrugApplication
from ..pharmacology.interventions import Intervention
from ..pharmacology.mechanisms import plan
from ..postsynaptic.neuron import CurrentClamp, NeuronParams, VoltageClamp
from ..stimulus.trains import SpikeTrain
from ..synapse import SynapseParams
from .retrograde import EndocannabinoidParams, RetrogradeSpec

__all__ = ["Circuit", "Connection", "NeuronNode"]

#: Conduction delay of a neuron's axon to its targets when none is given (ms): an assumption,
#: about 1 mm of unmyelinated axon at 0.5 m/s (docs/reference/parameters.md).
DEFAULT_AXON_DELAY_MS = 2.0


@dataclass(frozen=True)
class NeuronNode:
    """A postsynaptic (and possibly presynaptic) cell of the circuit."""

    name: str
    params: NeuronParams
    clamp: CurrentClamp | VoltageClamp


@dataclass(frozen=True)
class Connection:
    """``n`` independent synapses from ``pre`` onto ``post``."""

    pre: str
    post: str
    synapse: SynapseParams
    n: int
    delay_ms: float
    interventions: tuple = ()
    first: int = 0

    @property
    def synapse_names(self) -> list[str]:
        """``pre->post#k`` for its synapses, numbered on from earlier connections of the pair."""
        return [f"{self.pre}->{self.post}#{self.first + i}" for i in range(self.n)]


@dataclass
class Circuit:
    """Inputs (spike trains), neurons, and the synapses between them."""

    inputs: dict[str, SpikeTrain] = field(default_factory=dict)
    neurons: dict[str, NeuronNode] = field(default_factory=dict)
    connections: list[Connection] = field(default_factory=list)
    retrograde: dict[str, RetrogradeSpec] = field(default_factory=dict)

    def _new_name(self, name: str) -> str:
        if not isinstance(name, str) or not name or "->" in name or "#" in name or "." in name:
            raise ParameterError(f'node name must be a non-empty string without "->", "#" or ".", got {name!r}')
        if name in self.inputs or name in self.neurons:
            raise ParameterError(f'node "{name}" already exists in the circuit')
        return name

    def add_input(self, name: str, train: SpikeTrain) -> str:
        """A presynaptic fibre firing ``train`` (drawn once per run, shared by its synapses)."""
        if not isinstance(train, SpikeTrain):
            raise ParameterError(f'input "{name}": "train" must be a SpikeTrain, got {type(train).__name__}')
        self.inputs[self._new_name(name)] = train
        return name

    def add_inputs(self, prefix: str, train: SpikeTrain, n: int) -> list[str]:
        """``n`` independent fibres ``prefix0 ... prefix{n-1}`` with the same train statistics."""
        check_count("n", n, minimum=1)
        return [self.add_input(f"{prefix}{i}", train) for i in range(n)]

    def add_neuron(
        self,
        name: str,
        params: NeuronParams | None = None,
        clamp: CurrentClamp | VoltageClamp | None = None,
    ) -> str:
        """A single-compartment cell, free (current clamp, the default) or voltage-clamped."""
        params = NeuronParams() if params is None else params
        if not isinstance(params, NeuronParams):
            raise ParameterError(f'neuron "{name}": "params" must be NeuronParams, got {type(params).__name__}')
        clamp = CurrentClamp() if clamp is None else clamp
        if not isinstance(clamp, (CurrentClamp, VoltageClamp)):
            raise ParameterError(
                f'neuron "{name}": "clamp" must be CurrentClamp or VoltageClamp, got {type(clamp).__name__}'
            )
        self.neurons[self._new_name(name)] = NeuronNode(name, params, clamp)
        return name

    def connect(
        self,
        pre: str | Sequence[str],
        post: str,
        synapse: SynapseParams,
        *,
        n: int = 1,
        delay_ms: float | None = None,
        interventions: Iterable = (),
    ) -> list[str]:
        """Connect each of ``pre`` to ``post`` with ``n`` synapses each; return their names.

        ``delay_ms`` is the conduction delay from a spike of the source to the terminals:
        0 by default for inputs (their trains already say when spikes arrive), and
        :data:`DEFAULT_AXON_DELAY_MS` for neurons; a neuron's delay must be positive.
        """
        pres = [pre] if isinstance(pre, str) else list(pre)
        if post not in self.neurons:
            raise ParameterError(f'unknown target neuron "{post}"; neurons are {sorted(self.neurons)}')
        if not isinstance(synapse, SynapseParams):
            raise ParameterError(f'"synapse" must be SynapseParams, got {type(synapse).__name__}')
        check_count("n", n, minimum=1)
        if isinstance(interventions, (Intervention, DrugApplication)):
            interventions = (interventions,)
        # Once, so a generator serves every source; resolved now so a bad one fails here.
        ivs = tuple(interventions)
        plan(synapse, ivs)
        # Every source is checked before any is connected: a refused call leaves the circuit as
        # it was, so calling again after a fix does not connect the good sources twice.
        delays: list[float] = []
        for src in pres:
            if src in self.inputs:
                delays.append(0.0 if delay_ms is None else check_nonnegative("delay_ms", delay_ms))
            elif src in self.neurons:
                delays.append(DEFAULT_AXON_DELAY_MS if delay_ms is None
                              else check_positive("delay_ms", delay_ms))
            else:
                raise ParameterError(
                    f'unknown source "{src}"; inputs are {sorted(self.inputs)}, neurons {sorted(self.neurons)}'
                )
        names: list[str] = []
        for src, d in zip(pres, delays):
            first = sum(c.n for c in self.connections if c.pre == src and c.post == post)
            conn = Connection(src, post, synapse, n, d, ivs, first)
            self.connections.append(conn)
            names += conn.synapse_names
        return names

    def add_retrograde(
        self,
        post: str,
        params: EndocannabinoidParams | None = None,
        *,
        cb1_sources: Iterable[str] | None = None,
    ) -> str:
        """Endocannabinoid signalling from neuron ``post`` back to its CB1-expressing inputs.

        ``cb1_sources`` names the presynaptic nodes whose synapses onto ``post`` carry CB1
        (default: all of them, including connections made later); see
        :mod:`synevent.circuit.retrograde`.
        """
        if post not in self.neurons:
            raise ParameterError(f'unknown neuron "{post}" for retrograde signalling; neurons are {sorted(self.neurons)}')
        if post in self.retrograde:
            raise ParameterError(f'neuron "{post}" already has retrograde signalling')
        params = EndocannabinoidParams() if params is None else params
        if not isinstance(params, EndocannabinoidParams):
            raise ParameterError(f'"params" must be EndocannabinoidParams, got {type(params).__name__}')
        sources = None
        if cb1_sources is not None:
            sources = (cb1_sources,) if isinstance(cb1_sources, str) else tuple(cb1_sources)
            nodes = set(self.inputs) | set(self.neurons)
            unknown = [s for s in sources if s not in nodes]
            if unknown:
                raise ParameterError(f'"cb1_sources" names unknown nodes {unknown}; nodes are {sorted(nodes)}')
        self.retrograde[post] = RetrogradeSpec(post, params, sources)
        return post

    def n_synapses(self) -> int:
        return sum(c.n for c in self.connections)

    def run(self, t_end_ms: float, *, mode: str = "exact", **kwargs):
        """Simulate the circuit; see :func:`synevent.circuit.run.run_circuit` (``mode`` is
        ``"exact"`` or ``"hybrid"``)."""
        from .run import run_circuit

        return run_circuit(self, t_end_ms, mode=mode, **kwargs)
