/* 受付: searches residents as the desk types (debounced), newest answer wins. */
(function () {
  'use strict';
  var form = document.getElementById('desk-search');
  if (!form) { return; }
  var body = document.querySelector('#desk-results tbody');
  var status = document.getElementById('desk-status');
  var timer = null, asked = 0;

  function cell(text) { var td = document.createElement('td'); td.textContent = text; return td; }

  function show(results) {
    body.textContent = '';
    results.forEach(function (r) {
      var tr = document.createElement('tr');
      var name = cell(r.name + (r.is_household_head ? '（世帯主）' : ''));
      if (r.is_protected) {
        var badge = document.createElement('span');
        badge.className = 'badge danger'; badge.textContent = '提供抑止';
        name.appendChild(document.createTextNode(' ')); name.appendChild(badge);
      }
      tr.appendChild(name); tr.appendChild(cell(r.name_kana)); tr.appendChild(cell(r.birth_date_wareki));
      tr.appendChild(cell(r.sex)); tr.appendChild(cell(r.address)); tr.appendChild(cell(r.household_no));
      body.appendChild(tr);
    });
  }

  function search() {
    var params = new URLSearchParams(new FormData(form));
    if (!params.get('kana') && !params.get('birth') && !params.get('address')) { show([]); return; }
    var mine = ++asked, started = performance.now();
    fetch(form.action + '?' + params.toString(), {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (mine !== asked) { return; }
        show(data.results || []);
        status.textContent = data.error ? data.error :
          (data.results.length + '件（' + Math.round(performance.now() - started) + 'ms）');
      })
      .catch(function () { status.textContent = '検索できませんでした。通信を確認してください。'; });
  }

  form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(search, 150); });
  form.addEventListener('submit', function (event) { event.preventDefault(); search(); });
})();
