/* らくらく窓口: the screen asks the server for a challenge, the card reader bridge signs it with the
   card (the PIN is checked on the card) and hands back {challenge_id, certificate, signature} — pasted
   into the box (e.g. from `flask --app wsgi card sign`) or delivered as the document event
   `bcl:card-answer` — and the server verifies it and names the next screen (the menu). */
(function () {
  'use strict';
  var box = document.getElementById('self-service');
  if (!box) { return; }
  var panel = document.getElementById('card-panel'), status = document.getElementById('card-status');
  var answerField = document.getElementById('card-answer'), current = null;

  function headers() {
    return {'Accept': 'application/json', 'Content-Type': 'application/json',
            'X-CSRFToken': document.getElementById('self-csrf').value};
  }

  function start() {
    status.textContent = '準備しています…';
    fetch(box.dataset.challengeUrl, {method: 'POST', credentials: 'same-origin', headers: headers(), body: '{}'})
      .then(function (response) { return response.json(); })
      .then(function (challenge) {
        current = challenge;
        document.getElementById('card-challenge').textContent =
          '--challenge-id ' + challenge.challenge_id + ' --challenge ' + challenge.challenge;
        document.getElementById('card-expires').textContent = new Date(challenge.expires_at).toLocaleTimeString('ja-JP');
        box.dataset.challengeId = challenge.challenge_id;
        box.dataset.challenge = challenge.challenge;
        answerField.value = '';
        panel.hidden = false;
        status.textContent = 'カードの応答を待っています。';
        document.dispatchEvent(new CustomEvent('bcl:card-challenge', {detail: challenge}));
      })
      .catch(function () { status.textContent = '準備できませんでした。係員をお呼びください。'; });
  }

  function verify(answer) {
    if (!current) { status.textContent = '先に「はじめる」を押してください。'; return; }
    status.textContent = 'カードを確認しています…';
    fetch(box.dataset.verifyUrl, {method: 'POST', credentials: 'same-origin', headers: headers(),
                                  body: JSON.stringify(answer)})
      .then(function (response) { return response.json(); })
      .then(function (result) {
        current = null;
        panel.hidden = true;
        if (result.error) { status.textContent = result.error + '（' + result.code + '）'; return; }
        window.location.assign(result.next);
      })
      .catch(function () { status.textContent = 'カードを確認できませんでした。係員をお呼びください。'; });
  }

  document.getElementById('card-start').addEventListener('click', start);
  document.getElementById('card-verify').addEventListener('click', function () {
    var answer;
    try { answer = JSON.parse(answerField.value); } catch (e) {
      status.textContent = 'カードリーダーからの応答を読めません。'; return;
    }
    verify(answer);
  });
  document.addEventListener('bcl:card-answer', function (event) { verify(event.detail); });
})();
