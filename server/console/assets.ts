/**
 * The console's stylesheet and script, served from routes so the CSP can forbid every inline script and style.
 * The script only enhances: every page works without it (forms post, filters have a button).
 */

/** Progressive enhancement: auto-submitting filters, confirmations, no double posts, the presence hint. */
export const CONSOLE_JS = `'use strict';
(function () {
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  document.querySelectorAll('form[data-autosubmit] select').forEach(function (s) {
    s.addEventListener('change', function () { s.form.submit(); });
  });
  document.addEventListener('submit', function (e) {
    var f = e.target, b = e.submitter;
    if (b && b.dataset.confirm && !window.confirm(b.dataset.confirm)) { e.preventDefault(); return; }
    // A second click while the first POST is in flight would send the reply twice.
    if (f.dataset.sent) { e.preventDefault(); return; }
    if (f.method === 'post') f.dataset.sent = '1';
  });
  // The drafted reply (a server-rendered fragment, escaped there): fetched so the page never waits for it.
  var draft = document.querySelector('[data-draft]');
  if (draft) {
    var body = draft.querySelector('.draft-body');
    fetch(draft.getAttribute('data-draft'), { headers: { accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (fragment) { body.innerHTML = fragment; draft.setAttribute('data-ready', '1'); })
      .catch(function () { body.textContent = 'No draft could be made; the link below shows it without script.'; });
  }
  // "Insert into the reply box": the draft goes into the reply textarea; nothing is sent until the agent sends it.
  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('[data-insert-draft]');
    if (!b) return;
    var src = document.querySelector(b.getAttribute('data-insert-draft'));
    var reply = document.getElementById('reply');
    if (!src || !reply) return;
    e.preventDefault();
    if (reply.value.trim() && !window.confirm('Replace what is in the reply box with the draft?')) return;
    reply.value = src.textContent;
    reply.focus();
    reply.setSelectionRange(0, 0);
  });
  var hint = document.querySelector('[data-presence]');
  if (hint) {
    var url = hint.getAttribute('data-presence');
    var poll = function () {
      fetch(url, { headers: { accept: 'application/json', 'x-csrf-token': csrf }, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : { others: [] }; })
        .then(function (d) { hint.textContent = d.others.length ? 'Also viewing this ticket: ' + d.others.join(', ') : ''; })
        .catch(function () {});
    };
    setInterval(poll, 20000);
  }
})();
`;

/** Plain, readable, dense: agents live in this page all day. */
export const CONSOLE_CSS = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
body>header{display:flex;gap:1rem;align-items:center;background:#1f3a5f;color:#fff;padding:.5rem 1rem;flex-wrap:wrap}
body>header a{color:#fff}.brand{font-weight:700;text-decoration:none}
nav{display:flex;gap:.8rem;align-items:center;flex:1;flex-wrap:wrap}.me{margin-left:auto;opacity:.85}
main{padding:1rem;max-width:1400px;margin:0 auto}
h1 small{font-weight:400;color:#5b6472;font-size:.6em}
.flash{padding:.5rem .8rem;border-radius:4px}.flash.ok{background:#e3f4e8}.flash.error{background:#fde5e5}
.tabs{display:flex;gap:.3rem;margin:.5rem 0}.tab{padding:.35rem .8rem;border-radius:4px;background:#e4e8ee;text-decoration:none;color:inherit}
.tab.current{background:#1f3a5f;color:#fff}.count{font-weight:700}
.filters{display:flex;gap:.8rem;flex-wrap:wrap;align-items:end;margin:.6rem 0}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border-bottom:1px solid #e1e4ea;padding:.35rem .5rem;text-align:left;vertical-align:top}
tr.sev-critical td:first-child{border-left:4px solid #b3261e}tr.sev-high td:first-child{border-left:4px solid #e8710a}
.badge{background:#fde5e5;color:#8a1c1c;border-radius:3px;padding:0 .35rem;font-size:.85em}
.ticket-grid{display:grid;grid-template-columns:minmax(0,2fr) minmax(280px,1fr);gap:1rem}
@media (max-width:900px){.ticket-grid{grid-template-columns:1fr}}
.msg{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:.6rem .8rem;margin:0 0 .6rem}
.msg.internal{background:#fff8e1}.msg.agent,.msg.ai{border-left:4px solid #1f3a5f}
pre.text{white-space:pre-wrap;word-wrap:break-word;font:inherit;margin:.4rem 0}
.html-body{border:1px dashed #c9ced8;padding:.5rem;overflow:auto;max-height:30rem}
.panel{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:.6rem .8rem;margin-bottom:1rem}
.msg header{display:flex;gap:.5rem;align-items:baseline;flex-wrap:wrap}
.audit td:first-child{white-space:nowrap}.audit code{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85em}
.panel h2{font-size:1rem;margin:.2rem 0 .5rem}.actions form{margin:.5rem 0}
textarea{width:100%;font:inherit}label{display:inline-block;margin:.2rem 0}.actions label[for]{display:block}
form.inline{display:inline}.presence{color:#8a5a00;font-weight:600;min-height:1.2em}
dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem .8rem}dt{color:#5b6472}dd{margin:0}
.muted{color:#5b6472}.empty{color:#5b6472;font-style:italic}.err{color:#8a1c1c;max-width:24rem}
.chip{margin-right:.5rem;white-space:nowrap}.kb-entry{background:#fff;border:1px solid #e1e4ea;padding:.5rem;margin:.4rem 0}
.kb-entry.unpublished{opacity:.7}.kb-entry input[name=title]{width:100%}
.kb-entry.draft label{display:block}.kb-entry.draft p label{display:inline-block}.kb-entry.draft ul.removed code{background:#fff3cd;padding:0 .2rem}
button{cursor:pointer}
.answer-evidence table.checks{font-size:.9em}.answer-evidence caption{text-align:left;color:#5b6472;padding:.3rem 0}
.checks tr.fail td:first-child{color:#b3261e;font-weight:700}.checks tr.ok td:first-child{color:#1a7f37}.checks tr.decisive{background:#fde5e5}
.decision-answer b{color:#1a7f37}.decision-suggest b{color:#0969da}.decision-none b{color:#5b6472}
.draft pre.draft-text{background:#f6f8fa;border-left:3px solid #1f3a5f;padding:.5rem .7rem}.draft h3{font-size:.95rem;margin:.6rem 0 .3rem}
.draft ul.similar pre{margin:.2rem 0 .5rem;color:#3b4350}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
a.button{display:inline-block;padding:.45rem .9rem;border-radius:4px;background:#1f4fd1;color:#fff;text-decoration:none}
`;
