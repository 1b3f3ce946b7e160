/* Place a resident on the map: tap to set the point, then save. The server's own base map (basemap.js):
   the page is about one person, so no tile is asked of an outside host. */
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var box = document.getElementById('place-map');
    if (!box || !window.L) { return; }
    var map = L.map(box, {maxZoom: 20});
    var bounds = box.getAttribute('data-bounds');
    if (bounds) {
      var b = bounds.split(',').map(Number);
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    } else {
      map.setView([Number(box.getAttribute('data-lat')), Number(box.getAttribute('data-lon'))], 16);
    }
    BCLBasemap.addTo(map, JSON.parse(box.getAttribute('data-basemaps') || '[]'));
    var marker = null;
    map.on('click', function (e) {
      if (marker) { marker.setLatLng(e.latlng); } else { marker = L.marker(e.latlng).addTo(map); }
      document.getElementById('lat').value = e.latlng.lat.toFixed(7);
      document.getElementById('lon').value = e.latlng.lng.toFixed(7);
      document.getElementById('place-submit').disabled = false;
    });
  });
})();
