/* Japanese for the vendored map widgets, set through their own options and never by editing them:
   Leaflet's controls (zoom, layers, attribution, a marker's alt, a popup's close button),
   Leaflet.draw (L.drawLocal) and leaflet.locatecontrol. Load it after the widgets' scripts and
   before a map is made; Leaflet.VectorGrid and markercluster show no text of their own. */
(function () {
  'use strict';
  if (!window.L) { return; }

  var DRAW = {
    draw: {
      toolbar: {
        actions: {title: '描画をやめる', text: 'やめる'},
        finish: {title: '描いた形を確定する', text: '完了'},
        undo: {title: '最後に置いた点を消す', text: '最後の点を消す'},
        buttons: {polyline: '線を描く', polygon: '多角形で区域を描く', rectangle: '四角形で区域を描く',
                  circle: '円を描く', marker: '目印を置く', circlemarker: '丸い目印を置く'}
      },
      handlers: {
        circle: {tooltip: {start: '押したまま動かして円を描きます。'}, radius: '半径'},
        circlemarker: {tooltip: {start: '地図を押して丸い目印を置きます。'}},
        marker: {tooltip: {start: '地図を押して目印を置きます。'}},
        polygon: {tooltip: {start: '地図を押して区域の最初の点を置きます。', cont: '続けて次の点を置きます。',
                            end: '最初の点を押すと区域を閉じます。'}},
        polyline: {error: '<strong>描けません:</strong> 線どうしを交差させることはできません。',
                   tooltip: {start: '地図を押して線の最初の点を置きます。', cont: '続けて次の点を置きます。',
                             end: '最後の点をもう一度押すと線を終えます。'}},
        rectangle: {tooltip: {start: '押したまま動かして四角形を描きます。'}},
        simpleshape: {tooltip: {end: '指（マウスのボタン）を離すと描き終えます。'}}
      }
    },
    edit: {
      toolbar: {
        actions: {save: {title: '変更を保存する', text: '保存'},
                  cancel: {title: '編集をやめて変更を元に戻す', text: 'やめる'},
                  clearAll: {title: '描いたものをすべて消す', text: 'すべて消す'}},
        buttons: {edit: '描いた線・区域を直す', editDisabled: '直せる線・区域がありません',
                  remove: '描いた線・区域を消す', removeDisabled: '消せる線・区域がありません'}
      },
      handlers: {
        edit: {tooltip: {text: '四角いつまみを動かして形を直します。', subtext: '「やめる」で元に戻せます。'}},
        remove: {tooltip: {text: '消す線・区域を押します。'}}
      }
    }
  };
  var LOCATE = {title: '現在地を表示', metersUnit: 'メートル', feetUnit: 'フィート',
                popup: '現在地から約{distance}{unit}以内にいます', outsideMapBoundsMsg: '現在地は地図の範囲外です'};

  // Leaflet.draw reads L.drawLocal whenever it builds a toolbar or a tooltip; its own copy replaces
  // any earlier one when its script loads, so the Japanese is merged in again as each map is made.
  function localiseDraw() {
    if (L.drawLocal) { deepMerge(L.drawLocal, DRAW); }
  }

  function deepMerge(target, source) {
    Object.keys(source).forEach(function (key) {
      if (typeof source[key] === 'object' && target[key] && typeof target[key] === 'object') {
        deepMerge(target[key], source[key]);
      } else {
        target[key] = source[key];
      }
    });
    return target;
  }

  function label(element, text) {
    if (!element) { return; }
    element.title = text;
    element.setAttribute('aria-label', text);
  }

  L.Control.Zoom.mergeOptions({zoomInTitle: '拡大', zoomOutTitle: '縮小'});
  L.Control.Attribution.mergeOptions({
    prefix: '<a href="https://leafletjs.com" title="地図を表示するライブラリ Leaflet">Leaflet</a>'});
  L.Marker.mergeOptions({alt: '地図上の目印'});
  // The layers control has no option for its button's title ("Layers"): it is set once the
  // control has made its button.
  var layersOnAdd = L.Control.Layers.prototype.onAdd;
  L.Control.Layers.include({
    onAdd: function (map) {
      var container = layersOnAdd.call(this, map);
      label(container.querySelector('.leaflet-control-layers-toggle'), '地図・レイヤの切替');
      container.setAttribute('aria-label', '地図・レイヤの切替');
      return container;
    }
  });
  // leaflet.locatecontrol 0.84 exports its class as L.Control.Locate.LocateControl.
  var locate = L.Control.Locate && L.Control.Locate.LocateControl;
  if (locate) { L.Util.extend(locate.prototype.options.strings, LOCATE); }
  localiseDraw();

  L.Map.addInitHook(function () {
    localiseDraw();
    // A popup's close button says "Close popup" to screen readers; no option changes it.
    this.on('popupopen', function (event) {
      var element = event.popup.getElement();
      label(element && element.querySelector('.leaflet-popup-close-button'), '閉じる');
    });
  });
})();
