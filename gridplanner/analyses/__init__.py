"""Analyses declared once for every front-end: see :mod:`gridplanner.analyses.registry`."""

from gridplanner.analyses.registry import (
    Analysis,
    AnalysisResult,
    OptionInfo,
    analyses,
    get,
    option,
    option_info,
    register,
    run,
)

__all__ = ["Analysis", "AnalysisResult", "OptionInfo", "analyses", "get", "option",
           "option_info", "register", "run"]
