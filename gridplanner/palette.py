"""Every colour GridPlanner draws with, defined once for the HTML map, PNG maps and the app.

The families are kept apart so a colour means one thing on every map:

- **coverage classes** (share of households or intersections cameras see) run red
  (poorly covered) through yellow to green (ColorBrewer RdYlGn); coverage gaps and
  uncovered households use the red end of that family;
- **camera categories** are one hue family of their own, purples (category 1 the
  darkest), so a category-1 view is never read as a poorly covered grid;
- **staff roles** and **facility kinds** are distinct colours drawn on points with
  an outline (white for staff, black for facilities); police and police stations
  share the police navy;
- **household band status**, **household counts** (blues), **walking distance**
  (green near, red far) and **full-time workers per grid** colour the grids when
  the map is coloured by them.

Colours are ``#rrggbb`` strings, usable by Leaflet, matplotlib and Qt alike.
"""

from __future__ import annotations

#: Grids (or anything) without a value.
NO_DATA = "#bdbdbd"

#: Five coverage classes, 0-20-40-60-80-100 %: red = poorly covered.
COVERAGE_CLASSES = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")
#: Coverage gaps (areas no camera sees).
COVERAGE_GAP = COVERAGE_CLASSES[0]
#: Households no camera sees.
UNCOVERED = "#67000d"

#: Camera categories 1, 2, 3 (points and view footprints): purples.
CAMERA_CATEGORY: dict[int, str] = {1: "#3f007d", 2: "#6a51a3", 3: "#9e9ac8"}
#: A camera whose category is unknown.
CAMERA_UNKNOWN = "#777777"

#: Staff roles (points with a white outline).
ROLE: dict[str, str] = {
    "grid_head": "#e7298a",
    "full_time": "#1f78b4",
    "police": "#081d58",
    "part_time": "#737373",
}
#: A staff member whose role is unknown.
ROLE_UNKNOWN = "#bababa"

#: Facility kinds (points with a black outline); kinds not listed are "other".
FACILITY: dict[str, str] = {
    "party_centre": "#e31a1c",
    "mediation_centre": "#ff7f00",
    "police_station": "#081d58",
    "other": "#ffffff",
}

#: Households of a grid against its band.
BAND_STATUS: dict[str, str] = {"below": "#6baed6", "in band": "#74c476", "above": "#fd8d3c"}
#: Households per grid, five classes: blues.
HOUSEHOLD_CLASSES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
#: Walking distance, five classes: green = near.
WALK_CLASSES = tuple(reversed(COVERAGE_CLASSES))
#: Full-time workers per grid: none is red, more is greener.
WORKERS: dict[str, str] = {"0": "#d7191c", "1": "#a6d96a", "2": "#1a9641", "3+": "#006837"}

#: Outlines of communities and streets.
COMMUNITY_OUTLINE = "#253494"
STREET_OUTLINE = "#000000"
#: Grid outlines.
GRID_OUTLINE = "#333333"
#: The area a full-time worker serves (outline, fill).
STAFF_AREA = ("#1f78b4", "#a6cee3")
#: Facility service areas.
FACILITY_AREA = "#ff7f00"

#: Result layers in the app: coverage gaps, unseen intersections, proposed sites and
#: their views, households left unassigned, new staff bases.
GAP_AREA = "#99000d"
UNSEEN_INTERSECTION = "#ff7f00"
PROPOSED_SITE = ("#00c853", "#00732f")
UNASSIGNED = "#000000"
NEW_STAFF_SITE = "#00bfa5"
PROPOSED_GRID_OUTLINE = "#08306b"

#: Incidents: their points and the incident lookup's marker.
INCIDENT = "#d7191c"
#: Grid status lights of the atlas pages.
STATUS: dict[str, str] = {"green": "#1a9641", "amber": "#f0a30a", "red": "#d7191c"}

#: Base layers of the printed maps (PNG, atlas): greys under the colour classes.
PRINT_NEIGHBOUR_FILL = "#e6e6e6"
PRINT_ROAD = "#b0b0b0"
PRINT_HOUSEHOLD = "#4d4d4d"

#: The app's map: its background without a basemap, and its base layers.
APP_BACKGROUND = "#f4f2ec"
APP_ROAD = "#9b8e7e"
APP_HOUSEHOLD = "#2b8cbe"
#: Buildings and facility service areas (fill, outline); grid outlines.
APP_BUILDING = ("#9e9e9e", "#7a7a7a")
APP_SERVICE_AREA = ("#fdfdf6", "#7a5c3a")
APP_GRID_OUTLINE = "#1f3b63"
#: A layer without a style of its own (fill, outline).
APP_DEFAULT = ("#3182bd", "#333333")
#: Result layers without a style of their own: gap-like areas (fill, outline),
#: points, lines and other areas (fill, outline).
APP_RESULT_GAP = ("#e34a33", "#b30000")
APP_RESULT_POINT = "#d95f0e"
APP_RESULT_LINE = "#e6550d"
APP_RESULT_AREA = ("#fdae6b", "#a63603")
#: Map labels (their text; a white halo sets them off) and locked-grid hatching.
APP_LABEL = "#10233f"
LOCK_HATCH = "#202020"
#: Selected features and the feature a list or a finding points at.
SELECTION = "#00e5ff"
HIGHLIGHT = "#ff00aa"
#: Editing tools: the band of a drawn line, grid vertices shown for dragging.
EDIT_LINE = "#ff6d00"
EDIT_VERTEX = "#d81b60"

#: Better and worse figures: text in the app's tables (green, magenta).
BETTER = "#1b7837"
WORSE = "#c51b7d"
#: Better and worse cells of the XLSX and HTML reports (fill, text).
BETTER_CELL = ("#c6efce", "#006100")
WORSE_CELL = ("#ffc7ce", "#9c0006")
#: Header cells of the HTML report; a changed value in the app's comparison table.
TABLE_HEADER = "#eef2f7"
CHANGED_CELL = "#fff3bf"
#: Bars of the app's scenario comparison chart, one per scenario.
CHART = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860")

#: Qualitative colours for categories without a fixed colour (grids by community ...).
QUALITATIVE = (
    "#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494",
    "#8dd3c7", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69",
    "#fccde5", "#bc80bd", "#ccebc5", "#ffed6f",
)


def camera_colour(category: object) -> str:
    """Return the colour of a camera category (1, 2, 3, also as text).

    Examples
    --------
    >>> camera_colour(1), camera_colour("3"), camera_colour(None)
    ('#3f007d', '#9e9ac8', '#777777')
    """
    try:
        return CAMERA_CATEGORY.get(int(str(category).strip().split(".")[0]), CAMERA_UNKNOWN)
    except ValueError:
        return CAMERA_UNKNOWN


def role_colour(role: object) -> str:
    """Return the colour of a staff role.

    Examples
    --------
    >>> role_colour("police"), role_colour("volunteer")
    ('#081d58', '#bababa')
    """
    return ROLE.get(str(role), ROLE_UNKNOWN)


def facility_colour(kind: object) -> str:
    """Return the colour of a facility kind (unknown kinds are "other").

    Examples
    --------
    >>> facility_colour("party_centre"), facility_colour("综治中心")
    ('#e31a1c', '#ffffff')
    """
    return FACILITY.get(str(kind), FACILITY["other"])
