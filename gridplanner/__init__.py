"""GridPlanner engine: analyses, project file, exports and command line (no Qt)."""

__version__ = "0.1.0"
