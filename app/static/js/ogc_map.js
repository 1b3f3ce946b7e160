// The small map of the OGC API's HTML pages: the features of the page (embedded as GeoJSON),
// a popup with each feature's properties, the view fitted to them, on the server's base map.
// Vendored Leaflet only.
(function () {
  'use strict';
  var holder = document.getElementById('ogc-map');
  var source = document.getElementById('ogc-features');
  if (!holder || !source || !window.L) { return; }
  var data = JSON.parse(source.textContent);
  var map = L.map(holder, { maxZoom: 18 });

  function popup(feature) {
    var box = document.createElement('div');
    var title = document.createElement('strong');
    title.textContent = 'ID ' + feature.id;
    box.appendChild(title);
    Object.keys(feature.properties || {}).forEach(function (name) {
      var value = feature.properties[name];
      if (value === null || value === '') { return; }
      var line = document.createElement('div');
      line.textContent = name + '：' + value;
      box.appendChild(line);
    });
    return box;
  }

  var layer = L.geoJSON(data, {
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, { radius: 7, color: '#1d4f91', weight: 2, fillOpacity: 0.6 });
    },
    style: function () { return { color: '#1d4f91', weight: 2, fillOpacity: 0.2 }; },
    onEachFeature: function (feature, shape) { shape.bindPopup(function () { return popup(feature); }); }
  }).addTo(map);
  var count = layer.getLayers().length;
  if (count) {
    map.fitBounds(layer.getBounds(), { maxZoom: 16, padding: [16, 16] });
  } else {
    map.setView([36.5, 138.0], 5);
  }
  // The base map under the features: the server's own packages (a view first: layers need one).
  BCLBasemap.addTo(map, JSON.parse(holder.dataset.basemaps || '[]')).bringToBack();
  window.BCLOgcMap = { map: map, count: count };
}());
