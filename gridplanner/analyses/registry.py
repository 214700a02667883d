"""The analysis registry: each analysis declared once, every front-end built from it.

An :class:`Analysis` names its options (a frozen dataclass whose fields carry their
help text, unit, range and command-line flag through :func:`option`), a ``run``
function taking an :class:`~gridplanner.context.AnalysisContext`, the options and a
feedback object, and what to show of its result (:class:`AnalysisResult`: layers,
one table, a printable summary). The command line, the app's analysis forms and
the demo read :func:`analyses` instead of naming engine functions.

Adding an analysis is one module that defines its options dataclass and its
``run``, then calls :func:`register`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gridplanner.errors import AnalysisError
from gridplanner.i18n import _

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from gridplanner.context import AnalysisContext
    from gridplanner.feedback import Feedback

#: Metadata key under which :func:`option` stores an option's description.
_META = "gridplanner"


@dataclass(frozen=True)
class OptionInfo:
    """How an option is shown and checked (help, unit, range, choices, flag)."""

    help: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] = ()
    flag: str = ""  # command-line flag; default --name-with-dashes
    short: str = ""  # one-letter alias, e.g. -k
    negate: str = ""  # a bool default True shown as this off-switch flag (--no-buildings)
    metavar: str = ""
    cli_only: bool = False  # shown on the command line only (e.g. how much to print)
    label: str = ""  # short form label in the app (a catalogue text); default: help

    @property
    def form_label(self) -> str:
        """The text an app form shows beside the option."""
        return self.label or self.help


def option(default: Any = dataclasses.MISSING, *, help: str, unit: str = "",
           minimum: float | None = None, maximum: float | None = None,
           choices: Sequence[Any] = (), flag: str = "", short: str = "", negate: str = "",
           metavar: str = "", cli_only: bool = False, label: str = "") -> Any:
    """Declare an options-dataclass field with what front-ends need to show it."""
    info = OptionInfo(help, unit, minimum, maximum, tuple(choices), flag, short, negate,
                      metavar, cli_only, label)
    return field(default=default, metadata={_META: info}, kw_only=True)


def option_info(f: dataclasses.Field[Any]) -> OptionInfo:
    """Return the :class:`OptionInfo` of an options field."""
    info = f.metadata.get(_META)
    return info if isinstance(info, OptionInfo) else OptionInfo(help=f.name)


@dataclass(frozen=True)
class AnalysisResult:
    """What every front-end shows of a run: layers, a table, a summary.

    ``value`` is the engine's own result object (for callers that want more);
    ``exit_code`` is 1 when the run found problems (grid checks), else 0.
    """

    name: str
    layers: Mapping[str, gpd.GeoDataFrame]
    table: pd.DataFrame
    summary: str
    value: Any = None
    exit_code: int = 0
    geometry_types: Mapping[str, str] = field(default_factory=dict)
    #: One line for a status bar or a list of runs (default: the summary's first line).
    headline: str = ""

    def __post_init__(self) -> None:
        if not self.headline:
            first = next((t for t in self.summary.splitlines() if t.strip()), "")
            object.__setattr__(self, "headline", first.strip())


RunFunction = Callable[["AnalysisContext", Any, "Feedback | None"], AnalysisResult]


@dataclass(frozen=True)
class Analysis:
    """One registered analysis."""

    name: str  # the command-line subcommand, e.g. "coverage"
    title: str  # menu and form title (a catalogue text)
    help: str  # one line for --help
    options: type
    run: RunFunction
    out_help: str = "GeoPackage to write the result layers to (replaced if it exists)"
    out_required: bool = True
    #: The result is one layer written beside the file's other layers (FILE::LAYER
    #: names it), not a new GeoPackage of every layer.
    adds_layer: bool = False
    #: File types ``--out`` accepts (the first is the usual one).
    out_suffixes: tuple[str, ...] = (".gpkg",)
    description: str = ""

    def fields(self) -> list[dataclasses.Field[Any]]:
        """Return the option fields, in declaration order."""
        return list(dataclasses.fields(self.options))

    def make_options(self, values: Mapping[str, Any] | None = None) -> Any:
        """Build checked options from ``values`` (missing ones take their defaults).

        Raises
        ------
        AnalysisError
            For an unknown option, a missing required one, or a value outside its
            range or choices (the message names the option and what it takes).
        """
        values = dict(values or {})
        names = {f.name for f in self.fields()}
        unknown = sorted(set(values) - names)
        if unknown:
            raise AnalysisError(_("{analysis}: unknown option {option!r}; options are {names}",
                                  analysis=self.name, option=unknown[0],
                                  names=", ".join(sorted(names)) or "-"))
        for f in self.fields():
            if f.name in values:
                values[f.name] = _checked(self.name, f, values[f.name])
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise AnalysisError(_("{analysis}: give {flag} ({help})", analysis=self.name,
                                      flag=_flag_name(f), help=_(option_info(f).help)))
        return self.options(**values)


def _flag_name(f: dataclasses.Field[Any]) -> str:
    info = option_info(f)
    return info.flag or "--" + f.name.replace("_", "-")


def _checked(analysis: str, f: dataclasses.Field[Any], value: Any) -> Any:
    info = option_info(f)
    if value is None:
        return None
    if info.choices and value not in info.choices:
        raise AnalysisError(_("{analysis}: {flag} {value!r} is not one of {choices}",
                              analysis=analysis, flag=_flag_name(f), value=value,
                              choices=", ".join(map(str, info.choices))))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        low, high = info.minimum, info.maximum
        if not math.isfinite(number) or (low is not None and number < low) or (
                high is not None and number > high):
            span = (_("from {low:g} to {high:g}", low=low, high=high)
                    if low is not None and high is not None
                    else _("at least {low:g}", low=low) if low is not None
                    else _("at most {high:g}", high=high))
            unit = _(info.unit) if info.unit else ""
            raise AnalysisError(_("{analysis}: {flag} {value:g} is out of range: give a number "
                                  "{span} {unit}", analysis=analysis, flag=_flag_name(f),
                                  value=value, span=span, unit=unit).rstrip())
    return value


_REGISTRY: dict[str, Analysis] = {}


def register(analysis: Analysis) -> Analysis:
    """Add ``analysis`` to the registry (a name may be registered once)."""
    if analysis.name in _REGISTRY and _REGISTRY[analysis.name] is not analysis:
        raise ValueError(f"analysis {analysis.name!r} is registered twice")
    _REGISTRY[analysis.name] = analysis
    return analysis


def analyses() -> list[Analysis]:
    """Every registered analysis: the engine's own first, then added ones."""
    _load_builtin()
    return list(_REGISTRY.values())


def get(name: str) -> Analysis:
    """Return the analysis registered as ``name``."""
    _load_builtin()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise AnalysisError(_("unknown analysis {name!r}: use one of {names}", name=name,
                              names=", ".join(_REGISTRY))) from None


def run(name: str, context: AnalysisContext, options: Any = None, *,
        feedback: Feedback | None = None, **values: Any) -> AnalysisResult:
    """Run analysis ``name`` on ``context`` with ``options`` (or keyword values).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from gridplanner.context import AnalysisContext
    >>> from gridplanner.project import Project
    >>> grids = gpd.GeoDataFrame({"grid_id": ["g1"], "kind": ["urban"], "community_id": ["c"]},
    ...                          geometry=[shapely.box(0, 0, 100, 100)], crs=4549)
    >>> result = run("check", AnalysisContext.of(Project(layers={"grids": grids})))
    >>> sorted(result.layers), result.exit_code
    (['grid_checks'], 1)
    """
    analysis = get(name)
    opts = options if options is not None else analysis.make_options(values)
    return analysis.run(context, opts, feedback)


def _load_builtin() -> None:
    from gridplanner.analyses.builtin import BUILTIN

    for analysis in BUILTIN:
        _REGISTRY.setdefault(analysis.name, analysis)
