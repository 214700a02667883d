"""Project settings: one typed record, each setting with its default, unit and range.

Settings are kept in the project file's ``gp_settings`` table as one JSON value per
key (the stored form, :attr:`gridplanner.project.Project.settings`); the engine reads
them through :class:`Settings`, which fills defaults and checks every value. Unknown
keys are kept as they are, so a newer version's settings survive a round trip
through an older one.

Every setting is declared once in :data:`SPECS`: its default, its unit, what it means
and what values it takes. Loading a project reports a bad stored value as a warning
and uses the default (the project stays openable); changing a setting
(:meth:`Settings.updated`, ``Project.set_setting``, scenario parameters) refuses a bad
value with a :class:`SettingsError` that gives the allowed range.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

from gridplanner.errors import SettingsError
from layers.errors import Problem
from layers.schema import CAMERA_DEFAULTS, CAPACITY_DEFAULTS, FACILITY_KINDS, SPECIALTIES

ROLES = ("grid_head", "full_time", "police", "part_time")
GRID_KINDS = ("urban", "rural", "special")
LANGUAGES = ("zh_CN", "en")
#: Largest camera range a default may take (m); longer views are not identification.
MAX_CAMERA_RANGE_M = 1000.0
#: Largest household count in a band or a capacity.
MAX_HOUSEHOLDS = 100_000
#: Walking reach of each kind of facility where a record gives none (m): a party or
#: citizen service centre serves its community, a police station or governance
#: centre its street, the mediation centre and petition reception the district.
FACILITY_CUTOFF_DEFAULTS_M: dict[str, float] = {
    "governance_centre": 1500.0, "mediation_centre": 3000.0, "party_centre": 1000.0,
    "police_station": 2000.0, "petition_reception": 3000.0, "service_centre": 1000.0,
    "other": 1000.0,
}


# ------------------------------------------------------------------ value checks
# Each check takes the raw (JSON) value and returns the clean value or raises
# ValueError with what is allowed.

def _number(low: float, high: float, unit: str, *, integer: bool = False,
            low_open: bool = False) -> Callable[[Any], Any]:
    kind = "a whole number" if integer else "a number"
    start = f"above {low:g} and up to" if low_open else f"from {low:g} to"
    allowed = f"give {kind} {start} {high:g} {unit}".rstrip()

    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError(allowed)
        try:
            number = float(value)
        except ValueError:
            raise ValueError(allowed) from None
        outside = number <= low if low_open else number < low
        if not math.isfinite(number) or outside or number > high:
            raise ValueError(allowed)
        if integer:
            if number != round(number):
                raise ValueError(allowed)
            return round(number)
        return number
    return check


def _mapping(keys: tuple[str, ...] | None, inner: Callable[[Any], Any], what: str,
             *, key_type: Callable[[str], Any] = str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ValueError(f"give a table of {what}")
        out = {}
        for key, item in value.items():
            if keys is not None and str(key) not in keys:
                raise ValueError(f"unknown key {key!r}: use {', '.join(keys)}")
            try:
                out[key_type(str(key))] = inner(item)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        return out
    return check


def _band_pair(value: Any) -> tuple[int, int]:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(f"give [minimum, maximum] households, e.g. [300, 500] (got {value!r})")
    count = _number(0, MAX_HOUSEHOLDS, "households", integer=True)
    low, high = count(value[0]), count(value[1])
    if low > high:
        raise ValueError(f"the minimum {low} is above the maximum {high}")
    return (low, high)


def _camera_default(value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise ValueError('give {"range_m": ..., "fov_deg": ...}')
    unknown = set(value) - {"range_m", "fov_deg"}
    if unknown:
        raise ValueError(f"unknown key {sorted(unknown)[0]!r}: use range_m, fov_deg")
    out = {}
    if "range_m" in value:
        out["range_m"] = _number(0, MAX_CAMERA_RANGE_M, "m", low_open=True)(value["range_m"])
    if "fov_deg" in value:
        out["fov_deg"] = _number(0, 360, "degrees", low_open=True)(value["fov_deg"])
    return out


def _crs(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError("give an EPSG code of a metric CRS (e.g. 4547), or leave it empty")
    from pyproj import CRS
    from pyproj.exceptions import CRSError as ProjCRSError

    try:
        crs = CRS.from_user_input(value)
    except (ProjCRSError, TypeError, ValueError):
        raise ValueError("give an EPSG code of a metric CRS (e.g. 4547), or leave it "
                         "empty to choose one from the data") from None
    if not crs.is_projected:
        raise ValueError(f"{crs.name} is not a projected (metric) CRS: give one in metres, "
                         "e.g. a CGCS2000 Gauss-Kruger zone (EPSG:4534-4554)")
    return value


def _language(value: Any) -> str:
    if value not in LANGUAGES:
        raise ValueError(f"use {' or '.join(LANGUAGES)}")
    return str(value)


@dataclass(frozen=True)
class SettingSpec:
    """One setting: what it means, its unit and default, and the values it takes."""

    name: str
    help: str
    unit: str
    check: Callable[[Any], Any]
    nested: bool = False  # a table whose stored keys merge over the default's


_CAPACITY = _mapping(ROLES, _number(0, MAX_HOUSEHOLDS, "households", integer=True),
                     "households per role")
SPECS: dict[str, SettingSpec] = {s.name: s for s in (
    SettingSpec("analysis_crs", "EPSG code of the metric CRS all analysis runs in; empty "
                "= chosen from the data", "", _crs),
    SettingSpec("band", "households per grid that count as well sized, by grid kind",
                "households", _mapping(None, _band_pair, "[minimum, maximum] by grid kind"),
                nested=True),
    SettingSpec("camera_defaults", "camera range and field of view by category, where a "
                "record leaves them empty", "m, degrees",
                _mapping(("1", "2", "3"), _camera_default, "range_m/fov_deg by category",
                         key_type=int),
                nested=True),
    SettingSpec("capacity_defaults", "household capacity by staff role, where a record "
                "leaves it empty", "households", _CAPACITY, nested=True),
    SettingSpec("walk_cutoff_m", "longest network walk a worker is expected to cover", "m",
                _number(10, 50_000, "m")),
    SettingSpec("snap_cutoff_m", "points farther than this from any road are off the "
                "network", "m", _number(1, 5_000, "m")),
    SettingSpec("join_tolerance_m", "road ends closer than this are joined in the walking "
                "graph", "m", _number(0, 50, "m")),
    SettingSpec("coverage_threshold_pct", "share of households a grid's cameras should see; "
                "grids below it are counted in comparisons", "%", _number(0, 100, "%")),
    SettingSpec("role_cost_yuan", "yearly cost per person by role, for comparisons", "yuan",
                _mapping(ROLES, _number(0, 1e8, "yuan"), "yuan per role"), nested=True),
    SettingSpec("language", "language of reports and messages", "", _language),
    SettingSpec("facility_cutoff_m", "service cutoff by facility kind, where a facility "
                "leaves cutoff_m empty", "m",
                _mapping(FACILITY_KINDS, _number(0, 100_000, "m"), "metres per facility kind"),
                nested=True),
    SettingSpec("link_capacity_households", "households each party member links (党员联户)",
                "households", _number(1, 10_000, "households", integer=True)),
    SettingSpec("work_group_minimum", "members a grid's work group needs, by role or "
                "specialty; a member serving n grids counts 1/n in each (0.33: one per "
                "three grids)", "members per grid",
                _mapping(ROLES + SPECIALTIES, _number(0, 100, "members per grid"),
                         "members per grid by role or specialty"), nested=True),
    SettingSpec("band_floating_weight", "households the band counts per floating resident "
                "(0: floating population is not counted)", "households per person",
                _number(0, 10, "households per person")),
    SettingSpec("incident_weight_households", "extra workload per incident, in households, "
                "for allocations (0: households only)", "households",
                _number(0, 1000, "households")),
    SettingSpec("whole_points_time_limit_s", "longest time allocation spends proving that "
                "buildings kept whole are placed optimally; when reached, the proven gap "
                "is reported", "s", _number(0.1, 3600, "s")),
)}


def _frozen(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(value))


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Every setting of a project, checked, with defaults filled in.

    Build it with :meth:`from_stored`; change it with :meth:`updated`.

    Examples
    --------
    >>> s = Settings.from_stored({"walk_cutoff_m": 1500, "band": {"urban": [250, 450]}})
    >>> s.walk_cutoff_m, s.band_for("urban"), s.band_for("rural")
    (1500.0, (250, 450), (300, 500))
    >>> Settings().updated(walk_cutoff_m=float("nan"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gridplanner.errors.SettingsError: setting walk_cutoff_m = nan: give a number ...
    """

    analysis_crs: Any = None
    band: Mapping[str, tuple[int, int]] = field(default_factory=lambda: _frozen(
        {"urban": (300, 500), "rural": (300, 500), "special": (0, MAX_HOUSEHOLDS)}))
    camera_defaults: Mapping[int, Mapping[str, float]] = field(default_factory=lambda: _frozen(
        {k: _frozen(v) for k, v in CAMERA_DEFAULTS.items()}))
    capacity_defaults: Mapping[str, int] = field(
        default_factory=lambda: _frozen(CAPACITY_DEFAULTS))
    walk_cutoff_m: float = 3000.0
    snap_cutoff_m: float = 300.0
    join_tolerance_m: float = 3.0
    coverage_threshold_pct: float = 60.0
    role_cost_yuan: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"grid_head": 90000.0, "full_time": 70000.0, "police": 150000.0,
         "part_time": 6000.0}))
    language: str = "zh_CN"
    facility_cutoff_m: Mapping[str, float] = field(default_factory=lambda: _frozen(
        FACILITY_CUTOFF_DEFAULTS_M))
    link_capacity_households: int = 10
    work_group_minimum: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"police": 0.33}))
    band_floating_weight: float = 0.0
    incident_weight_households: float = 0.0
    whole_points_time_limit_s: float = 10.0
    #: Stored keys this version does not know, kept for the round trip.
    extra: Mapping[str, Any] = field(default_factory=lambda: _frozen({}))

    # ------------------------------------------------------------- building
    @classmethod
    def from_stored(cls, stored: Mapping[str, Any] | None, *, strict: bool = True,
                    source: str = "") -> Settings:
        """Check stored values and fill defaults.

        With ``strict`` a bad value raises :class:`SettingsError` (every bad key
        listed); otherwise use :meth:`read` to get the problems back.
        """
        settings, problems = cls.read(stored, source=source)
        if strict and problems:
            raise SettingsError("\n".join(p.message for p in problems), problems)
        return settings

    @classmethod
    def read(cls, stored: Mapping[str, Any] | None, *, source: str = ""
             ) -> tuple[Settings, list[Problem]]:
        """Check stored values: bad ones are replaced by their default and reported."""
        base = cls()
        values: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        problems: list[Problem] = []
        for key, raw in (stored or {}).items():
            spec = SPECS.get(str(key))
            if spec is None:
                extra[str(key)] = raw
                continue
            try:
                clean = spec.check(raw)
            except (ValueError, RecursionError) as exc:
                problems.append(_problem(key, raw, exc, source, getattr(base, key)))
                continue
            if spec.nested:
                clean = {**getattr(base, key), **clean}
            values[str(key)] = clean
        return cls._build(base, values, extra), problems

    @classmethod
    def _build(cls, base: Settings, values: dict[str, Any], extra: dict[str, Any]) -> Settings:
        out = {f.name: getattr(base, f.name) for f in fields(cls)}
        out.update(values)
        out["extra"] = extra
        if "camera_defaults" in values:
            # A category given only its range keeps the default field of view.
            merged = {k: {**base.camera_defaults.get(k, {}), **v}
                      for k, v in out["camera_defaults"].items()}
            out["camera_defaults"] = {k: _frozen(v) for k, v in merged.items()}
        for f in fields(cls):
            if isinstance(out[f.name], dict):
                out[f.name] = _frozen(out[f.name])
        return cls(**out)

    def updated(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` applied (nested tables merge key by key).

        Raises
        ------
        SettingsError
            For an unknown key or a value outside what the setting accepts.
        """
        stored = self.to_stored()
        for key, value in changes.items():
            if key not in SPECS:
                raise SettingsError(f"unknown setting {key!r}: the settings are "
                                    f"{', '.join(SPECS)}")
            if SPECS[key].nested and isinstance(value, Mapping) and isinstance(
                    stored.get(key), dict):
                stored[key] = {**stored[key], **copy.deepcopy(dict(value))}
            else:
                stored[key] = copy.deepcopy(value)
        return Settings.from_stored(stored)

    # ------------------------------------------------------------- reading
    def band_for(self, kind: str) -> tuple[int, int]:
        """(minimum, maximum) households for a grid kind (urban's for unknown kinds)."""
        low, high = self.band.get(str(kind), self.band["urban"])
        return int(low), int(high)

    def cutoff_for(self, kind: str) -> float:
        """Default service cutoff (m) of a facility kind (``other``'s for unknown kinds)."""
        return float(self.facility_cutoff_m.get(str(kind), self.facility_cutoff_m["other"]))

    def capacity_for(self, role: str) -> int:
        """Default capacity of a staff role (0 for an unknown role)."""
        return int(self.capacity_defaults.get(role, CAPACITY_DEFAULTS.get(role, 0)))

    def to_stored(self) -> dict[str, Any]:
        """Return the JSON-able form kept in ``gp_settings`` (unknown keys included)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "extra":
                continue
            value = getattr(self, f.name)
            if f.name == "band":
                value = {k: [int(a), int(b)] for k, (a, b) in value.items()}
            elif f.name == "camera_defaults":
                value = {str(k): dict(v) for k, v in value.items()}
            elif isinstance(value, Mapping):
                value = dict(value)
            out[f.name] = value
        out.update(copy.deepcopy(dict(self.extra)))
        return out

    def __getitem__(self, key: str) -> Any:
        """Stored-form value of a setting (``settings["band"]["urban"] == [300, 500]``)."""
        if key not in SPECS and key not in self.extra:
            raise KeyError(key)
        return self.to_stored()[key]

    def get(self, key: str, default: Any = None) -> Any:
        """Stored-form value of a setting, or ``default`` for an unknown key."""
        try:
            return self[key]
        except KeyError:
            return default


#: The default of every setting: what an engine function's setting-named keyword
#: takes when called without a project (``walk_cutoff_m=DEFAULTS.walk_cutoff_m``).
DEFAULTS = Settings()


def _problem(key: str, raw: Any, exc: BaseException, source: str, default: Any) -> Problem:
    shown = repr(raw)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if isinstance(raw, float) or (isinstance(raw, str) and not isinstance(default, str)):
        shown = str(raw)
    reason = str(exc) if isinstance(exc, ValueError) else "the value is nested too deeply"
    return Problem(f"setting {key} = {shown}: {reason}", source=source, layer="gp_settings",
                   column=str(key), severity="warning",
                   hint=f"the default {_stored_default(key)} is used until it is fixed")


def _stored_default(key: str) -> str:
    import json

    value = Settings().to_stored()[key]
    return "(empty)" if value is None else json.dumps(value, ensure_ascii=False)


def check_values(**values: Any) -> None:
    """Refuse values outside what their settings accept (for functions taking them directly).

    Raises
    ------
    SettingsError
        Naming the value and the allowed range, for every bad one.

    Examples
    --------
    >>> check_values(walk_cutoff_m=1500.0, snap_cutoff_m=300)
    >>> check_values(walk_cutoff_m=float("nan"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gridplanner.errors.SettingsError: walk_cutoff_m = nan: give a number from 10 to 50000 m
    """
    bad = []
    for key, value in values.items():
        try:
            SPECS[key].check(value)
        except ValueError as exc:
            bad.append(f"{key} = {value!r}: {exc}")
    if bad:
        raise SettingsError("\n".join(bad))


#: The defaults in stored form.
DEFAULT_SETTINGS: dict[str, Any] = Settings().to_stored()


def merged_settings(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the stored form of :meth:`Settings.read` (defaults for bad values)."""
    return Settings.read(stored)[0].to_stored()


def camera_defaults(settings: Mapping[str, Any]) -> dict[int, dict[str, float]]:
    """Camera defaults with integer category keys."""
    typed = settings if isinstance(settings, Settings) else Settings.read(settings)[0]
    return {int(k): dict(v) for k, v in typed.camera_defaults.items()}


def band_for(settings: Mapping[str, Any], kind: str) -> tuple[int, int]:
    """(min, max) households for a grid kind."""
    typed = settings if isinstance(settings, Settings) else Settings.read(settings)[0]
    return typed.band_for(kind)
