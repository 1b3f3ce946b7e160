/* 受付: searches residents as the desk types (debounced), newest answer wins. The status says how
   many match in all and how many are shown; 「さらに表示」 adds the next ones. At an opened shelter
   (data-checkin-url) each row gets 「世帯で受付」, which checks in the whole household. */
(function () {
  'use strict';
  var form = document.getElementById('desk-search');
  if (!form) { return; }
  var body = document.querySelector('#desk-results tbody');
  var status = document.getElementById('desk-status');
  var timer = null, asked = 0, nextOffset = null;
  var more = document.getElementById('desk-more');

  function cell(text) { var td = document.createElement('td'); td.textContent = text; return td; }

  function withheld(text) { var td = cell(text); td.className = 'muted withheld'; return td; }

  function show(results, append) {
    if (!append) { body.textContent = ''; }
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
          status.textContent = answer.message;
          window.location.reload();
        })
        .catch(function () { status.textContent = '受け付けできませんでした。通信を確認してください。'; button.disabled = false; });
    });
    td.appendChild(button);
    return td;
  }

  function search(offset) {
    var params = new URLSearchParams(new FormData(form));
    var append = typeof offset === 'number' && offset > 0;
    if (!params.get('kana') && !params.get('birth') && !params.get('address')) { show([]); setMore(null); return; }
    if (append) { params.set('offset', String(offset)); }
    var mine = ++asked, started = performance.now();
    fetch(form.action + '?' + params.toString(), {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (mine !== asked) { return; }
        var error = data.error || data.detail;  // the search's own refusal, or a problem document
        if (error) { if (!append) { show([]); } setMore(null); status.textContent = error; return; }
        show(data.results || [], append);
        setMore(data.next_offset);
        var shown = body.querySelectorAll('tr').length;
        status.textContent = data.total + (data.total_is_capped ? '件以上' : '件') + '中 ' +
          (shown ? '1–' + shown + '件を表示' : '0件') +
          '（' + Math.round(performance.now() - started) + 'ms）';
      })
      .catch(function () { status.textContent = '検索できませんでした。通信を確認してください。'; });
  }

  function setMore(offset) {
    nextOffset = (offset === null || offset === undefined) ? null : offset;
    if (more) { more.hidden = nextOffset === null; }
  }

  if (more) { more.addEventListener('click', function () { if (nextOffset !== null) { search(nextOffset); } }); }

  // The card check-in (card_desk.js) shows the household it found in the same table.
  window.bclDesk = {show: show, status: status};

  form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(search, 150); });
  form.addEventListener('submit', function (event) { event.preventDefault(); search(); });
})();
