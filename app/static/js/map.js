/* BCL map helpers used by the folium-built map: overlay loading, tile fallback, legend. */
(function () {
  'use strict';

  // Leaflet.VectorGrid 1.3.0 calls L.DomEvent.fakeStop, which Leaflet 1.9 no longer has; this is
  // what it did in Leaflet 1.7 (mark the event handled so the map does not handle it again).
  if (window.L && !L.DomEvent.fakeStop) {
    L.DomEvent.fakeStop = function (event) { event._stopped = true; };
  }

  function escapeHtml(value) {
    return String(value == null ? '' : value)
      .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  }

  function popupHtml(properties, fields, config) {
    var keys = (config && config.popupOrder) || Object.keys(fields);
    var rows = keys.map(function (key) {
      if (properties[key] === undefined || properties[key] === null || properties[key] === '') { return ''; }
      return '<tr><th>' + escapeHtml(fields[key]) + '</th><td>' + escapeHtml(properties[key]) + '</td></tr>';
    }).join('');
    // Each link names the record by a property ("id" unless it says otherwise); without it, no link.
    var links = ((config && config.links) || []).filter(function (link) {
      var value = properties[link.property || 'id'];
      return value !== undefined && value !== null && value !== '';
    }).map(function (link) {
      var value = properties[link.property || 'id'];
      return '<a class="button" href="' + escapeHtml(link.template.replace('{id}', encodeURIComponent(value))) +
        '">' + escapeHtml(link.label) + '</a>';
    });
    return '<table class="popup-table">' + rows + '</table>' +
      (links.length ? '<p class="popup-link">' + links.join(' ') + '</p>' : '');
  }

  // Below the layer's detail zoom a tile holds grid cells with a count instead of features.
  function countPopup(properties, config) {
    var state = config && config.styleProperty ? properties[config.styleProperty] : undefined;
    var label = state !== undefined && config.popupFields[config.styleProperty];
    return '<p>この付近に <strong>' + escapeHtml(properties.count) + '</strong> 件</p>' +
      (label ? '<p>' + escapeHtml(label) + '（最も急ぐもの）：' + escapeHtml(state) + '</p>' : '') +
      '<p>拡大すると1件ずつ表示します。</p>';
  }

  // Symbols are not interactive themselves, and the tile canvases let every tap through (CSS
  // pointer-events: none), so the area layers below them (町丁目, hazards, disasters) still get
  // theirs. A tap on the map is first offered to onMapTap, which picks the nearest feature of the
  // topmost tiled overlay (VectorGrid's own hit events break with Leaflet 1.9 and would end at the
  // top canvas); only when no tiled feature is within reach does the tap go on to the layer below.
  function tileStyle(config) {
    return function (properties) {
      BCLMap.drawn[config.key] = (BCLMap.drawn[config.key] || 0) + 1;
      if (properties.count !== undefined && properties.id === undefined) {
        var size = Math.min(22, 7 + 3 * Math.log(properties.count) / Math.LN10 * 2);
        var cellColor = config.colors[properties[config.styleProperty]] || config.defaultColor;
        return {radius: size, fill: true, fillColor: cellColor, fillOpacity: 0.55, color: '#ffffff',
                weight: 2, stroke: true, interactive: false};
      }
      var color = config.colors[properties[config.styleProperty]] || config.defaultColor;
      return {radius: 9, fill: true, fillColor: color, fillOpacity: 0.95, color: '#ffffff', weight: 2, stroke: true,
              interactive: false};
    };
  }

  // Tiles draw above the area layers (so a tap on a building reaches it), point overlays such as
  // shelters above the tiles in SVG (only the symbols catch taps, not the whole map).
  function ensurePanes(map) {
    if (map.getPane('bclTiles')) { return; }
    map.createPane('bclTiles').style.zIndex = 450;
    map.createPane('bclPoints').style.zIndex = 460;
    BCLMap.pointRenderer = L.svg({pane: 'bclPoints'});
  }

  function houseSvg(size, color, text, fontSize) {
    return '<svg viewBox="0 0 32 32" width="' + size + '" height="' + size + '" aria-hidden="true">' +
      '<path d="M16 2 L30 14 L27 14 L27 30 L5 30 L5 14 L2 14 Z" fill="' + escapeHtml(color) +
      '" stroke="#ffffff" stroke-width="2" stroke-linejoin="round"/>' +
      '<text x="16" y="26" text-anchor="middle" font-size="' + fontSize + '" font-weight="700" fill="#ffffff">' +
      escapeHtml(text) + '</text></svg>';
  }

  // A shelter: a house with the letter of its state (shapes and letters, not colour alone, tell it
  // from a building's circle and one state from another). The legend draws the same symbol.
  function shelterMarker(latlng, properties, config) {
    var state = properties[config.styleProperty];
    var color = config.colors[state] || config.defaultColor;
    var glyph = (config.glyphs && config.glyphs[state]) || '避';
    var html = houseSvg(32, color, glyph, 13);
    var name = properties.name || '';
    return L.marker(latlng, {
      icon: L.divIcon({className: 'bcl-shelter-symbol', html: html, iconSize: [32, 32], iconAnchor: [16, 30],
                       popupAnchor: [0, -26]}),
      title: name + '（避難所・' + (state || '') + '）', alt: name + '（避難所）', keyboard: true, riseOnHover: true
    });
  }

  function setStatus(key, text) {
    var el = document.querySelector('[data-overlay-status="' + key + '"]');
    if (el) { el.textContent = text; }
  }

  var BCLMap = {
    map: null,

    // A clustered overlay's options: shelters gather under a house with their number, not a circle.
    clusterOptions: function (config) {
      var options = {showCoverageOnHover: false};
      if (config.marker === 'shelter') {
        options.iconCreateFunction = function (cluster) {
          var count = cluster.getChildCount();
          return L.divIcon({className: 'bcl-shelter-symbol bcl-shelter-cluster', iconSize: [38, 38], iconAnchor: [19, 36],
                            html: houseSvg(38, '#37474f', String(count), count > 99 ? 9 : 12)});
        };
      }
      return options;
    },

    loaded: {},
    groups: {},
    configs: {},
    drawn: {},
    firstTileAt: {},
    tileOrder: [],
    cells: 0,

    // The tiled feature drawn nearest to latlng (within a finger's reach), topmost overlay first.
    // The canvases of the tiles catch every tap, so one handler on the map decides for all of them.
    findTileFeature: function (latlng) {
      var map = BCLMap.map, target = map.latLngToLayerPoint(latlng), found = null;
      BCLMap.tileOrder.forEach(function (key) {
        var layer = BCLMap.groups[key], best = 1e9;
        if (found || !map.hasLayer(layer)) { return; }
        var tiles = layer._vectorTiles || {}, zoom = Math.min(map.getZoom(), layer.options.maxNativeZoom);
        var scale = map.getZoomScale(map.getZoom(), zoom);
        Object.keys(tiles).forEach(function (tileKey) {
          var xyz = tileKey.split(':').map(Number);
          if (xyz[2] !== zoom) { return; }
          var offset = L.point(xyz[0], xyz[1]).multiplyBy(256 * scale).subtract(map.getPixelOrigin());
          var features = tiles[tileKey]._features;
          Object.keys(features).forEach(function (id) {
            var symbol = features[id].feature;
            if (!symbol._point) { return; }
            var distance = symbol._point.multiplyBy(scale).add(offset).distanceTo(target);
            if (distance <= (symbol._radius || 9) + 12 && distance < best) {
              best = distance;
              found = {key: key, properties: symbol.properties};
            }
          });
        });
      });
      return found;
    },

    // Opens the popup of the tiled feature at the tap; false when none is within reach.
    onMapTap: function (event) {
      var hit = BCLMap.findTileFeature(event.latlng);
      if (!hit) { return false; }
      var config = BCLMap.configs[hit.key], properties = hit.properties;
      if (properties.id !== undefined && config.detailUrl) {
        BCLMap.openDetail(config, properties.id, event.latlng);
        return true;
      }
      var html = properties.id === undefined ? countPopup(properties, config) : popupHtml(properties, config.popupFields, config);
      L.popup().setLatLng(event.latlng).setContent(html).openOn(BCLMap.map);
      return true;
    },

    // The popup of a tiled feature whose properties the server gives on request (detailUrl).
    openDetail: function (config, id, latlng) {
      var popup = L.popup().setLatLng(latlng).setContent('<p>読み込み中…</p>').openOn(BCLMap.map);
      fetch(config.detailUrl.replace('{id}', encodeURIComponent(id)),
            {credentials: 'same-origin', headers: {Accept: 'application/json'}})
        .then(function (response) {
          if (!response.ok) { throw new Error('HTTP ' + response.status); }
          return response.json();
        })
        .then(function (data) { popup.setContent(popupHtml(data, config.popupFields, config)); })
        .catch(function () { popup.setContent('<p>この方の情報を読み込めませんでした。</p>'); });
    },

    // A vector-tile overlay (Leaflet.VectorGrid on canvas): styled by property, tap for a popup.
    tileOverlay: function (config) {
      var styles = {};
      styles[config.key] = tileStyle(config);
      var layer = L.vectorGrid.protobuf(config.url, {
        rendererFactory: L.canvas.tile, vectorTileLayerStyles: styles, interactive: true, tolerance: 10,
        pane: 'bclTiles',
        minZoom: config.minZoom || 0, maxZoom: 22, maxNativeZoom: 18,
        getFeatureId: function (feature) {
          return feature.properties.id !== undefined ? feature.properties.id : 'cell' + (BCLMap.cells += 1);
        }
      });
      layer.beforeAdd = ensurePanes;
      BCLMap.tileOrder.unshift(config.key);  // the last added is drawn on top and answers a tap first
      BCLMap.groups[config.key] = layer;
      BCLMap.configs[config.key] = config;
      layer.on('add', function () { setStatus(config.key, '表示中'); });
      layer.on('tileload', function () {
        BCLMap.loaded[config.key] = BCLMap.drawn[config.key] || 0;
        if (BCLMap.drawn[config.key] && !BCLMap.firstTileAt[config.key]) {
          BCLMap.firstTileAt[config.key] = performance.now();
          document.dispatchEvent(new CustomEvent('bcl:overlay-loaded', {detail: config.key}));
        }
      });
      layer.on('tileerror', function () { setStatus(config.key, '一部読み込めませんでした'); });
      return layer;
    },

    // The ids of the features drawn so far in a tiled overlay (those whose properties pass ``test``).
    featureIds: function (key, test) {
      var ids = [], tiles = BCLMap.groups[key]._vectorTiles || {};
      Object.keys(tiles).forEach(function (k) {
        var features = tiles[k]._features || {};
        Object.keys(features).forEach(function (id) {
          var properties = features[id].feature.properties;
          if (properties.id !== undefined && (!test || test(properties)) && ids.indexOf(id) < 0) { ids.push(id); }
        });
      });
      return ids;
    },

    // A tiled feature's popup; the feature must carry lon/lat properties (buildings do).
    openTileFeature: function (key, id) {
      var tiles = BCLMap.groups[key]._vectorTiles || {}, found = null;
      Object.keys(tiles).forEach(function (k) {
        var entry = (tiles[k]._features || {})[id];
        if (entry) { found = entry.feature.properties; }
      });
      if (!found || found.lat === undefined) { return false; }
      var where = L.latLng(found.lat, found.lon);
      BCLMap.map.setView(where, Math.max(BCLMap.map.getZoom(), 18), {animate: false});
      L.popup().setLatLng(where).setContent(popupHtml(found, BCLMap.configs[key].popupFields, BCLMap.configs[key]))
        .openOn(BCLMap.map);
      return true;
    },

    // Opens the popup of an overlay's feature (by its ``id`` property): search results, tests.
    openFeature: function (key, id) {
      if (BCLMap.groups[key]._vectorTiles !== undefined) { return BCLMap.openTileFeature(key, id); }
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
      // Every tap on the map (not on a control, a popup or a point symbol drawn above the tiles)
      // is offered to the tiled layers first, in the capture phase, before Leaflet hands it to an
      // area polygon below; a tiled feature within reach takes it and Leaflet never sees it.
      map.getContainer().addEventListener('click', function (event) {
        var target = event.target;
        if (!target.closest || target.closest(
          '.leaflet-control-container, .leaflet-popup-pane, .leaflet-marker-pane, .leaflet-bclPoints-pane')) { return; }
        if (map.dragging && map.dragging.moved()) { return; }
        if (BCLMap.onMapTap({latlng: map.mouseEventToLatLng(event)})) { event.stopPropagation(); }
      }, true);
      L.control.scale({imperial: false, maxWidth: 160}).addTo(map);
      // On a phone the open legend and layer list would cover the map and its popups: they start
      // closed there (the layer list opens from its button and closes again with a tap on the map).
      if (window.matchMedia && window.matchMedia('(max-width: 700px)').matches) {
        var legend = document.getElementById('map-legend');
        if (legend) { legend.open = false; }
        layerControl.collapse();
        map.on('click', function () { layerControl.collapse(); });
      }
      // When 地理院タイル cannot be fetched from the internet (LGWAN, offline) switch to the blank map
      // once and say so, so the overlays stay readable. The server's own packages are not watched:
      // a tile a package does not have is not a sign that the network is gone.
      var failures = 0, switched = false;
      function fallBackToBlank() {
        failures += 1;
        if (failures < 4 || switched) { return; }
        switched = true;
        map.eachLayer(function (layer) { if (layer.options && layer.options.bclOutside) { map.removeLayer(layer); } });
        var blank = BCLMap.findBaseLayer(options.offlineBase);
        if (blank) { blank.addTo(map); }
        var note = document.getElementById('map-offline-note');
        if (note) { note.hidden = false; }
      }
      function watch(layer) {
        if (!layer.options || !layer.options.bclOutside || layer._bclWatched) { return; }
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
              if (config.marker === 'shelter') { return shelterMarker(latlng, feature.properties, config); }
              var color = config.colors[feature.properties[config.styleProperty]] || config.defaultColor;
              ensurePanes(BCLMap.map);
              return L.circleMarker(latlng, {radius: 9, color: '#ffffff', weight: 2, fillColor: color,
                                             fillOpacity: 0.95, pane: 'bclPoints', renderer: BCLMap.pointRenderer});
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

/* The 印刷 form on the map carries the current view, the overlays switched on and the base map. */
document.addEventListener('submit', function (event) {
  'use strict';
  var form = event.target;
  if (form.id !== 'map-print-form' || !window.BCLMap || !BCLMap.map) { return; }
  var map = BCLMap.map, center = map.getCenter(), shown = [], base = '';
  Object.keys(BCLMap.groups).forEach(function (key) { if (map.hasLayer(BCLMap.groups[key])) { shown.push(key); } });
  BCLMap.layerControl._layers.forEach(function (entry) {
    if (!entry.overlay && map.hasLayer(entry.layer)) { base = entry.layer.options.bclKey || ''; }
  });
  form.elements.lat.value = center.lat.toFixed(6);
  form.elements.lon.value = center.lng.toFixed(6);
  form.elements.zoom.value = map.getZoom();
  form.elements.layers.value = shown.join(',');
  form.elements.base.value = base;
});
