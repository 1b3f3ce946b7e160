/* 被害認定調査: 「現在地を記録」 puts the tablet's GPS fix into the form's hidden fields. */
(function () {
  'use strict';
  var button = document.getElementById('locate-me');
  if (!button) { return; }
  var text = document.getElementById('position-text');
  button.addEventListener('click', function () {
    if (!navigator.geolocation) { text.textContent = 'この端末では位置情報を使えません。'; return; }
    text.textContent = '位置を取得しています…';
    navigator.geolocation.getCurrentPosition(function (fix) {
      document.getElementById('lat').value = fix.coords.latitude.toFixed(7);
      document.getElementById('lon').value = fix.coords.longitude.toFixed(7);
      document.getElementById('accuracy').value = Math.round(fix.coords.accuracy);
      text.textContent = '取得しました（誤差 約' + Math.round(fix.coords.accuracy) + 'm）。記録すると保存されます。';
    }, function (error) {
      text.textContent = '位置を取得できませんでした（' + error.message + '）。';
    }, {enableHighAccuracy: true, timeout: 15000});
  });
})();
