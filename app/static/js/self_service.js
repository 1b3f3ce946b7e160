/* らくらく窓口 (card_reader.js): once the card is verified the server names the next screen (the menu). */
(function () {
  'use strict';
  var box = document.getElementById('self-service');
  if (!box) { return; }
  window.bclCardAuth({
    box: box, csrf: 'self-csrf',
    messages: {starting: '準備しています…', startFailed: '準備できませんでした。係員をお呼びください。',
               notStarted: '先に「はじめる」を押してください。',
               verifyFailed: 'カードを確認できませんでした。係員をお呼びください。'},
    verified: function (result) { window.location.assign(result.next); }
  });
})();
