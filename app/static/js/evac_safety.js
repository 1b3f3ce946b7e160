/* 安否確認 on tablets: a state button records at once (fetch), the row and the totals update in place.
   Without JavaScript the same buttons post the form and the page reloads. */
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var list = document.getElementById('safety-list');
    if (!list || !window.fetch) { return; }
    var error = document.getElementById('safety-error');
    list.addEventListener('submit', function (event) {
      var form = event.target, button = event.submitter;
      if (!button || !form.matches('form[data-person]')) { return; }
      event.preventDefault();
      var data = new FormData(form);
      data.set('state', button.value);
      fetch(form.action, {method: 'POST', body: data, credentials: 'same-origin', headers: {'Accept': 'application/json'}})
        .then(function (response) { return response.json().then(function (body) { return {ok: response.ok, body: body}; }); })
        .then(function (result) {
          if (!result.ok) { error.textContent = result.body.error || '記録できませんでした。'; error.hidden = false; return; }
          error.hidden = true;
          form.querySelectorAll('button[name="state"]').forEach(function (b) {
            var current = b.value === result.body.state;
            b.classList.toggle('current', current);
            b.style.background = current ? b.getAttribute('data-color') : '';
          });
          form.querySelector('[data-checked]').textContent = result.body.checked_at + ' ' + result.body.checked_by;
          document.getElementById('confirmed-percent').textContent = result.body.percent;
          Object.keys(result.body.counts).forEach(function (state) {
            var el = document.querySelector('[data-count="' + state + '"]');
            if (el) { el.textContent = result.body.counts[state]; }
          });
        })
        .catch(function () { error.textContent = '通信できませんでした。もう一度押してください。'; error.hidden = false; });
    });
  });
})();
