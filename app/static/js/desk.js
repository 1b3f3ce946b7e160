/* 受付: searches residents as the desk types (debounced), newest answer wins. At an opened shelter
   (data-checkin-url) each row gets 「世帯で受付」, which checks in the whole household. */
(function () {
  'use strict';
  var form = document.getElementById('desk-search');
  if (!form) { return; }
  var body = document.querySelector('#desk-results tbody');
  var status = document.getElementById('desk-status');
  var timer = null, asked = 0;

  function cell(text) { var td = document.createElement('td'); td.textContent = text; return td; }

  function withheld(text) { var td = cell(text); td.className = 'muted withheld'; return td; }

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
      tr.appendChild(name); tr.appendChild(cell(r.name_kana));
      // 支援措置: the server sends neither birth date nor address; the desk asks the person instead.
      tr.appendChild(r.is_protected ? withheld('本人に確認') : cell(r.birth_date_wareki));
      tr.appendChild(cell(r.sex));
      tr.appendChild(r.is_protected ? withheld('表示しません') : cell(r.address));
      tr.appendChild(cell(r.household_no));
      if (form.dataset.checkinUrl) { tr.appendChild(checkInCell(r)); }
      body.appendChild(tr);
    });
  }

  function checkInCell(r) {
    var td = document.createElement('td'), button = document.createElement('button');
    button.type = 'button'; button.className = 'button small'; button.textContent = '世帯で受付';
    button.addEventListener('click', function () {
      var data = new FormData();
      data.append('atena_no', r.atena_no);
      data.append('kind', document.getElementById('kind') ? document.getElementById('kind').value : '避難所');
      data.append('stay', document.getElementById('stay') ? document.getElementById('stay').value : '終日');
      data.append('csrf_token', document.getElementById('checkin-csrf').value);
      button.disabled = true;
      fetch(form.dataset.checkinUrl, {method: 'POST', body: data, credentials: 'same-origin',
                                      headers: {'Accept': 'application/json'}})
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          if (answer.error) { status.textContent = answer.error; button.disabled = false; return; }
          status.textContent = answer.checked_in.join('、') + ' を受け付けました。';
          window.location.reload();
        })
        .catch(function () { status.textContent = '受け付けできませんでした。通信を確認してください。'; button.disabled = false; });
    });
    td.appendChild(button);
    return td;
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

  // The card check-in (card_desk.js) shows the household it found in the same table.
  window.bclDesk = {show: show, status: status};

  form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(search, 150); });
  form.addEventListener('submit', function (event) { event.preventDefault(); search(); });
})();
