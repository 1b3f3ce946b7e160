/* A4 print of the 個別避難計画: a static map of the route on the server's own base map (never an
   outside host: the map shows where the person lives), then print once the base map has loaded. */
(function () {
  'use strict';
  var printed = false;
  function print() {
    if (printed || /[?&]noprint/.test(location.search)) { return; }
    printed = true;
    setTimeout(function () { window.print(); }, 300);
  }
  function ready() {
    var box = document.getElementById('print-map');
    if (!box || !window.L) { print(); return; }
    var route = JSON.parse(box.getAttribute('data-route') || '[]');
    var map = L.map(box, {zoomControl: false, dragging: false, scrollWheelZoom: false, doubleClickZoom: false,
                          boxZoom: false, keyboard: false, touchZoom: false, attributionControl: true, zoomSnap: 0.25});
    map.fitBounds(L.latLngBounds(route).pad(0.15));  // a view first: layers added to a map without one fail
    var base = BCLBasemap.addTo(map, JSON.parse(box.getAttribute('data-basemaps') || '[]'));
    L.polyline(route, {color: '#d32f2f', weight: 5}).addTo(map);
    L.circleMarker(route[0], {radius: 8, color: '#000', weight: 2, fillColor: '#fff', fillOpacity: 1}).addTo(map);
    L.circleMarker(route[route.length - 1], {radius: 8, color: '#000', weight: 2, fillColor: '#1d4f91', fillOpacity: 1}).addTo(map);
    L.control.scale({imperial: false}).addTo(map);
    function done() { box.setAttribute('data-ready', '1'); print(); }
    // The base map's tiles first, so the paper shows the streets; a slow server does not hold it up long.
    if (base && base.on && base.options.bclKey !== 'blank') {
      base.once('load', done);
      setTimeout(done, 4000);
    } else {
      done();
    }
  }
  window.addEventListener('load', ready);
})();
