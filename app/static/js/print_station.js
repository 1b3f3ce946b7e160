// The counter's print station: every few seconds it asks for the certificates handed over and not
// yet printed, prints each signed PDF from a hidden frame (the way browsers print a PDF without
// opening it) and reports it printed, so the 受付・お渡し list shows 印刷済.
(function () {
  "use strict";
  const station = document.getElementById("print-station");
  if (!station) return;
  const frame = document.getElementById("print-frame");
  const state = document.getElementById("print-state");
  const log = document.querySelector("#print-log tbody");
  const POLL_MS = 3000;
  let busy = false;

  function show(text, kind) {
    state.textContent = text;
    state.className = "flash " + kind;
  }

  function logRow(job, result) {
    const row = log.insertRow(0);
    row.dataset.ticket = job.ticket_no;
    [String(job.ticket_no), job.document_type, result].forEach((text) => {
      row.insertCell().textContent = text;
    });
  }

  function loadIntoFrame(url) {
    return new Promise((resolve) => {
      frame.onload = () => resolve();
      frame.src = url;
    });
  }

  async function printJob(job) {
    show(`受付番号 ${job.ticket_no}（${job.document_type}）を印刷しています…`, "info");
    await loadIntoFrame(job.pdf_url);
    frame.contentWindow.focus();
    frame.contentWindow.print();
    const response = await fetch(job.printed_url, {
      method: "POST", body: "{}",
      headers: {"Content-Type": "application/json", "X-CSRFToken": station.dataset.csrf, "Accept": "application/json"},
    });
    const time = new Date().toLocaleTimeString("ja-JP", {hour: "2-digit", minute: "2-digit"});
    logRow(job, response.ok ? `印刷済 ${time}` : "印刷の記録に失敗しました（受付・お渡しで確認してください）");
  }

  async function poll() {
    if (busy) return;
    busy = true;
    try {
      const response = await fetch(station.dataset.jobsUrl, {headers: {"Accept": "application/json"}});
      if (!response.ok) {
        show("印刷待ちを確認できません。ログインし直してください。", "error");
        return;
      }
      const {jobs} = await response.json();
      for (const job of jobs) {
        await printJob(job);
      }
      show(`印刷待ちはありません（${new Date().toLocaleTimeString("ja-JP")} 確認）。`, "success");
    } catch (error) {
      show("サーバに接続できません。しばらくしてから自動で再確認します。", "warning");
    } finally {
      busy = false;
    }
  }

  poll();
  setInterval(poll, POLL_MS);
})();
