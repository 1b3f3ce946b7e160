/* 空間分析: a polygon drawn with Leaflet.draw becomes the query (GeoJSON in a hidden field);
   the class selector offers only the chosen layer's classes. */
(function () {
  'use strict';

  function filterClasses() {
    var layer = document.getElementById('analysis-layer');
    var select = document.getElementById('analysis-class');
    if (!layer || !select) { return; }
    var first = null;
    Array.prototype.forEach.call(select.options, function (option) {
      var mine = option.getAttribute('data-layer') === layer.value;
      option.hidden = !mine;
      option.disabled = !mine;
      if (mine && first === null) { first = option; }
    });
    if (select.selectedOptions.length === 0 || select.selectedOptions[0].disabled) {
      if (first) { first.selected = true; }
    }
    select.disabled = !layer.value;
  }

  function drawnArea(map) {
    var field = document.getElementById('analysis-polygon');
    var form = document.getElementById('analysis-form');
    if (field && field.value) {
      try {
        var shown = L.geoJSON(JSON.parse(field.value), {style: {color: '#d81b60', weight: 3, fillOpacity: 0.05}});
        shown.addTo(map);
        map.fitBounds(shown.getBounds());
      } catch (ignored) { /* an unreadable polygon is reported by the server */ }
    }
    map.on('draw:created', function (event) {
      field.value = JSON.stringify(event.layer.toGeoJSON().geometry);
      document.getElementById('analysis-layer').value = '';
      form.submit();
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var layer = document.getElementById('analysis-layer');
    if (layer) {
      layer.addEventListener('change', function () {
        document.getElementById('analysis-polygon').value = '';
        filterClasses();
      });
      filterClasses();
    }
  });
  document.addEventListener('bcl:map-ready', function (event) { drawnArea(event.detail); });
  document.addEventListener('bcl:overlay-loaded', function (event) {
    var group = window.BCLMap && BCLMap.groups[event.detail];
    if (event.detail === 'analysis' && group && group.getLayers().length && !document.getElementById('analysis-polygon').value) {
      try { BCLMap.map.fitBounds(group.getBounds(), {maxZoom: 17}); } catch (ignored) { /* empty result */ }
    }
  });
})();
