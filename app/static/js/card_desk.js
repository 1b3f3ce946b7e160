/* マイナンバーカードで受付 at the shelter desk (card_reader.js): the verified holder's household is
   shown with the usual 「世帯で受付」. */
(function () {
  'use strict';
  var box = document.getElementById('card-checkin');
  if (!box) { return; }
  window.bclCardAuth({
    box: box, csrf: 'checkin-csrf',
    messages: {starting: '認証の要求を受け取っています…',
               startFailed: '認証の要求を受け取れませんでした。通信を確認してください。',
               notStarted: '先に「マイナンバーカードで受付」を押してください。',
               verifyFailed: 'カードを確認できませんでした。通信を確認してください。'},
    verified: function (result, status) {
      window.bclDesk.show(result.results);
      status.textContent = 'カードで本人を確認しました。世帯の' + result.results.length +
        '人を表示しています。「世帯で受付」を押してください。';
    }
  });
})();
