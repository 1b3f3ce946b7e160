/* Base maps (docs/basemaps.md): the tile packages served by BCL itself, raster (L.tileLayer) or vector
   (the vendored Leaflet.VectorGrid, drawn with the calm styles below), 地理院タイル when the
   municipality turned them on, and the blank map that needs nothing. Every page with a map builds its
   base layers here from the configs the server wrote (gis.folium_map.BaseMap.js_config). */
(function () {
  'use strict';

  // Styles of the vector layers, by the layer names of the demo's package and of common tile schemas
  // (OpenMapTiles, 地理院 最適化ベクトルタイル), so an imported package looks the same.
  var LAND = '#f4f1ea';
  var STYLES = {
    area: {fill: true, fillColor: LAND, fillOpacity: 1, color: '#b4ab9b', weight: 1, dashArray: '4 3'},
    water: {fill: true, fillColor: '#cde0ec', fillOpacity: 1, color: '#a9c7da', weight: 1},
    waterLine: {color: '#a9c7da', weight: 2, fill: false},
    building: {fill: true, fillColor: '#ddd3c4', fillOpacity: 1, color: '#c6b9a5', weight: 0.6},
    other: {color: '#d3cec4', weight: 0.6, fill: false, radius: 0}
  };
  function road(properties, zoom) {
    var main = properties.kind === 'main' || /^(motorway|trunk|primary|secondary)$/.test(properties['class'] || '');
    var width = zoom >= 17 ? 7 : zoom >= 16 ? 5 : zoom >= 15 ? 3 : 2;
    return main ? {color: '#f1d49d', weight: width + 1, fill: false, lineCap: 'round'}
                : {color: '#ffffff', weight: Math.max(1, width - 1), fill: false, lineCap: 'round'};
  }
  var BY_LAYER = {
    chome: STYLES.area, boundary: STYLES.area, AdmArea: STYLES.area, AdmBdry: STYLES.area,
    water: STYLES.water, waterarea: STYLES.water, WA: STYLES.water,
    waterway: STYLES.waterLine, WL: STYLES.waterLine,
    roads: road, road: road, transportation: road, RdCL: road,
    buildings: STYLES.building, building: STYLES.building, BldA: STYLES.building
  };
  // Any other layer of a package (labels, land use…) is drawn as thin lines and no symbols.
  var vectorStyles = typeof Proxy === 'function'
    ? new Proxy(BY_LAYER, {get: function (styles, name) { return styles[name] || STYLES.other; }})
    : BY_LAYER;

  function boundsOf(config) {
    var b = config.bounds;  // west, south, east, north
    return b ? L.latLngBounds([b[1], b[0]], [b[3], b[2]]) : undefined;
  }

  function blank(config) {
    var layer = L.gridLayer({attribution: config.attribution, maxZoom: 20, bclKey: config.key});
    layer.createTile = function () {
      var tile = document.createElement('div');
      tile.style.background = LAND;
      tile.style.outline = '1px solid #ebe6da';
      return tile;
    };
    return layer;
  }

  // The Leaflet layer of one base map config.
  function layer(config) {
    if (config.kind === 'blank') { return blank(config); }
    var options = {attribution: config.attribution, maxZoom: 20, maxNativeZoom: config.maxNativeZoom,
                   minNativeZoom: config.minNativeZoom, bounds: boundsOf(config), bclKey: config.key,
                   bclOutside: config.outside};
    if (config.kind === 'vector') {
      return L.vectorGrid.protobuf(config.url, L.extend(options, {
        rendererFactory: L.canvas.tile, vectorTileLayerStyles: vectorStyles, interactive: false}));
    }
    return L.tileLayer(config.url, options);
  }

  // For the pages that build their map themselves: the first config (the default) on the map, the
  // others in a layer control when there is a choice. Returns the layer shown.
  function addTo(map, configs, controlOptions) {
    var layers = {}, shown = null;
    (configs || []).forEach(function (config) {
      var made = layer(config);
      layers[config.name] = made;
      if (!shown) { shown = made.addTo(map); }
    });
    if (Object.keys(layers).length > 1) {
      L.control.layers(layers, {}, L.extend({collapsed: true, position: 'topright'}, controlOptions || {})).addTo(map);
    }
    return shown;
  }

  window.BCLBasemap = {layer: layer, addTo: addTo, styles: BY_LAYER};
})();
