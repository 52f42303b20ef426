"""docs/reference/parameters.md agrees with the code, which is the reference.

The page says its tables were generated from ``synevent.presets`` and the other default sets.
Here every numeric field of every preset, of both Ca²⁺-sensor sets and of the other defaults the
page lists (endocannabinoid chain, neurons, circuit, metabotropic factories, unused receptor
schemes, shared constants, class defaults) is flattened to ``(name, value)`` pairs named as the
page names them (``receptors[AMPA].n``, ``transporters[EAAT2].kon_per_uM_per_ms``,
``receptors[AMPA].scheme.transitions C0 → C1``). Each must have a row whose value is the code's
value to the printed precision, with a source and a confidence label from the page's label table.
The preset's derived-values tables, the sensors' predictions and the class defaults are recomputed.

Conventions of the page that the parser relies on:

* a value may be written as a formula ending in ``= number`` (``1/60 = 0.01667``);
* a field whose code value is ``None`` is written ```None` → effective value``;
* a row whose value is ``as `f()``` (or just ```f()```, as the presets' ``sensor`` row) takes the
  fields under its name from the table of the section ``f``;
* a row may name several fields (```a`, `b```) with as many comma-separated values.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import math
import pathlib
import re
from collections.abc import Mapping

import pytest

import synevent as se
from synevent import presets
from synevent.circuit import circuit as circuit_module
from synevent.circuit import run as circuit_run
from synevent.circuit.retrograde import EndocannabinoidParams
from synevent.postsynaptic import cells, gpcr_library
from synevent.postsynaptic.library import RECEPTOR_LIBRARY
from synevent.presynaptic.calibration import release_probability
from synevent.presynaptic.sensor import release_fraction_step, spontaneous_rate_per_ms

PAGE = pathlib.Path(__file__).resolve().parents[1] / "docs" / "reference" / "parameters.md"
_NUMBER = re.compile(r"([+-]?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?")


# -- reading the page ------------------------------------------------------------------------------
def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _key(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.replace("`", "")).strip()


def _read_page() -> dict[str, list[list[dict[str, str]]]]:
    """Section name → its tables, each a list of ``{column: cell}`` rows.

    A section is named by the first code span of its heading without ``()`` (``glutamatergic``,
    ``gabab_girk``, ``EndocannabinoidParams``), otherwise by the heading text.
    """
    sections: dict[str, list[list[dict[str, str]]]] = {}
    current: list[list[dict[str, str]]] = []
    header: list[str] | None = None
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^#{2,3} (.*)$", line)
        if heading:
            code = re.search(r"`(\w+)(?:\(\))?`", heading.group(1))
            name = code.group(1) if code else heading.group(1).strip()
            assert name not in sections, f"two sections called {name!r}"
            current = sections[name] = []
            header = None
        elif line.startswith("|"):
            cells = _cells(line)
            if header is None:
                header = cells
                current.append([])
            elif not set("".join(cells)) <= set("-: "):
                assert len(cells) == len(header), f"row with {len(cells)} cells under {header}: {line}"
                current[-1].append(dict(zip(header, cells)))
        else:
            header = None
    return sections


SECTIONS = _read_page()
LABELS = {_key(row["label"]) for row in SECTIONS["Confidence labels"][0]}


def _parameter_table(section: str) -> dict[str, dict[str, str]]:
    """Field name → row of the section's first table with value, source and confidence columns.

    A row naming several fields (```a`, `b```) is split, with its values when there are as many.
    """
    tables = [t for t in SECTIONS[section] if t and {"value", "source", "confidence"} <= set(t[0])]
    assert tables, f"no parameter table in section {section!r}"
    table = tables[0]
    first = next(iter(table[0]))
    rows: dict[str, dict[str, str]] = {}
    for row in table:
        names = [_key(n) for n in row[first].split(",")]
        values = [v.strip() for v in row["value"].split(",")] if len(names) > 1 else [row["value"]]
        if len(values) != len(names):
            values = [row["value"]] * len(names)
        for name, value in zip(names, values):
            assert name not in rows, f"{section}: two rows for {name}"
            rows[name] = {**row, "value": value}
    return rows


TABLES = {name: _parameter_table(name) for name in SECTIONS
          if any(t and {"value", "source", "confidence"} <= set(t[0]) for t in SECTIONS[name])}


def _reference(cell: str) -> str | None:
    m = re.fullmatch(r"(?:as )?`(\w+)\(\)`", cell.strip())
    return m.group(1) if m else None


def _lookup(section: str, name: str) -> tuple[str, dict[str, str]] | None:
    """The row documenting ``name`` in ``section``, following ``as `f()``` rows."""
    rows = TABLES[section]
    if name in rows and _reference(rows[name]["value"]) is None:
        return section, rows[name]
    cuts = [i for i, ch in enumerate(name) if ch in ". "] + [len(name)]
    for i in reversed(cuts):
        row = rows.get(name[:i])
        ref = row and _reference(row["value"])
        if ref:
            return _lookup(ref, name)
    return None


def _printed(text: str) -> tuple[float, float]:
    """The number a cell shows and half a unit of its last printed digit.

    That half unit is the tolerance of the comparison: the page rounds, so a printed 0.6713 is
    right for any code value in [0.67125, 0.67135] and wrong outside it. A fixed relative
    tolerance would either reject correct roundings or accept a wrong last digit.
    """
    t = text.replace("`", "").replace("−", "-").replace("\u2009", " ").replace("\u202f", " ")
    t = t.rsplit("=", 1)[-1].strip()
    t = re.sub(r"(?<=\d) (?=\d{3}\b)", "", t)  # thousands written 10 000 000
    scale = 1.0
    if t.endswith(" µs"):
        t, scale = t[:-3].strip(), 1e-3  # the cell's unit column says ms
    m = _NUMBER.fullmatch(t)
    if not m:
        raise ValueError(f"not a number: {text!r}")
    sign, whole, frac, exp = m.groups()
    value = float(f"{sign}{whole}.{frac or 0}e{exp or 0}")
    return value * scale, 0.5 * 10.0 ** (int(exp or 0) - len(frac or "")) * scale


@dataclasses.dataclass(frozen=True)
class Default:
    """A field that is ``None`` in the code and resolves to ``value`` (written `None` → value)."""

    value: float


def _matches(code: object, cell: str) -> bool:
    if isinstance(code, Default):
        m = re.fullmatch(r"`None` → (.+)", cell)
        return bool(m) and _matches(code.value, m.group(1))
    if isinstance(code, (bool, str)):
        return cell == f"`{code}`"
    if isinstance(code, float) and math.isinf(code):
        return cell in ("inf", "∞")
    try:
        value, half_unit = _printed(cell)
    except ValueError:
        return False
    # The 1e-9 allows for the binary representation of the printed decimal, nothing more.
    return abs(value - float(code)) <= half_unit * (1 + 1e-9) + 1e-12 * abs(value)


def _split_outside_parentheses(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == ";" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [p.strip() for p in parts + [text[start:]]]


def _label_problem(row: dict[str, str]) -> str | None:
    """Why the row's source or confidence is not acceptable, or None."""
    if not re.search(r"[A-Za-z]", row["source"]):
        return f"no source: {row['source']!r}"
    for part in _split_outside_parentheses(row["confidence"]):
        m = re.fullmatch(r"(.+?)(?: \(.*\))?", part)
        if _key(m.group(1)) not in LABELS:
            return f"confidence {row['confidence']!r}: {part!r} is not one of {sorted(LABELS)}"
    return None


def _problems(section: str, fields: Mapping[str, object], descriptive: tuple[str, ...] = ()) -> list[str]:
    """Every field of ``fields`` missing, wrong or unlabelled in ``section``, and stale rows."""
    problems = []
    used: set[tuple[str, str]] = set()
    for name, code in fields.items():
        found = _lookup(section, name)
        if found is None:
            problems.append(f"{name}: no row (code {code!r})")
            continue
        where, row = found
        used.add((where, name))
        if not _matches(code, row["value"]):
            problems.append(f"{name}: page {row['value']!r} in {where}, code {code!r}")
        why = _label_problem(row)
        if why:
            problems.append(f"{name} ({where}): {why}")
    for name, row in TABLES[section].items():
        covered = _reference(row["value"]) or (section, name) in used
        if not covered and name not in descriptive:
            problems.append(f"{name}: row without a field in the code ({row['value']!r})")
        elif name in descriptive or _reference(row["value"]):
            why = _label_problem(row)
            if why:
                problems.append(f"{name}: {why}")
    return problems


# -- flattening the code -----------------------------------------------------------------------------
def _block(prefix: str, obj: object, skip: tuple[str, ...] = ("name", "source", "substrate")) -> dict[str, object]:
    return {f"{prefix}{f.name}": getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name not in skip}


def _transitions(prefix: str, scheme: se.ReceptorScheme) -> dict[str, float]:
    out = {f"{prefix}transitions {t.source} → {t.target}": t.rate for t in scheme.transitions}
    assert len(out) == len(scheme.transitions), f"{scheme.name}: two transitions between one pair"
    return out


def flatten_synapse(s: se.SynapseParams) -> dict[str, object]:
    """Every parameter of a synapse under the name the page gives it."""
    # Presets have neither; flatten them here the day one does.
    assert not s.metabotropic and not s.cotransmitters
    out: dict[str, object] = {"transmitter": s.transmitter}
    for f in dataclasses.fields(s):
        value = getattr(s, f.name)
        if dataclasses.is_dataclass(value):
            out.update(_block(f"{f.name}.", value))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[f.name] = value
    cleft = s.cleft
    if cleft.k_escape_per_ms is None:
        out["cleft.k_escape_per_ms"] = Default(cleft.escape_rate_per_ms)
    if cleft.diffusion_delay_ms is None:
        out["cleft.diffusion_delay_ms"] = Default(cleft.delay_ms)
    for p in s.receptors:
        assert p.transmitter is None
        pre = f"receptors[{p.scheme.name}]."
        out[pre + "n"] = p.n
        out.update(_block(pre + "scheme.", p.scheme, skip=("name", "states", "transitions", "open_states", "source")))
        out.update(_transitions(pre + "scheme.", p.scheme))
    for group in ("transporters", "enzymes"):
        for t in getattr(s, group):
            assert t.substrate is None
            out.update(_block(f"{group}[{t.name}].", t))
    return out


def flatten_neuron(n: se.NeuronParams) -> dict[str, object]:
    # The "hh" densities act only with model="hh"; both presets are integrate-and-fire.
    assert n.model == "lif"
    out = _block("", n, skip=("ions", "hh", "model", "name", "sources"))
    out.update(_block("ions.", n.ions))
    if n.e_leak_mV is None:
        out["e_leak_mV"] = Default(n.e_rest_mV)
    if n.v_initial_mV is None:
        out["v_initial_mV"] = Default(n.v_start_mV)
    return out


def flatten_metabotropic(m: se.MetabotropicReceptor) -> dict[str, object]:
    out = _block("", m, skip=("scheme", "girk", "ca_inhibition", "source"))
    out.update(_transitions("scheme.", m.scheme))
    for part in ("girk", "ca_inhibition"):
        if getattr(m, part) is not None:
            out.update(_block(f"{part}.", getattr(m, part)))
    return out


# -- the tests -----------------------------------------------------------------------------------------
def test_page_sections_cover_every_preset():
    assert set(presets.PRESETS) <= set(TABLES)
    assert {"sensor_five_site", "sensor_allosteric"} <= set(TABLES)


@pytest.mark.parametrize("name", sorted(presets.PRESETS))
def test_preset_table_matches_the_code(name):
    fields = flatten_synapse(presets.get(name))
    assert len(fields) > 50
    assert _problems(name, fields) == []


@pytest.mark.parametrize("name", ["sensor_five_site", "sensor_allosteric"])
def test_sensor_table_matches_the_code(name):
    assert _problems(name, _block("sensor.", getattr(presets, name)())) == []


def test_sensor_class_default_is_the_allosteric_set():
    # The page: "SensorParams() with no arguments gives this set".
    assert se.SensorParams() == presets.sensor_allosteric()


def _numbers(cell: str) -> list[str]:
    return re.findall(r"−?\d+(?:\.\d+)?(?:e[+-]?\d+)?", cell.replace("`", ""))


def _derived(s: se.SynapseParams) -> dict[str, list[float]]:
    """Start of each derived-quantity label → the numbers the code gives, in page order."""
    c, v = s.cleft, s.vesicles
    p = release_probability(s.sensor, s.calcium)
    phi = s.facilitation.occupancy_after([50.0])
    p2 = 1 - (1 - p) * (1 - phi)
    per_uM = se.molecules_per_uM(c.volume_L)
    # A set escape rate is shown with the rate the geometric default would give.
    geometric = se.CleftParams(c.radius_nm, c.height_nm, c.diffusion_um2_per_ms).escape_rate_per_ms
    out = {
        "cleft volume": [c.volume_L],
        "molecules per µM": [per_uM],
        "free concentration": [v.molecules_per_vesicle / per_uM],
        "escape rate used": [c.escape_rate_per_ms, 1.0 / c.escape_rate_per_ms]
        + ([geometric] if c.k_escape_per_ms is not None else []),
        "fusion-to-cleft delay": [c.delay_ms * 1e3],
        "release probability of one primed vesicle": [p],
        "occupancy of XF": [phi],
        "release probability of a primed vesicle at that second spike": [p2],
        "paired-pulse ratio at 50 ms": [p2 * (1 - p) / p],
        "spontaneous fusion rate": [spontaneous_rate_per_ms(s.sensor, s.calcium.ca_rest_uM) * 1e3],
        f"primed vesicles at t = 0 (`slot_occupancy()` = {v.slot_occupancy()})": [
            v.n_sites * v.slots_per_site * v.slot_occupancy()[2], v.n_sites * v.slots_per_site],
    }
    for t in s.transporters:
        out[f"{t.name}: kcat"] = [t.kcat_per_ms * 1e3, 1.0 / t.kcat_per_ms, t.km_uM]
    for e in s.enzymes:
        out[f"{e.name}: Km"] = [e.km_uM]
    return out


@pytest.mark.parametrize("name", sorted(presets.PRESETS))
def test_preset_derived_values_match_the_code(name):
    (table,) = [t for t in SECTIONS[name] if t and "derived quantity" in t[0]]
    derived, problems = _derived(presets.get(name)), []
    for row in table:
        keys = [k for k in derived if row["derived quantity"].startswith(k)]
        code, shown = (derived[keys[0]] if len(keys) == 1 else None), _numbers(row["value"])
        if code is None or len(shown) != len(code) or not all(map(_matches, code, shown)):
            problems.append(f"{row['derived quantity']}: page {row['value']!r}, code {code}")
    assert problems == []


def test_sensor_predictions_match_the_code():
    rows = SECTIONS["What the two sets predict"][0]
    # "the calyx transient (peak 25 µM, half-width 0.4 ms)": the presets' transient at 25 µM.
    ca = dataclasses.replace(presets.glutamatergic().calcium, local_peak_uM=25.0)
    for column, sensor in (("`sensor_five_site`", presets.sensor_five_site()),
                           ("`sensor_allosteric`", presets.sensor_allosteric())):
        code = [release_fraction_step(sensor, 10.0, 3.0), release_probability(sensor, ca),
                spontaneous_rate_per_ms(sensor, 0.05) * 1e3]
        shown = [_numbers(row[column])[0] for row in rows]
        assert len(shown) == len(code) and all(map(_matches, code, shown)), (column, shown, code)


def test_endocannabinoid_table_matches_the_code():
    p = EndocannabinoidParams()
    assert _problems("EndocannabinoidParams", _block("", p, skip=("sources",))) == []


@pytest.mark.parametrize("name", ["ca1_pyramidal", "cerebellar_granule"])
def test_neuron_table_matches_the_code(name):
    # "inputs" describes the granule cell's wiring, not a NeuronParams field.
    assert _problems(name, flatten_neuron(getattr(cells, name)()), descriptive=("inputs",)) == []


def test_metabotropic_tables_match_the_code():
    problems = []
    for name in ("gabab_girk", "gabab_autoreceptor", "d2_autoreceptor"):
        factory = getattr(gpcr_library, name)
        fields = flatten_metabotropic(factory())
        arguments = inspect.signature(factory).parameters
        if "exposure" in arguments:  # a factory argument, documented with the fields
            fields["exposure"] = arguments["exposure"].default
        problems += [f"{name}: {p}" for p in _problems(name, fields, descriptive=("scheme",))]
    assert problems == []


def _leading(cell: str) -> tuple[float, float]:
    """The first number after the cell's last ``=``, its unit and remarks dropped."""
    return _printed(re.match(r"\S+", cell.rsplit("=", 1)[-1].strip()).group())


@pytest.mark.parametrize("name", ["ampa_ca3_jonas1993", "ampa_purkinje_momiyama2003"])
def test_unused_scheme_rate_tables_match_the_code(name):
    scheme = RECEPTOR_LIBRARY[name]()
    fields = {k.removeprefix("transitions "): v for k, v in _transitions("", scheme).items()}
    fields.update(conductance_pS=scheme.conductance_pS, e_rev_mV=scheme.e_rev_mV)
    assert _problems(name, fields) == []


def test_unused_scheme_tables_match_the_code():
    problems = []
    for row in SECTIONS["Receptor schemes in the library that no preset uses"][0]:
        s = RECEPTOR_LIBRARY[_key(row["scheme"])]()
        (bind,) = [t for t in s.transitions if t.kind == "bind"]
        (close,) = [t for t in s.transitions if t.kind != "bind"]
        for column, code in (("binding C → O", bind.rate), ("closing O → C", close.rate),
                             ("E_rev", s.e_rev_mV), ("default `conductance_pS`", s.conductance_pS)):
            value, half_unit = _leading(row[column])
            if abs(value - code) > half_unit * (1 + 1e-9):
                problems.append(f"{s.name} {column}: page {row[column]!r}, code {code!r}")
        if ("Mg²⁺ block" in row["E_rev"]) != s.mg_block:
            problems.append(f"{s.name}: Mg²⁺ block on the page differs from the code")
        if _label_problem(row):
            problems.append(f"{s.name}: {_label_problem(row)}")
    assert problems == []


def test_shared_constants_match_the_code():
    rows = SECTIONS["Constants shared by all presets"][0]
    checked = 0
    for row in rows:
        m = re.fullmatch(r"`(\w+(?:\.\w+)*)\.(\w+)`", row["constant (in the code)"])
        if m:
            code = getattr(importlib.import_module(f"synevent.{m.group(1)}"), m.group(2))
            assert _matches(code, row["value"]), row
            checked += 1
        elif "CleftParams.escape_rate_per_ms" in row["constant (in the code)"]:
            # j0,1 is written into the formula; recover it from a default escape rate.
            c = se.CleftParams(radius_nm=1000.0, diffusion_um2_per_ms=1.0)
            assert _matches(math.sqrt(c.escape_rate_per_ms), row["value"]), row
            checked += 1
        assert _label_problem(row) is None, row
    assert checked == len(rows)


def test_circuit_defaults_match_the_code():
    rows = {re.search(r"`(\w+)`", r["field"]).group(1): r for r in SECTIONS["Circuit defaults"][0]}
    code = {"DEFAULT_AXON_DELAY_MS": circuit_module.DEFAULT_AXON_DELAY_MS,
            "update_ms": inspect.signature(circuit_run.run_circuit).parameters["update_ms"].default}
    assert set(rows) == set(code)
    for name, value in code.items():
        assert _matches(value, rows[name]["value"]), (name, rows[name]["value"], value)
        assert _label_problem(rows[name]) is None, rows[name]


def _class_defaults(cls: type) -> dict[str, object]:
    return {f.name: f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING}


def test_class_defaults_match_the_code():
    """The class-default rows, and the claim that every other default is the glutamatergic value."""
    glu = presets.glutamatergic()
    blocks = {se.CalciumParams: glu.calcium, se.SensorParams: glu.sensor, se.VesicleParams: glu.vesicles,
              se.CleftParams: glu.cleft, se.FacilitationParams: glu.facilitation,
              se.TransporterParams: glu.transporters[0]}
    classes = {c.__name__: c for c in blocks}
    rows = {re.match(r"`([\w.]+)`", r["field"]).group(1): r for r in SECTIONS["Class defaults"][0]}
    problems = []
    for cls, preset_block in blocks.items():
        for name, default in _class_defaults(cls).items():
            if default != getattr(preset_block, name) and not {cls.__name__, f"{cls.__name__}.{name}"} & set(rows):
                problems.append(f"{cls.__name__}.{name}: default {default!r} differs from glutamatergic, no row")
    for field_name, row in rows.items():
        if "." not in field_name:
            continue  # whole-class rows: SensorParams is tested above, FacilitationParams below
        cls_name, name = field_name.split(".")
        default = _class_defaults(classes[cls_name])[name]
        shown = re.sub(r" \(.*\)$", "", row["class default"])  # drop the remark
        if not (shown == "`None`" if default is None else _matches(default, shown)):
            problems.append(f"{field_name}: page {row['class default']!r}, code {default!r}")
        # The preset column lists the values the presets use (nothing to check when it has none).
        attr = {se.CalciumParams: "calcium", se.VesicleParams: "vesicles", se.CleftParams: "cleft"}.get(classes[cls_name])
        listed = [float(x.replace("−", "-")) for x in _numbers(row["preset value"])]
        if attr and listed:
            used = {getattr(getattr(presets.get(p), attr), name) for p in presets.PRESETS} - {None}
            if set(listed) != used:
                problems.append(f"{field_name}: preset values {listed} on the page, {sorted(used)} in the code")
    shown = dict(re.findall(r"`(\w+)` (\S+?)(?:,| |$)", rows["FacilitationParams"]["class default"]))
    f = _class_defaults(se.FacilitationParams)
    assert set(shown) == set(f) and all(_matches(f[k], v) for k, v in shown.items()), shown
    # "The other defaults match the glutamatergic preset: `name` value, ..."
    prose = PAGE.read_text(encoding="utf-8").split(
        "The other defaults match the glutamatergic preset:", 1)[1].split("\n\n", 1)[0]
    pairs = re.findall(r"`(\w+)` (−?\d+(?:\.\d+)?(?:e-?\d+)?)", prose)
    assert len(pairs) >= 10
    flat = flatten_synapse(glu)
    by_block = {"calcium": se.CalciumParams, "vesicles": se.VesicleParams, "cleft": se.CleftParams}
    for name, shown in pairs:
        (key,) = [k for k in flat if k.split(".")[-1] == name]
        default = _class_defaults(by_block[key.split(".")[0]] if "." in key else se.SynapseParams)[name]
        if not (_matches(flat[key], shown) and _matches(default, shown)):
            problems.append(f"{name}: page {shown}, class default {default!r}, glutamatergic {flat[key]!r}")
    cleft = se.CleftParams()
    m = re.search(r"cleft of (\S+) nm × (\S+) nm with D = (\S+) µm²", prose)
    assert m and all(map(_matches, (cleft.radius_nm, cleft.height_nm, cleft.diffusion_um2_per_ms),
                         m.groups())), prose
    assert problems == []
