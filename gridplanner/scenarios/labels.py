"""Labels of the key figures, table columns and table words, from the message catalogue.

The texts themselves live in the catalogue (``gridplanner/i18n/locale/*.po``): a
figure's label is an English msgid in context ``figure``, a column's header is the
column name in context ``column``, and the words written into exported tables
(kinds of change, band status, roles) are msgids in contexts ``change``, ``band``
and ``role``. This module keeps what is not text: the order, unit and better
direction of each figure, and which context each table word belongs to.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from gridplanner.i18n import pgettext

FIGURE_CONTEXT = "figure"
COLUMN_CONTEXT = "column"


@dataclass(frozen=True)
class Figure:
    """A key figure of the scenario reports.

    Parameters
    ----------
    label
        English label, the catalogue msgid (context ``figure``).
    unit
        ``"m"``, ``"%"``, ``"yuan"`` or ``""``.
    better
        Which way is an improvement: ``"lower"``, ``"higher"`` or ``""`` (neither).
    """

    label: str
    unit: str = ""
    better: Literal["lower", "higher", ""] = ""

    def title(self, *, lang: str | None = None) -> str:
        """Return the label in ``lang`` (default: the current language).

        Examples
        --------
        >>> Figure("Grids").title(lang="zh_CN")
        '网格数'
        """
        return pgettext(FIGURE_CONTEXT, self.label, lang=lang)


#: Key figures in report order.
FIGURES: dict[str, Figure] = {
    "staff_grid_head": Figure("Grid heads"),
    "staff_full_time": Figure("Full-time grid workers"),
    "staff_police": Figure("Grid police officers"),
    "staff_part_time": Figure("Part-time grid workers"),
    "staff_cost_yuan": Figure("Staff cost per year (yuan)", "yuan", "lower"),
    "households_total": Figure("Households"),
    "households_per_worker_mean": Figure("Households per full-time worker (mean)"),
    "households_per_worker_max": Figure("Households per full-time worker (max)", "", "lower"),
    "walk_mean_m": Figure("Walking distance, mean (m)", "m", "lower"),
    "walk_p95_m": Figure("Walking distance, 95th percentile (m)", "m", "lower"),
    "walk_max_m": Figure("Walking distance, max (m)", "m", "lower"),
    "households_beyond_1km": Figure("Households beyond 1 km", "", "lower"),
    "households_unassigned": Figure("Unassigned households", "", "lower"),
    "grids_total": Figure("Grids"),
    "grids_outside_band": Figure("Grids outside the household band", "", "lower"),
    "grids_missing_staff": Figure("Grids missing 1+1+1 staff", "", "lower"),
    "coverage_households_all": Figure("Households covered, all cameras (%)", "%", "higher"),
    "coverage_households_cat1": Figure("Households covered, category 1 (%)", "%", "higher"),
    "coverage_households_cat23": Figure("Households covered, categories 2-3 (%)", "%",
                                        "higher"),
    "coverage_intersections_all": Figure("Intersections covered, all cameras (%)", "%",
                                         "higher"),
    "coverage_intersections_cat1": Figure("Intersections covered, category 1 (%)", "%",
                                          "higher"),
    "coverage_intersections_cat23": Figure("Intersections covered, categories 2-3 (%)", "%",
                                           "higher"),
    "grids_under_coverage_threshold": Figure("Grids under the coverage threshold", "",
                                             "lower"),
    # The seed's organisation: X members by specialty, party building, special grids.
    "staff_auxiliary_police": Figure("X members: auxiliary police"),
    "staff_doctor": Figure("X members: doctors"),
    "staff_health_inspector": Figure("X members: health inspectors"),
    "staff_market_supervision": Figure("X members: market supervision"),
    "staff_law_enforcement": Figure("X members: law enforcement"),
    "staff_part_time_worker": Figure("X members: part-time grid workers"),
    "staff_other": Figure("X members: other"),
    "grids_short_work_group": Figure("Grids short of the work-group minimum", "", "lower"),
    "party_members": Figure("Party members among residents"),
    "party_member_staff": Figure("Party-member staff"),
    "red_grids": Figure("Red grids (party branch and party-member worker)", "", "higher"),
    "households_per_party_member": Figure("Households per party member", "", "lower"),
    "floating_population": Figure("Floating population"),
    "special_grids": Figure("Special grids"),
    "special_grids_outside_band": Figure("Special grids outside their band", "", "lower"),
}

#: Words written into exported tables -> their catalogue context.
WORDS: dict[str, str] = {
    **dict.fromkeys(("added", "removed", "reshaped", "attributes", "moved", "role", "grid",
                     "capacity_changed"), "change"),
    **dict.fromkeys(("below", "above", "in band", "no households"), "band"),
    **dict.fromkeys(("grid_head", "full_time", "police", "part_time"), "role"),
    **dict.fromkeys(("auxiliary_police", "doctor", "health_inspector", "market_supervision",
                     "law_enforcement", "part_time_worker"), "specialty"),
}


def figure_label(key: str, *, lang: str | None = None) -> str:
    """Return the label of the figure ``key`` in ``lang`` (default: the current language).

    Examples
    --------
    >>> figure_label("walk_mean_m", lang="zh_CN"), figure_label("walk_mean_m", lang="en")
    ('步行距离均值(米)', 'Walking distance, mean (m)')
    """
    return FIGURES[key].title(lang=lang)


def column_label(column: str, *, chinese: bool | None = None, lang: str | None = None) -> str:
    """Return the header for ``column`` in a language; unknown columns keep their name.

    English headers are the column names. Scenario-suffixed columns
    (``households [plan B]``) keep their suffix.

    Parameters
    ----------
    column
        The column name.
    chinese
        True for Chinese, False for the column name as is; overrides ``lang``.
    lang
        Language code; None (and ``chinese`` None) uses the current language.

    Returns
    -------
    str

    Examples
    --------
    >>> column_label("grid_id", chinese=True)
    '网格编码'
    >>> column_label("households [plan B]", lang="zh_CN")
    '住户数 [plan B]'
    """
    if chinese is not None:
        lang = "zh_CN" if chinese else "en"
    base, sep, rest = column.partition(" [")
    return f"{pgettext(COLUMN_CONTEXT, base, lang=lang)}{sep}{rest}"


def word_label(word: str, *, lang: str | None = None) -> str:
    """Return a table word (change kind, band status, role) in ``lang``; others as is.

    Examples
    --------
    >>> word_label("full_time", lang="zh_CN"), word_label("full_time", lang="en")
    ('专职网格员', 'full_time')
    """
    context = WORDS.get(word)
    return word if context is None else pgettext(context, word, lang=lang)


class _WordsIn(Mapping[str, str]):
    """Read-only view: table word -> its text in one language, looked up when read."""

    def __init__(self, lang: str) -> None:
        self._lang = lang

    def __getitem__(self, word: str) -> str:
        if word not in WORDS:
            raise KeyError(word)
        return word_label(word, lang=self._lang)

    def __iter__(self) -> Iterator[str]:
        return iter(WORDS)

    def __len__(self) -> int:
        return len(WORDS)


#: Table words in Chinese, for the exporters that still ask for Chinese by name.
WORDS_ZH: Mapping[str, str] = _WordsIn("zh_CN")
