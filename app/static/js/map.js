/* BCL map helpers used by the folium-built map: overlay loading, tile fallback, legend. */
(function () {
  'use strict';

  function escapeHtml(value) {
    return String(value == null ? '' : value)
      .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  }

  function popupHtml(properties, fields, config) {
    var rows = Object.keys(fields).map(function (key) {
      if (properties[key] === undefined || properties[key] === null || properties[key] === '') { return ''; }
      return '<tr><th>' + escapeHtml(fields[key]) + '</th><td>' + escapeHtml(properties[key]) + '</td></tr>';
    }).join('');
    var link = '';
    if (config && config.linkTemplate && properties.id !== undefined) {
      link = '<p class="popup-link"><a class="button" href="' +
        escapeHtml(config.linkTemplate.replace('{id}', encodeURIComponent(properties.id))) + '">' +
        escapeHtml(config.linkLabel) + '</a></p>';
    }
    return '<table class="popup-table">' + rows + '</table>' + link;
  }

  function setStatus(key, text) {
    var el = document.querySelector('[data-overlay-status="' + key + '"]');
    if (el) { el.textContent = text; }
  }

  var BCLMap = {
    map: null,
    loaded: {},
    groups: {},

    // Opens the popup of an overlay's feature (by its ``id`` property): search results, tests.
    openFeature: function (key, id) {
      var group = BCLMap.groups[key], found = null;
      group.eachLayer(function (layer) {
        if (layer.feature && String(layer.feature.properties.id) === String(id)) { found = layer; }
      });
      if (!found || !found.getPopup()) { return false; }
      // A standalone popup at the feature opens whether or not its marker sits inside a cluster.
      var where = found.getLatLng ? found.getLatLng() : found.getBounds().getCenter();
      BCLMap.map.setView(where, Math.max(BCLMap.map.getZoom(), 18), {animate: false});
      L.popup().setLatLng(where).setContent(found.getPopup().getContent()).openOn(BCLMap.map);
      return true;
    },

    setup: function (map, layerControl, options) {
      BCLMap.map = map;
      BCLMap.layerControl = layerControl;
      window.bclMap = map;
      L.control.scale({imperial: false, maxWidth: 160}).addTo(map);
      // When base tiles cannot be fetched (offline, closed network) switch to the blank map once
      // and say so, so the overlays stay readable.
      var failures = 0, switched = false;
      function fallBackToBlank() {
        failures += 1;
        if (failures < 4 || switched) { return; }
        switched = true;
        map.eachLayer(function (layer) { if (layer.getTileUrl) { map.removeLayer(layer); } });
        var blank = BCLMap.findBaseLayer(options.offlineBase);
        if (blank) { blank.addTo(map); }
        var note = document.getElementById('map-offline-note');
        if (note) { note.hidden = false; }
      }
      function watch(layer) {
        if (!layer.getTileUrl || layer._bclWatched) { return; }
        layer._bclWatched = true;
        layer.on('tileerror', fallBackToBlank);
      }
      map.eachLayer(watch);
      map.on('layeradd', function (event) { watch(event.layer); });
      document.dispatchEvent(new CustomEvent('bcl:map-ready', {detail: map}));
    },

    findBaseLayer: function (name) {
      var found = null;
      BCLMap.layerControl._layers.forEach(function (entry) { if (!entry.overlay && entry.name === name) { found = entry.layer; } });
      return found;
    },

    // Overlays load the first time they are shown: hidden hazard layers cost nothing until ticked.
    registerOverlay: function (group, config) {
      BCLMap.groups[config.key] = group;
      group.once('add', function () { BCLMap.loadOverlay(group, config); });
    },

    loadOverlay: function (group, config) {
      setStatus(config.key, '読み込み中…');
      fetch(config.url, {credentials: 'same-origin', headers: {'Accept': 'application/geo+json'}})
        .then(function (response) {
          if (!response.ok) { throw new Error('HTTP ' + response.status); }
          return response.json();
        })
        .then(function (data) {
          var layer = L.geoJSON(data, {
            style: function (feature) {
              var color = config.colors[feature.properties[config.styleProperty]] || config.defaultColor;
              return {color: color, weight: 1.5, fillColor: color, fillOpacity: config.fillOpacity};
            },
            pointToLayer: function (feature, latlng) {
              var color = config.colors[feature.properties[config.styleProperty]] || config.defaultColor;
              return L.circleMarker(latlng, {radius: 9, color: '#ffffff', weight: 2, fillColor: color,
                                             fillOpacity: 0.95});
            },
            onEachFeature: function (feature, layer) {
              if (Object.keys(config.popupFields).length) {
                layer.bindPopup(popupHtml(feature.properties, config.popupFields, config));
              }
            }
          });
          group.addLayer(layer);
          BCLMap.loaded[config.key] = (data.features || []).length;
          setStatus(config.key, (data.features || []).length + '件');
          document.dispatchEvent(new CustomEvent('bcl:overlay-loaded', {detail: config.key}));
        })
        .catch(function (error) {
          setStatus(config.key, '読み込めませんでした');
          BCLMap.loaded[config.key] = -1;
          if (window.console) { console.warn('overlay', config.key, error); }
        });
    }
  };

  window.BCLMap = BCLMap;
})();
