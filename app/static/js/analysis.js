/* 空間分析: a polygon drawn with Leaflet.draw becomes the query (GeoJSON in a hidden field, the
   form is posted and a job is queued); the class selector offers only the chosen layer's classes;
   while the job runs, its progress and steps are polled and the page reloads with the result. */
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

  function showState(box, state) {
    box.querySelector('.bar').style.width = Math.max(0, Math.min(100, state.progress)) + '%';
    box.querySelector('span').textContent = state.label || '分析しています…';
    Array.prototype.forEach.call(document.querySelectorAll('#analysis-steps li'), function (item) {
      var number = parseInt(item.getAttribute('data-step'), 10);
      item.classList.toggle('done', number <= state.step);
      item.classList.toggle('current', state.status === 'running' && number === state.step + 1);
    });
  }

  function pollJob() {
    var box = document.getElementById('analysis-progress');
    if (!box) { return; }
    var url = box.getAttribute('data-status-url');
    function poll() {
      fetch(url, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
        .then(function (r) {
          if (!r.ok) { window.location.reload(); return null; }  // expired or gone: the page says why
          return r.json();
        })
        .then(function (state) {
          if (!state) { return; }
          showState(box, state);
          if (state.status === 'done' || state.status === 'failed') { window.location.reload(); return; }
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 500);
  }

  document.addEventListener('DOMContentLoaded', function () {
    pollJob();
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
