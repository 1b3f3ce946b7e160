/* My Number card authentication in the browser, shared by the shelter desk and らくらく窓口: the page
   asks the server for a challenge, the card reader bridge signs it with the card (the PIN is checked
   on the card) and hands back {challenge_id, certificate, signature} — pasted into the box (e.g. from
   `flask --app wsgi card sign`) or delivered by a bridge as the document event `bcl:card-answer` —
   and the server verifies it. `bclCardAuth(options)` wires the elements #card-start, #card-panel,
   #card-challenge, #card-expires, #card-answer, #card-verify and #card-status inside options.box
   (with data-challenge-url and data-verify-url); options.csrf is the id of the CSRF input,
   options.messages the wording of the page, options.verified(result) what follows a success. */
window.bclCardAuth = function (options) {
  'use strict';
  var box = options.box, messages = options.messages;
  var panel = document.getElementById('card-panel'), status = document.getElementById('card-status');
  var answerField = document.getElementById('card-answer'), current = null;

  function post(url, body) {
    return fetch(url, {method: 'POST', credentials: 'same-origin', body: body, headers: {
      'Accept': 'application/json', 'Content-Type': 'application/json',
      'X-CSRFToken': document.getElementById(options.csrf).value}}).then(function (r) { return r.json(); });
  }

  function start() {
    status.textContent = messages.starting;
    post(box.dataset.challengeUrl, '{}')
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
      .catch(function () { status.textContent = messages.startFailed; });
  }

  function verify(answer) {
    if (!current) { status.textContent = messages.notStarted; return; }
    status.textContent = 'カードを確認しています…';
    post(box.dataset.verifyUrl, JSON.stringify(answer))
      .then(function (result) {
        current = null;
        panel.hidden = true;
        if (result.error) { status.textContent = result.error + '（' + result.code + '）'; return; }
        options.verified(result, status);
      })
      .catch(function () { status.textContent = messages.verifyFailed; });
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
};
