/* Batch upload with a progress bar (XMLHttpRequest upload events), then the job's progress
   polled from /jobs/<id> until the batch is applied or rejected. Works without JS too. */
(function () {
  'use strict';

  function setBar(box, percent, label) {
    box.hidden = false;
    box.querySelector('.bar').style.width = Math.max(0, Math.min(100, percent)) + '%';
    if (label) { box.querySelector('span').textContent = label; }
  }

  function setupUpload() {
    var form = document.getElementById('upload-form');
    if (!form || !window.FormData) { return; }
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var box = document.getElementById('upload-progress');
      var error = document.getElementById('upload-error');
      error.hidden = true;
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
      xhr.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable) { setBar(box, e.loaded * 100 / e.total, '送信中… ' + Math.round(e.loaded * 100 / e.total) + '%'); }
      });
      xhr.addEventListener('load', function () {
        var answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (ignored) { answer = {message: '送信に失敗しました。'}; }
        if (answer.ok) { window.location = answer.location; return; }
        box.hidden = true;
        error.textContent = answer.message || answer.detail || '送信に失敗しました。';
        error.hidden = false;
      });
      xhr.addEventListener('error', function () {
        box.hidden = true;
        error.textContent = '通信できませんでした。もう一度お試しください。';
        error.hidden = false;
      });
      setBar(box, 0, '送信中…');
      xhr.send(new FormData(form));
    });
  }

  function setupJobProgress() {
    var box = document.getElementById('job-progress');
    if (!box) { return; }
    var url = box.getAttribute('data-job-url');
    function poll() {
      fetch(url, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
        .then(function (r) { return r.json(); })
        .then(function (job) {
          setBar(box, job.progress, job.label || '処理中…');
          if (job.status === 'done' || job.status === 'failed') { window.location.reload(); return; }
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 500);
  }

  document.addEventListener('DOMContentLoaded', function () { setupUpload(); setupJobProgress(); });
})();
