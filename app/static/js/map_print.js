// The map's print sheet: the 印刷する button, and the map's size kept right. The sheet is laid out
// after the map was created, and printing may change its size again.
(function () {
  'use strict';
  document.querySelectorAll('[data-print]').forEach(function (el) {
    el.addEventListener('click', function () { window.print(); });
  });
  window.addEventListener('load', function () { BCLMap.map.invalidateSize(); });
  window.addEventListener('beforeprint', function () { BCLMap.map.invalidateSize(); });
})();
