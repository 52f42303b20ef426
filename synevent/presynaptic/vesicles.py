"""Parameters of the vesicle cycle: release sites, pools, fusion modes, retrieval and refilling.

The cycle, per vesicle: reserve (filled) → docked at an empty slot of a release site → primed
(its Ca²⁺ sensor becomes active) → fused, by full collapse or kiss-and-run → retrieved by the
matching route → refilled from the cytosolic transmitter stock → reserve. Every step is a
first-order reaction per vesicle (exponential dwell times), simulated exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.checks import (
    ParameterError,
    check_count,
    check_nonnegative,
    check_positive,
    check_probability,
)

__all__ = ["VesicleParams"]


@dataclass(frozen=True)
class VesicleParams:
    """Release sites, pools and the vesicle cycle (rates per ms, times in ms).

    Parameters
    ----------
    n_sites : int
        Release sites (active zones).
    slots_per_site : int
        Docking slots per site.
    n_reserve : int
        Filled vesicles in the reserve pool at the start.
    k_dock_per_ms, k_undock_per_ms : float
        Docking rate per empty slot (while the reserve is not empty); undocking per docked
        vesicle.
    k_prime_per_ms, k_unprime_per_ms : float
        Priming per docked vesicle; unpriming per primed vesicle.
    molecules_per_vesicle : float
        Mean transmitter content of a filled vesicle.
    quantal_cv : float
        Coefficient of variation of the content (gamma distribution; 0: every vesicle equal).
    p_kiss_and_run : float
        Probability that a fusion is kiss-and-run rather than full collapse.
    kiss_and_run_fraction : float
        Mean fraction of the content released by a kiss-and-run fusion (binomial).
    tau_retrieval_full_ms, tau_retrieval_kr_ms : float
        Mean retrieval time after full fusion (slow, clathrin-mediated) and after kiss-and-run.
    tau_refill_ms : float
        Mean time to refill a retrieved vesicle (reacidification and loading).
    stock_initial : int
        Cytosolic transmitter molecules available for refilling at the start.
    stock_max : int
        Capacity of the cytosolic stock that synthesis refills.
    synthesis_per_ms : float
        Synthesis flux into the cytosolic stock (molecules per ms, deterministic).
    """

    n_sites: int = 1
    slots_per_site: int = 1
    n_reserve: int = 200
    k_dock_per_ms: float = 2.4e-4
    k_undock_per_ms: float = 0.0
    k_prime_per_ms: float = 1.0
    k_unprime_per_ms: float = 0.0
    molecules_per_vesicle: float = 3000.0
    quantal_cv: float = 0.3
    p_kiss_and_run: float = 0.0
    kiss_and_run_fraction: float = 0.3
    tau_retrieval_full_ms: float = 15000.0
    tau_retrieval_kr_ms: float = 1000.0
    tau_refill_ms: float = 5000.0
    stock_initial: int = 10_000_000
    stock_max: int = 10_000_000
    synthesis_per_ms: float = 0.0

    def __post_init__(self) -> None:
        check_count("n_sites", self.n_sites, minimum=1)
        check_count("slots_per_site", self.slots_per_site, minimum=1)
        check_count("n_reserve", self.n_reserve)
        for name in (
            "k_dock_per_ms",
            "k_undock_per_ms",
            "k_prime_per_ms",
            "k_unprime_per_ms",
            "quantal_cv",
            "synthesis_per_ms",
        ):
            check_nonnegative(name, getattr(self, name))
        check_positive("molecules_per_vesicle", self.molecules_per_vesicle)
        check_probability("p_kiss_and_run", self.p_kiss_and_run)
        check_probability("kiss_and_run_fraction", self.kiss_and_run_fraction)
        for name in ("tau_retrieval_full_ms", "tau_retrieval_kr_ms", "tau_refill_ms"):
            check_positive(name, getattr(self, name), allow_inf=True)
        check_count("stock_initial", self.stock_initial)
        check_count("stock_max", self.stock_max)
        if self.stock_initial > self.stock_max:
            raise ParameterError(
                f'"stock_initial" must be <= "stock_max" ({self.stock_max}), '
                f"got {self.stock_initial}"
            )

    @property
    def n_slots(self) -> int:
        """Docking slots in the terminal."""
        return self.n_sites * self.slots_per_site

    def slot_occupancy(self) -> tuple[float, float, float]:
        """Stationary probability that a slot is empty, docked or primed, without spikes.

        Docking, undocking, priming and unpriming form a birth–death chain per slot
        (spontaneous fusion, minutes apart, is neglected here: this only sets the start).
        """
        if self.k_undock_per_ms == 0:
            # Nothing leaves a docked slot: slots start filled.
            w_e, w_d = 0.0, 1.0
        else:
            w_e, w_d = 1.0, self.k_dock_per_ms / self.k_undock_per_ms
        if self.k_prime_per_ms == 0:
            w_p = 0.0
        elif self.k_unprime_per_ms > 0:
            w_p = w_d * self.k_prime_per_ms / self.k_unprime_per_ms
        else:
            return (0.0, 0.0, 1.0)
        tot = w_e + w_d + w_p
        return (w_e / tot, w_d / tot, w_p / tot)
