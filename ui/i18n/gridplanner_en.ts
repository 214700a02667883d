<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>GridPlanner</name>
    <message>
        <source>&amp;Analysis</source>
        <translation>&amp;Analysis</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Edit</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>&amp;Export</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>&amp;Import layers…</source>
        <translation>&amp;Import layers…</translation>
    </message>
    <message>
        <source>&amp;New project</source>
        <translation>&amp;New project</translation>
    </message>
    <message>
        <source>&amp;Open project…</source>
        <translation>&amp;Open project…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Save</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Settings</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(none)</translation>
    </message>
    <message>
        <source>(start)</source>
        <translation>(start)</translation>
    </message>
    <message>
        <source>About GridPlanner</source>
        <translation>About GridPlanner</translation>
    </message>
    <message>
        <source>Accept into a new scenario</source>
        <translation>Accept into a new scenario</translation>
    </message>
    <message>
        <source>Accept new staff into a new scenario</source>
        <translation>Accept new staff into a new scenario</translation>
    </message>
    <message>
        <source>Accept proposal into a new scenario</source>
        <translation>Accept proposal into a new scenario</translation>
    </message>
    <message>
        <source>Accept sites into a new scenario</source>
        <translation>Accept sites into a new scenario</translation>
    </message>
    <message>
        <source>Allocate households to staff</source>
        <translation>Allocate households to staff</translation>
    </message>
    <message>
        <source>Allocation done.</source>
        <translation>Allocation done.</translation>
    </message>
    <message>
        <source>Analysis</source>
        <translation>Analysis</translation>
    </message>
    <message>
        <source>As declared by each file</source>
        <translation>As declared by each file</translation>
    </message>
    <message>
        <source>Assign grid heads to grids</source>
        <translation>Assign grid heads to grids</translation>
    </message>
    <message>
        <source>At least {pct:.0f}% of the best possible gain.</source>
        <translation>At least {pct:.0f}% of the best possible gain.</translation>
    </message>
    <message>
        <source>Attribute table</source>
        <translation>Attribute table</translation>
    </message>
    <message>
        <source>Autosaved</source>
        <translation>Autosaved</translation>
    </message>
    <message>
        <source>BD-09 (Baidu)</source>
        <translation>BD-09 (Baidu)</translation>
    </message>
    <message>
        <source>Balanced grid proposal</source>
        <translation>Balanced grid proposal</translation>
    </message>
    <message>
        <source>Band</source>
        <translation>Band</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>Buildings</source>
        <translation>Buildings</translation>
    </message>
    <message>
        <source>Buildings block the view</source>
        <translation>Buildings block the view</translation>
    </message>
    <message>
        <source>CGCS2000 (EPSG:4490)</source>
        <translation>CGCS2000 (EPSG:4490)</translation>
    </message>
    <message>
        <source>Camera coverage</source>
        <translation>Camera coverage</translation>
    </message>
    <message>
        <source>Camera siting (K new cameras)</source>
        <translation>Camera siting (K new cameras)</translation>
    </message>
    <message>
        <source>Camera views of the proposed sites</source>
        <translation>Camera views of the proposed sites</translation>
    </message>
    <message>
        <source>Cameras</source>
        <translation>Cameras</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>Categorised by a field</source>
        <translation>Categorised by a field</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Check</translation>
    </message>
    <message>
        <source>Checks</source>
        <translation>Checks</translation>
    </message>
    <message>
        <source>Chinese headers and labels</source>
        <translation>Chinese headers and labels</translation>
    </message>
    <message>
        <source>Choose the {layer} file</source>
        <translation>Choose the {layer} file</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>Classes</translation>
    </message>
    <message>
        <source>Clear selection</source>
        <translation>Clear selection</translation>
    </message>
    <message>
        <source>Click or drag a box on the current layer; Shift adds</source>
        <translation>Click or drag a box on the current layer; Shift adds</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>Colour</translation>
    </message>
    <message>
        <source>Colour grids by</source>
        <translation>Colour grids by</translation>
    </message>
    <message>
        <source>Community (empty: all)</source>
        <translation>Community (empty: all)</translation>
    </message>
    <message>
        <source>Compactness</source>
        <translation>Compactness</translation>
    </message>
    <message>
        <source>Compare scenarios</source>
        <translation>Compare scenarios</translation>
    </message>
    <message>
        <source>Compare ticked</source>
        <translation>Compare ticked</translation>
    </message>
    <message>
        <source>Comparison</source>
        <translation>Comparison</translation>
    </message>
    <message>
        <source>Coverage</source>
        <translation>Coverage</translation>
    </message>
    <message>
        <source>Coverage done: red grids and dark red areas are the gaps.</source>
        <translation>Coverage done: red grids and dark red areas are the gaps.</translation>
    </message>
    <message>
        <source>Coverage gaps</source>
        <translation>Coverage gaps</translation>
    </message>
    <message>
        <source>Coverage per grid</source>
        <translation>Coverage per grid</translation>
    </message>
    <message>
        <source>Create from current edits</source>
        <translation>Create from current edits</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>Delete it</source>
        <translation>Delete it</translation>
    </message>
    <message>
        <source>Delete the autosaved work for good? It cannot be recovered after.</source>
        <translation>Delete the autosaved work for good? It cannot be recovered after.</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Discard</translation>
    </message>
    <message>
        <source>District covered:</source>
        <translation>District covered:</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>Down</translation>
    </message>
    <message>
        <source>Drag a grid corner; neighbours follow</source>
        <translation>Drag a grid corner; neighbours follow</translation>
    </message>
    <message>
        <source>Draw a line across the selected grid</source>
        <translation>Draw a line across the selected grid</translation>
    </message>
    <message>
        <source>Draw a new line between two grids; double-click to finish</source>
        <translation>Draw a new line between two grids; double-click to finish</translation>
    </message>
    <message>
        <source>Draw the new line between exactly two neighbouring grids (or select the two grids first).</source>
        <translation>Draw the new line between exactly two neighbouring grids (or select the two grids first).</translation>
    </message>
    <message>
        <source>Duplicate grid code</source>
        <translation>Duplicate grid code</translation>
    </message>
    <message>
        <source>Edit a grid to see its households, compactness and coverage against the values before the edit.</source>
        <translation>Edit a grid to see its households, compactness and coverage against the values before the edit.</translation>
    </message>
    <message>
        <source>Edit history (click a step to go back to it)</source>
        <translation>Edit history (click a step to go back to it)</translation>
    </message>
    <message>
        <source>Editing</source>
        <translation>Editing</translation>
    </message>
    <message>
        <source>Editing is not available</source>
        <translation>Editing is not available</translation>
    </message>
    <message>
        <source>Empty grid</source>
        <translation>Empty grid</translation>
    </message>
    <message>
        <source>English</source>
        <translation>English</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>Export an image of the view</source>
        <translation>Export an image of the view</translation>
    </message>
    <message>
        <source>Export reports (XLSX/CSV)</source>
        <translation>Export reports (XLSX/CSV)</translation>
    </message>
    <message>
        <source>Export result layers (GeoPackage)</source>
        <translation>Export result layers (GeoPackage)</translation>
    </message>
    <message>
        <source>Export the HTML map</source>
        <translation>Export the HTML map</translation>
    </message>
    <message>
        <source>Facilities</source>
        <translation>Facilities</translation>
    </message>
    <message>
        <source>Facility service areas</source>
        <translation>Facility service areas</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Field</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>Figure</translation>
    </message>
    <message>
        <source>File</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Fill opacity</source>
        <translation>Fill opacity</translation>
    </message>
    <message>
        <source>Filter rows…</source>
        <translation>Filter rows…</translation>
    </message>
    <message>
        <source>Finished: {what}</source>
        <translation>Finished: {what}</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Follow the system</translation>
    </message>
    <message>
        <source>Full-time grid workers</source>
        <translation>Full-time grid workers</translation>
    </message>
    <message>
        <source>GCJ-02 (Amap, Tencent)</source>
        <translation>GCJ-02 (Amap, Tencent)</translation>
    </message>
    <message>
        <source>Gap between grids</source>
        <translation>Gap between grids</translation>
    </message>
    <message>
        <source>Graduated by a figure</source>
        <translation>Graduated by a figure</translation>
    </message>
    <message>
        <source>Green: better than before the edit; red: worse.</source>
        <translation>Green: better than before the edit; red: worse.</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>Grid</translation>
    </message>
    <message>
        <source>Grid checks</source>
        <translation>Grid checks</translation>
    </message>
    <message>
        <source>Grid crosses its community boundary</source>
        <translation>Grid crosses its community boundary</translation>
    </message>
    <message>
        <source>Grid heads</source>
        <translation>Grid heads</translation>
    </message>
    <message>
        <source>Grid heads matched to grids; {n} grids without a head.</source>
        <translation>Grid heads matched to grids; {n} grids without a head.</translation>
    </message>
    <message>
        <source>Grid in several parts</source>
        <translation>Grid in several parts</translation>
    </message>
    <message>
        <source>GridPlanner did not close normally last time. Open the autosaved work from {path}?</source>
        <translation>GridPlanner did not close normally last time. Open the autosaved work from {path}?</translation>
    </message>
    <message>
        <source>GridPlanner {v}: grids, cameras and grid workers for grid governance.</source>
        <translation>GridPlanner {v}: grids, cameras and grid workers for grid governance.</translation>
    </message>
    <message>
        <source>Grids</source>
        <translation>Grids</translation>
    </message>
    <message>
        <source>HTML map…</source>
        <translation>HTML map…</translation>
    </message>
    <message>
        <source>Height (px)</source>
        <translation>Height (px)</translation>
    </message>
    <message>
        <source>Household in no grid</source>
        <translation>Household in no grid</translation>
    </message>
    <message>
        <source>Household in two grids</source>
        <translation>Household in two grids</translation>
    </message>
    <message>
        <source>Household to worker</source>
        <translation>Household to worker</translation>
    </message>
    <message>
        <source>Households</source>
        <translation>Households</translation>
    </message>
    <message>
        <source>Households against the band</source>
        <translation>Households against the band</translation>
    </message>
    <message>
        <source>Households at least</source>
        <translation>Households at least</translation>
    </message>
    <message>
        <source>Households at most</source>
        <translation>Households at most</translation>
    </message>
    <message>
        <source>Households by walking distance</source>
        <translation>Households by walking distance</translation>
    </message>
    <message>
        <source>Households not seen</source>
        <translation>Households not seen</translation>
    </message>
    <message>
        <source>Households outside the band</source>
        <translation>Households outside the band</translation>
    </message>
    <message>
        <source>Identify</source>
        <translation>Identify</translation>
    </message>
    <message>
        <source>Image of the view (PNG)…</source>
        <translation>Image of the view (PNG)…</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>Import layers</source>
        <translation>Import layers</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>Incident</translation>
    </message>
    <message>
        <source>Incident lookup (click the map)</source>
        <translation>Incident lookup (click the map)</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>Incidents</translation>
    </message>
    <message>
        <source>Include names, phones and ID numbers</source>
        <translation>Include names, phones and ID numbers</translation>
    </message>
    <message>
        <source>Include offline cameras</source>
        <translation>Include offline cameras</translation>
    </message>
    <message>
        <source>Intersections not seen</source>
        <translation>Intersections not seen</translation>
    </message>
    <message>
        <source>Invalid shape</source>
        <translation>Invalid shape</translation>
    </message>
    <message>
        <source>Keep it for later</source>
        <translation>Keep it for later</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Label</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>Layers</translation>
    </message>
    <message>
        <source>Live figures of the edited grids</source>
        <translation>Live figures of the edited grids</translation>
    </message>
    <message>
        <source>Lock grids</source>
        <translation>Lock grids</translation>
    </message>
    <message>
        <source>Lock selected grids</source>
        <translation>Lock selected grids</translation>
    </message>
    <message>
        <source>Malformed grid code</source>
        <translation>Malformed grid code</translation>
    </message>
    <message>
        <source>Mean walk {mean:,.0f} m, max {max:,.0f} m.</source>
        <translation>Mean walk {mean:,.0f} m, max {max:,.0f} m.</translation>
    </message>
    <message>
        <source>Merge grids</source>
        <translation>Merge grids</translation>
    </message>
    <message>
        <source>Merge selected grids</source>
        <translation>Merge selected grids</translation>
    </message>
    <message>
        <source>Missing 1+1+1 staff</source>
        <translation>Missing 1+1+1 staff</translation>
    </message>
    <message>
        <source>Move shared vertex</source>
        <translation>Move shared vertex</translation>
    </message>
    <message>
        <source>New cameras (K)</source>
        <translation>New cameras (K)</translation>
    </message>
    <message>
        <source>New name</source>
        <translation>New name</translation>
    </message>
    <message>
        <source>New scenario</source>
        <translation>New scenario</translation>
    </message>
    <message>
        <source>New staff</source>
        <translation>New staff</translation>
    </message>
    <message>
        <source>Not compact</source>
        <translation>Not compact</translation>
    </message>
    <message>
        <source>Only within the household's grid</source>
        <translation>Only within the household's grid</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>Opacity</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>Open &amp;recent</translation>
    </message>
    <message>
        <source>Open project</source>
        <translation>Open project</translation>
    </message>
    <message>
        <source>Open read-only</source>
        <translation>Open read-only</translation>
    </message>
    <message>
        <source>Opened read-only: the folder cannot be written to. Save your work under another name.</source>
        <translation>Opened read-only: the folder cannot be written to. Save your work under another name.</translation>
    </message>
    <message>
        <source>Opened read-only: the project is open for changes elsewhere. Save your work under another name.</source>
        <translation>Opened read-only: the project is open for changes elsewhere. Save your work under another name.</translation>
    </message>
    <message>
        <source>Opened {path}</source>
        <translation>Opened {path}</translation>
    </message>
    <message>
        <source>Opening {path}…</source>
        <translation>Opening {path}…</translation>
    </message>
    <message>
        <source>Overlapping grids</source>
        <translation>Overlapping grids</translation>
    </message>
    <message>
        <source>Overwrite</source>
        <translation>Overwrite</translation>
    </message>
    <message>
        <source>Pan</source>
        <translation>Pan</translation>
    </message>
    <message>
        <source>Part-time workers</source>
        <translation>Part-time workers</translation>
    </message>
    <message>
        <source>Place new staff</source>
        <translation>Place new staff</translation>
    </message>
    <message>
        <source>Police</source>
        <translation>Police</translation>
    </message>
    <message>
        <source>Press Check to read the files and list problems.</source>
        <translation>Press Check to read the files and list problems.</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>Problems found</source>
        <translation>Problems found</translation>
    </message>
    <message>
        <source>Proposal on the map (layer balanced_grids); accept it into a scenario to compare with the current grids.</source>
        <translation>Proposal on the map (layer balanced_grids); accept it into a scenario to compare with the current grids.</translation>
    </message>
    <message>
        <source>Proposed camera sites</source>
        <translation>Proposed camera sites</translation>
    </message>
    <message>
        <source>Proposed places for new staff are on the map.</source>
        <translation>Proposed places for new staff are on the map.</translation>
    </message>
    <message>
        <source>Proposed staff places</source>
        <translation>Proposed staff places</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>Reading…</translation>
    </message>
    <message>
        <source>Reassign households</source>
        <translation>Reassign households</translation>
    </message>
    <message>
        <source>Reassign households (box)</source>
        <translation>Reassign households (box)</translation>
    </message>
    <message>
        <source>Reassign households (lasso)</source>
        <translation>Reassign households (lasso)</translation>
    </message>
    <message>
        <source>Recover</source>
        <translation>Recover</translation>
    </message>
    <message>
        <source>Recover unsaved work</source>
        <translation>Recover unsaved work</translation>
    </message>
    <message>
        <source>Recovered unsaved work: save it with Save as</source>
        <translation>Recovered unsaved work: save it with Save as</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Redo</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Rename</translation>
    </message>
    <message>
        <source>Rename scenario</source>
        <translation>Rename scenario</translation>
    </message>
    <message>
        <source>Reports (XLSX/CSV)…</source>
        <translation>Reports (XLSX/CSV)…</translation>
    </message>
    <message>
        <source>Reshape boundary</source>
        <translation>Reshape boundary</translation>
    </message>
    <message>
        <source>Result layers (GeoPackage)…</source>
        <translation>Result layers (GeoPackage)…</translation>
    </message>
    <message>
        <source>Roads</source>
        <translation>Roads</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Run</translation>
    </message>
    <message>
        <source>Run checks</source>
        <translation>Run checks</translation>
    </message>
    <message>
        <source>Running {name}…</source>
        <translation>Running {name}…</translation>
    </message>
    <message>
        <source>Running: {what}</source>
        <translation>Running: {what}</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Save &amp;as…</source>
        <translation>Save &amp;as…</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>Save as…</translation>
    </message>
    <message>
        <source>Save project as</source>
        <translation>Save project as</translation>
    </message>
    <message>
        <source>Save your work under another name (Save as).</source>
        <translation>Save your work under another name (Save as).</translation>
    </message>
    <message>
        <source>Scenario comparison</source>
        <translation>Scenario comparison</translation>
    </message>
    <message>
        <source>Scenario name</source>
        <translation>Scenario name</translation>
    </message>
    <message>
        <source>Scenarios</source>
        <translation>Scenarios</translation>
    </message>
    <message>
        <source>Select</source>
        <translation>Select</translation>
    </message>
    <message>
        <source>Select grids first.</source>
        <translation>Select grids first.</translation>
    </message>
    <message>
        <source>Select the one grid that should receive the households first.</source>
        <translation>Select the one grid that should receive the households first.</translation>
    </message>
    <message>
        <source>Select the receiving grid, then drag a box over households</source>
        <translation>Select the receiving grid, then drag a box over households</translation>
    </message>
    <message>
        <source>Select two or more neighbouring grids first (Shift adds to the selection).</source>
        <translation>Select two or more neighbouring grids first (Shift adds to the selection).</translation>
    </message>
    <message>
        <source>Service areas</source>
        <translation>Service areas</translation>
    </message>
    <message>
        <source>Service areas of the facilities are on the map.</source>
        <translation>Service areas of the facilities are on the map.</translation>
    </message>
    <message>
        <source>Show on map</source>
        <translation>Show on map</translation>
    </message>
    <message>
        <source>Single colour</source>
        <translation>Single colour</translation>
    </message>
    <message>
        <source>Size / width (px)</source>
        <translation>Size / width (px)</translation>
    </message>
    <message>
        <source>Sliver</source>
        <translation>Sliver</translation>
    </message>
    <message>
        <source>Source coordinates</source>
        <translation>Source coordinates</translation>
    </message>
    <message>
        <source>Split grid by line</source>
        <translation>Split grid by line</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Staff</translation>
    </message>
    <message>
        <source>Style</source>
        <translation>Style</translation>
    </message>
    <message>
        <source>Style of {layer}</source>
        <translation>Style of {layer}</translation>
    </message>
    <message>
        <source>Style…</source>
        <translation>Style…</translation>
    </message>
    <message>
        <source>The analysis could not run</source>
        <translation>The analysis could not run</translation>
    </message>
    <message>
        <source>The autosave could not be kept</source>
        <translation>The autosave could not be kept</translation>
    </message>
    <message>
        <source>The autosaved work was kept as {name}; open it to look at it.</source>
        <translation>The autosaved work was kept as {name}; open it to look at it.</translation>
    </message>
    <message>
        <source>The edit was not applied</source>
        <translation>The edit was not applied</translation>
    </message>
    <message>
        <source>The file changed on disk</source>
        <translation>The file changed on disk</translation>
    </message>
    <message>
        <source>The files cannot be imported yet:</source>
        <translation>The files cannot be imported yet:</translation>
    </message>
    <message>
        <source>The map shows scenario '{name}' (read-only). Show 'current data' to edit.</source>
        <translation>The map shows scenario '{name}' (read-only). Show 'current data' to edit.</translation>
    </message>
    <message>
        <source>The project cannot be opened</source>
        <translation>The project cannot be opened</translation>
    </message>
    <message>
        <source>The project cannot be saved</source>
        <translation>The project cannot be saved</translation>
    </message>
    <message>
        <source>The project has unsaved changes. Save them first?</source>
        <translation>The project has unsaved changes. Save them first?</translation>
    </message>
    <message>
        <source>The project is in use</source>
        <translation>The project is in use</translation>
    </message>
    <message>
        <source>The result cannot be shown</source>
        <translation>The result cannot be shown</translation>
    </message>
    <message>
        <source>The scenario cannot be shown</source>
        <translation>The scenario cannot be shown</translation>
    </message>
    <message>
        <source>The scenario was not created</source>
        <translation>The scenario was not created</translation>
    </message>
    <message>
        <source>The scenario was not deleted</source>
        <translation>The scenario was not deleted</translation>
    </message>
    <message>
        <source>The scenario was not renamed</source>
        <translation>The scenario was not renamed</translation>
    </message>
    <message>
        <source>This build has no grid-editing engine.</source>
        <translation>This build has no grid-editing engine.</translation>
    </message>
    <message>
        <source>Tick two or more scenarios to compare.</source>
        <translation>Tick two or more scenarios to compare.</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>Tools</translation>
    </message>
    <message>
        <source>Unassigned households</source>
        <translation>Unassigned households</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Undo</translation>
    </message>
    <message>
        <source>Unknown community</source>
        <translation>Unknown community</translation>
    </message>
    <message>
        <source>Unlock selected grids</source>
        <translation>Unlock selected grids</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>Unsaved changes</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>Untitled</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>Up</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Value</translation>
    </message>
    <message>
        <source>WGS84 (EPSG:4326, GPS)</source>
        <translation>WGS84 (EPSG:4326, GPS)</translation>
    </message>
    <message>
        <source>Walking distance</source>
        <translation>Walking distance</translation>
    </message>
    <message>
        <source>Width (px)</source>
        <translation>Width (px)</translation>
    </message>
    <message>
        <source>Writing {path}…</source>
        <translation>Writing {path}…</translation>
    </message>
    <message>
        <source>Written:</source>
        <translation>Written:</translation>
    </message>
    <message>
        <source>Zoom to full extent</source>
        <translation>Zoom to full extent</translation>
    </message>
    <message>
        <source>Zoom to layer</source>
        <translation>Zoom to layer</translation>
    </message>
    <message>
        <source>Zoom to selection</source>
        <translation>Zoom to selection</translation>
    </message>
    <message>
        <source>above</source>
        <translation>above</translation>
    </message>
    <message>
        <source>accepted from {what}</source>
        <translation>accepted from {what}</translation>
    </message>
    <message>
        <source>area</source>
        <translation>area</translation>
    </message>
    <message>
        <source>below</source>
        <translation>below</translation>
    </message>
    <message>
        <source>current data</source>
        <translation>current data</translation>
    </message>
    <message>
        <source>file (optional)</source>
        <translation>file (optional)</translation>
    </message>
    <message>
        <source>gone</source>
        <translation>gone</translation>
    </message>
    <message>
        <source>households</source>
        <translation>households</translation>
    </message>
    <message>
        <source>in band</source>
        <translation>in band</translation>
    </message>
    <message>
        <source>intersections</source>
        <translation>intersections</translation>
    </message>
    <message>
        <source>no value</source>
        <translation>no value</translation>
    </message>
    <message>
        <source>on the map</source>
        <translation>on the map</translation>
    </message>
    <message>
        <source>proposal</source>
        <translation>proposal</translation>
    </message>
    <message>
        <source>render {ms:.0f} ms</source>
        <translation>render {ms:.0f} ms</translation>
    </message>
    <message>
        <source>with coverage</source>
        <translation>with coverage</translation>
    </message>
    <message>
        <source>with walking allocation</source>
        <translation>with walking allocation</translation>
    </message>
    <message>
        <source>{g} grid changes and {s} staff changes against the first scenario; changed grids are outlined on the map.</source>
        <translation>{g} grid changes and {s} staff changes against the first scenario; changed grids are outlined on the map.</translation>
    </message>
    <message>
        <source>{layer}: {count} features</source>
        <translation>{layer}: {count} features</translation>
    </message>
    <message>
        <source>{n} camera sites proposed; accept them into a scenario to compare.</source>
        <translation>{n} camera sites proposed; accept them into a scenario to compare.</translation>
    </message>
    <message>
        <source>{n} edits</source>
        <translation>{n} edits</translation>
    </message>
    <message>
        <source>{n} findings</source>
        <translation>{n} findings</translation>
    </message>
    <message>
        <source>{n} findings; see the Checks tab.</source>
        <translation>{n} findings; see the Checks tab.</translation>
    </message>
    <message>
        <source>{n} household points not seen.</source>
        <translation>{n} household points not seen.</translation>
    </message>
    <message>
        <source>{n} households unassigned.</source>
        <translation>{n} households unassigned.</translation>
    </message>
    <message>
        <source>{n} layers read without errors.</source>
        <translation>{n} layers read without errors.</translation>
    </message>
    <message>
        <source>{n} rows</source>
        <translation>{n} rows</translation>
    </message>
    <message>
        <source>{n} warnings (the data is kept):</source>
        <translation>{n} warnings (the data is kept):</translation>
    </message>
    <message>
        <source>{path} was changed by another program since you opened it. Saving over it throws those changes away.</source>
        <translation>{path} was changed by another program since you opened it. Saving over it throws those changes away.</translation>
    </message>
    <message>
        <source>… ({n} more lines under Show Details)</source>
        <translation>… ({n} more lines under Show Details)</translation>
    </message>
    <message>
        <source>简体中文</source>
        <translation>简体中文</translation>
    </message>
</context>
</TS>
