/* GridPlanner's offline map page.
 *
 * Reads the map's data from the page's JSON block (the script element of type
 * application/json with id gp-data) and builds the layers, popups, tooltips, title
 * and legend from it. Every text taken from the data reaches the page as a text
 * node (textContent), never as HTML; the two Leaflet controls that only accept HTML
 * strings (layer names, attribution) get escaped text.
 */
(function () {
  'use strict';

  var data = JSON.parse(document.getElementById('gp-data').textContent);

  function escapeHtml(text) {
    return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function popupContent(rows) {
    var box = element('div', 'gp-popup');
    var table = element('table');
    rows.forEach(function (row) {
      var line = element('tr');
      line.appendChild(element('th', '', row[0]));
      line.appendChild(element('td', '', row[1]));
      table.appendChild(line);
    });
    box.appendChild(table);
    return box;
  }

  function bindFeature(feature, layer) {
    var props = feature.properties || {};
    if (props.p && props.p.length) {
      layer.bindPopup(function () { return popupContent(props.p); }, {maxWidth: 420});
    }
    if (props.t) {
      layer.bindTooltip(function () { return element('span', '', props.t); }, {sticky: true});
    }
  }

  function styleOf(spec) {
    return function (feature) {
      var style = {};
      Object.keys(spec.style).forEach(function (key) { style[key] = spec.style[key]; });
      var colour = feature.properties && feature.properties.c;
      if (colour) {
        style.fillColor = colour;
        if (spec.stroke_from_colour) { style.color = colour; }
      }
      return style;
    };
  }

  // The legend is a map control with a button that folds it away. It folds by
  // itself while a popup is open (and unfolds after, if it was open), so it never
  // covers a popup.
  function legendControl(sections, title) {
    var control = L.control({position: 'bottomleft'});
    control.onAdd = function () {
      var box = element('div', 'gp-legend');
      var toggle = element('button', 'gp-legend-toggle', title);
      toggle.type = 'button';
      var body = element('div', 'gp-legend-body');
      sections.forEach(function (section, index) {
        if (index > 0) { body.appendChild(element('hr')); }
        body.appendChild(element('b', '', section.title));
        section.items.forEach(function (item) {
          var row = element('div');
          var swatch = element('i', 'gp-swatch gp-' + item.shape);
          swatch.style.backgroundColor = item.colour;
          row.appendChild(swatch);
          row.appendChild(document.createTextNode(item.label));
          body.appendChild(row);
        });
      });
      box.appendChild(toggle);
      box.appendChild(body);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      control.setOpen = function (open) {
        box.classList.toggle('gp-folded', !open);
        toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      };
      control.isOpen = function () { return !box.classList.contains('gp-folded'); };
      toggle.addEventListener('click', function () { control.setOpen(!control.isOpen()); });
      control.setOpen(true);
      return box;
    };
    return control;
  }

  // Grid codes as text labels, shown from the zoom at which a grid holds its code.
  function gridLabels(labels) {
    var group = L.layerGroup();
    labels.points.forEach(function (point) {
      var text = element('span', 'gp-label-text', point[2]);
      group.addLayer(L.marker([point[0], point[1]], {
        icon: L.divIcon({className: 'gp-label', html: text, iconSize: null}),
        interactive: false, keyboard: false}));
    });
    return group;
  }

  document.title = data.title || 'GridPlanner';
  var map = L.map('gp-map', {preferCanvas: true, zoomSnap: 0.25});
  L.control.scale().addTo(map);
  var bases = {};
  var overlays = {};
  if (data.basemap) {
    var tiles = L.tileLayer(data.basemap.url, {
      attribution: escapeHtml(data.basemap.attribution), maxZoom: 20});
    tiles.addTo(map);
    bases[escapeHtml(data.basemap.name)] = tiles;
  }
  data.layers.forEach(function (spec) {
    var layer = L.geoJSON(spec.features, {
      style: styleOf(spec),
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {radius: spec.radius});
      },
      onEachFeature: bindFeature
    });
    var group = L.featureGroup([layer]);
    if (spec.show) { group.addTo(map); }
    overlays[escapeHtml(spec.name)] = group;
  });
  L.control.layers(bases, overlays, {collapsed: false, position: 'topright'}).addTo(map);
  map.fitBounds(data.bounds);
  var heading = element('div', 'gp-title');
  heading.appendChild(element('div', 'gp-title-main', data.title));
  if (data.subtitle) { heading.appendChild(element('div', 'gp-title-sub', data.subtitle)); }
  document.body.appendChild(heading);
  var legend = legendControl(data.legend, data.legend_title);
  legend.addTo(map);
  var foldedForPopup = false;
  map.on('popupopen', function () {
    if (legend.isOpen()) { legend.setOpen(false); foldedForPopup = true; }
  });
  map.on('popupclose', function () {
    if (foldedForPopup) { legend.setOpen(true); foldedForPopup = false; }
  });
  var labels = gridLabels(data.labels || {points: [], min_zoom: 99});
  function showLabels() {
    var wanted = map.getZoom() >= data.labels.min_zoom;
    if (wanted && !map.hasLayer(labels)) { labels.addTo(map); }
    if (!wanted && map.hasLayer(labels)) { map.removeLayer(labels); }
  }
  map.on('zoomend', showLabels);
  showLabels();

  window.gridplannerMap = {map: map, overlays: overlays, data: data, legend: legend,
                           labels: labels};
  window.addEventListener('load', function () {
    var count = 0;
    map.eachLayer(function () { count += 1; });
    document.body.setAttribute('data-gp-layers', String(count));
  });
}());
