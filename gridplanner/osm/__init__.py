"""A project from OpenStreetMap: read a ``.osm.pbf`` extract offline (pyosmium).

:func:`osm_project` reads roads, buildings, cameras, police stations, community
centres, government offices and administrative boundaries, estimates households
from residential buildings and returns a project with a summary of what was found
and what was estimated. It needs the ``osm`` extra (``pip install gridplanner[osm]``).
"""

from gridplanner.osm.build import (
    DEFAULT_LEVELS,
    FLOOR_AREA_PER_HOUSEHOLD_M2,
    METRES_PER_LEVEL,
    OsmImport,
    area_of_interest,
    osm_project,
    parse_bbox,
)
from gridplanner.osm.reader import OsmTables, read_pbf

__all__ = [
    "DEFAULT_LEVELS",
    "FLOOR_AREA_PER_HOUSEHOLD_M2",
    "METRES_PER_LEVEL",
    "OsmImport",
    "OsmTables",
    "area_of_interest",
    "osm_project",
    "parse_bbox",
    "read_pbf",
]
