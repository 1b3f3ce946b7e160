/* BCL staff UI: side menu, disaster selector, form drafts kept across a session timeout,
   and the change-confirmation checkbox (変更事項の確認). No framework, no network. */
(function () {
  'use strict';

  // Side menu (サイドメニュー): the tab opens and closes it.
  function setupSideMenu() {
    var toggle = document.getElementById('menu-toggle');
    var menu = document.getElementById('side-menu');
    if (!toggle || !menu) { return; }
    function setOpen(open) {
      menu.classList.toggle('open', open);
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      document.body.classList.toggle('menu-open', open);
    }
    toggle.addEventListener('click', function () { setOpen(!menu.classList.contains('open')); });
    document.addEventListener('keydown', function (e) { if (e.key === 'Escape') { setOpen(false); } });
    var scrim = document.getElementById('menu-scrim');
    if (scrim) { scrim.addEventListener('click', function () { setOpen(false); }); }
  }

  // The disaster selector submits as soon as a disaster is chosen.
  function setupDisasterSelect() {
    var select = document.getElementById('disaster-select');
    if (select) {
      select.addEventListener('change', function () { select.form.submit(); });
      var button = document.getElementById('disaster-select-button');
      if (button) { button.hidden = true; }
    }
  }

  // Drafts: a form marked data-draft-key keeps what is typed in sessionStorage (this tab only).
  // After an idle logout the server sends the user back with ?restore=1 and the draft returns;
  // any other visit discards it. Passwords and the CSRF token are never stored.
  function setupDrafts() {
    var params = new URLSearchParams(window.location.search);
    document.querySelectorAll('form[data-draft-key]').forEach(function (form) {
      var key = 'bcl-draft:' + form.getAttribute('data-draft-key');
      var saved = sessionStorage.getItem(key);
      if (saved && params.get('restore') === '1') {
        restore(form, JSON.parse(saved));
        var note = document.getElementById('draft-restored');
        if (note) { note.hidden = false; }
      } else {
        sessionStorage.removeItem(key);
      }
      form.addEventListener('input', function () { sessionStorage.setItem(key, JSON.stringify(collect(form))); });
      form.addEventListener('change', function () { sessionStorage.setItem(key, JSON.stringify(collect(form))); });
    });
  }

  function storable(el) {
    return el.name && el.type !== 'password' && el.type !== 'hidden' && el.type !== 'submit' && el.type !== 'file';
  }

  function collect(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!storable(el)) { return; }
      if (el.type === 'checkbox' || el.type === 'radio') {
        data[el.name + '\u0000' + el.value] = el.checked;
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function restore(form, data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!storable(el)) { return; }
      if (el.type === 'checkbox' || el.type === 'radio') {
        var k = el.name + '\u0000' + el.value;
        if (k in data) { el.checked = data[k]; }
      } else if (el.name in data) {
        el.value = data[el.name];
      }
      el.dispatchEvent(new Event('change', {bubbles: false}));
    });
  }

  // 変更事項の確認: fields that differ from their original value are highlighted, and the submit
  // button stays disabled until the confirmation box is ticked (the server checks it too).
  function setupChangeConfirmation() {
    document.querySelectorAll('form[data-confirm-changes]').forEach(function (form) {
      var box = form.querySelector('input[name="confirm_changes"]');
      var submit = form.querySelector('[data-confirm-submit]');
      function original(el) { return el.getAttribute('data-original'); }
      function current(el) { return (el.type === 'checkbox') ? (el.checked ? 'y' : '') : el.value; }
      function refresh() {
        var changed = 0;
        form.querySelectorAll('[data-original]').forEach(function (el) {
          var differs = current(el) !== original(el);
          var row = el.closest('.field') || el;
          row.classList.toggle('changed', differs);
          if (differs) { changed += 1; }
        });
        var counter = form.querySelector('[data-changed-count]');
        if (counter) { counter.textContent = changed; }
        if (submit) { submit.disabled = !(box && box.checked) || changed === 0; }
      }
      form.addEventListener('input', refresh);
      form.addEventListener('change', refresh);
      refresh();
    });
  }

  // Markup asks for behaviour with data- attributes (the Content-Security-Policy runs no inline
  // handlers): data-print prints the page, data-autosubmit sends its form when the choice changes,
  // data-history-back returns to the previous page.
  function setupDeclaredActions() {
    document.querySelectorAll('[data-print]').forEach(function (el) {
      el.addEventListener('click', function () { window.print(); });
    });
    document.querySelectorAll('select[data-autosubmit]').forEach(function (el) {
      el.addEventListener('change', function () { el.form.submit(); });
    });
    document.querySelectorAll('[data-history-back]').forEach(function (el) {
      el.addEventListener('click', function (event) { event.preventDefault(); window.history.back(); });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    setupSideMenu();
    setupDisasterSelect();
    setupDrafts();
    setupChangeConfirmation();
    setupDeclaredActions();
  });
})();
