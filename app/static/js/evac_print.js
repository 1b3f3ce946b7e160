/* A4 print of the 個別避難計画: a static map of the route on the blank base map (no network), then print. */
(function () {
  'use strict';
  function ready() {
    var box = document.getElementById('print-map');
    if (box && window.L) {
      var route = JSON.parse(box.getAttribute('data-route') || '[]');
      var map = L.map(box, {zoomControl: false, dragging: false, scrollWheelZoom: false, doubleClickZoom: false,
                            boxZoom: false, keyboard: false, touchZoom: false, attributionControl: true, zoomSnap: 0.25});
      map.fitBounds(L.latLngBounds(route).pad(0.15));  // a view first: layers added to a map without one fail
      var blank = L.gridLayer({attribution: '白地図'});
      blank.createTile = function () { var t = document.createElement('div'); t.style.background = '#fafafa'; t.style.outline = '1px solid #eee'; return t; };
      blank.addTo(map);
      L.polyline(route, {color: '#d32f2f', weight: 5}).addTo(map);
      L.circleMarker(route[0], {radius: 8, color: '#000', weight: 2, fillColor: '#fff', fillOpacity: 1}).addTo(map);
      L.circleMarker(route[route.length - 1], {radius: 8, color: '#000', weight: 2, fillColor: '#1d4f91', fillOpacity: 1}).addTo(map);
      L.control.scale({imperial: false}).addTo(map);
      box.setAttribute('data-ready', '1');
    }
    if (!/[?&]noprint/.test(location.search)) { setTimeout(function () { window.print(); }, 300); }
  }
  window.addEventListener('load', ready);
})();
