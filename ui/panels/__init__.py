"""Dock panels: layers, attribute table, identify, analyses, checks, editing, scenarios."""
