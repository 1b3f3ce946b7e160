/* 個別避難計画: draw the evacuation route (Leaflet.draw polyline) and pick the destination shelter on
   the map. The route goes to the hidden "route" input as a GeoJSON LineString (lon/lat). The base map
   is the server's own (basemap.js): this page is about one person, and tiles around their home must
   never be asked of an outside host. */
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var box = document.getElementById('plan-map');
    if (!box || !window.L || !L.Control.Draw) { return; }
    var input = document.getElementById('route'), status = document.getElementById('route-status');
    var map = L.map(box, {maxZoom: 20});
    var shelters = JSON.parse(box.getAttribute('data-shelters') || '[]');
    var lat = parseFloat(box.getAttribute('data-lat')), lon = parseFloat(box.getAttribute('data-lon'));
    var route = JSON.parse(box.getAttribute('data-route') || '[]');
    // The view comes first: vector layers added to a map without one fail.
    if (route.length) {
      map.fitBounds(L.latLngBounds(route).pad(0.3));
    } else if (!isNaN(lat)) {
      map.setView([lat, lon], 16);
    } else if (shelters.length) {
      map.fitBounds(shelters.map(function (s) { return [s.lat, s.lon]; }));
    } else {
      map.setView([35.68, 139.76], 12);
    }
    BCLBasemap.addTo(map, JSON.parse(box.getAttribute('data-basemaps') || '[]'));
    var drawn = new L.FeatureGroup().addTo(map);
    var select = document.getElementById('shelter_id');
    shelters.forEach(function (s) {
      var marker = L.circleMarker([s.lat, s.lon], {radius: 8, color: '#fff', weight: 2, fillColor: '#1d4f91', fillOpacity: 0.9})
        .bindTooltip(s.name).addTo(map);
      marker.on('click', function () { select.value = String(s.id); });
    });
    if (!isNaN(lat)) { L.marker([lat, lon], {title: '自宅'}).addTo(map).bindTooltip('自宅'); }
    function save(layer) {
      if (!layer) { input.value = ''; status.textContent = '経路は未設定です'; return; }
      var coords = layer.getLatLngs().map(function (p) { return [Number(p.lng.toFixed(7)), Number(p.lat.toFixed(7))]; });
      input.value = JSON.stringify({type: 'LineString', coordinates: coords});
      status.textContent = '経路あり（' + coords.length + '点）';
    }
    function changed(layer) {  // a drawn change counts as a changed field (変更事項の確認)
      save(layer);
      input.dispatchEvent(new Event('input', {bubbles: true}));
    }
    if (route.length) {
      var existing = L.polyline(route, {color: '#d32f2f', weight: 5});
      drawn.addLayer(existing);
      save(existing);
    }
    if (input.hasAttribute('data-original')) { input.setAttribute('data-original', input.value); }
    map.addControl(new L.Control.Draw({
      draw: {polyline: {shapeOptions: {color: '#d32f2f', weight: 5}}, polygon: false, rectangle: false, circle: false,
             marker: false, circlemarker: false},
      edit: {featureGroup: drawn, remove: true}
    }));
    map.on(L.Draw.Event.CREATED, function (e) { drawn.clearLayers(); drawn.addLayer(e.layer); changed(e.layer); });
    map.on(L.Draw.Event.EDITED, function () { changed(drawn.getLayers()[0]); });
    map.on(L.Draw.Event.DELETED, function () { changed(drawn.getLayers()[0]); });
    document.getElementById('route-clear').addEventListener('click', function () { drawn.clearLayers(); changed(null); });
    window.bclPlanMap = map;
  });
})();
