/* huma challenge UI: Huma.challenge(userId, apiKey, {container?, baseUrl?}).
 * Served after huma.js in /v1/huma.js. Creates a challenge, renders it in a
 * shadow root (no page CSS leaks in or out), and submits the answer with the
 * behaviour recorded by the collector while the person solved it. Keyboard
 * operable: Tab reaches the puzzle, arrow keys move between targets or dots,
 * Enter or Space selects. Resolves with the last answer from the server:
 * {passed: true, token} or {passed: false, message, attempts_remaining}. */
(function (w, d) {
  'use strict';
  var H = w.Huma;
  if (!H || H.challenge) return;
  var src = d.currentScript && d.currentScript.src;
  var origin = src ? new URL(src).origin : w.location.origin;
  var NAMES = { '🎯': 'target', '🌿': 'leaf', '🍎': 'apple', '🚗': 'car', '⭐': 'star', '🐟': 'fish',
    '🎈': 'balloon', '🔑': 'key', '🌙': 'moon', '🎵': 'music note' };
  var CSS = ':host{all:initial}*{box-sizing:border-box;font:16px/1.4 system-ui,sans-serif}' +
    '.d{background:#fff;color:#111;border:1px solid #888;border-radius:8px;padding:16px;width:340px}' +
    '.box{position:relative;height:220px;border:1px solid #ccc;border-radius:6px;margin:8px 0}' +
    '.t{position:absolute;transform:translate(-50%,-50%);font-size:28px;width:48px;height:48px;border-radius:50%;border:1px solid #999;background:#f6f6f6;cursor:pointer}' +
    '.g{display:grid;grid-template-columns:repeat(3,1fr);gap:18px;padding:18px}' +
    '.p{height:44px;border-radius:50%;border:2px solid #555;background:#fff;cursor:pointer}' +
    '.p[aria-pressed=true]{background:#2b6cb0;color:#fff}' +
    'button:focus-visible{outline:3px solid #d97706;outline-offset:2px}' +
    '.row{display:flex;gap:8px}.s{min-height:1.4em;margin:8px 0 0}';

  function el(tag, attrs, text) {
    var e = d.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text) e.textContent = text;
    return e;
  }

  function call(base, path, apiKey, body) {
    return fetch(base + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + apiKey },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) { return { status: r.status, body: j }; });
    });
  }

  /* Arrow keys move focus among `buttons` laid out in `cols` columns. */
  function arrows(buttons, cols) {
    buttons.forEach(function (b, i) {
      b.addEventListener('keydown', function (e) {
        var step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols }[e.key];
        if (!step) return;
        e.preventDefault();
        var n = buttons.length;
        buttons[(((i + step) % n) + n) % n].focus();
      });
    });
  }

  H.challenge = function (userId, apiKey, opts) {
    opts = opts || {};
    var base = String(opts.baseUrl || origin).replace(/\/+$/, '');
    return call(base, '/api/v1/challenge/create', apiKey, { userId: userId }).then(function (res) {
      if (res.status !== 200) {
        var err = new Error((res.body && res.body.error) || 'huma: HTTP ' + res.status);
        err.status = res.status;
        err.body = res.body;
        throw err;
      }
      var ch = res.body;
      return new Promise(function (resolve) {
        var host = el('div', { 'data-huma-challenge': ch.challenge_id });
        (opts.container || d.body).appendChild(host);
        var root = host.attachShadow({ mode: 'open' });
        var style = el('style');
        style.textContent = CSS;
        var dlg = el('div', { class: 'd', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'hi', 'aria-describedby': 'hs' });
        var title = el('p', { id: 'hi' }, ch.payload.instruction);
        var status = el('p', { id: 'hs', class: 's', role: 'status', 'aria-live': 'polite' });
        root.appendChild(style);
        root.appendChild(dlg);
        dlg.appendChild(title);
        var busy = false;

        function submit(answer) {
          if (busy) return;
          busy = true;
          status.textContent = 'Checking…';
          var data = H.debug().features;
          call(base, '/api/v1/challenge/verify', apiKey, { challenge_id: ch.challenge_id, answer: answer, sessionData: data })
            .then(function (r) {
              busy = false;
              var b = r.body || {};
              if (r.status === 200 && b.passed) {
                status.textContent = 'Passed.';
                host.remove();
                return resolve(b);
              }
              if (r.status === 200 && b.attempts_remaining > 0) {
                status.textContent = b.message + '. Attempts left: ' + b.attempts_remaining + '.';
                return;
              }
              host.remove();
              resolve(r.status === 200 ? b : { passed: false, message: b.error || 'Challenge closed', code: b.code });
            }, function (e) {
              busy = false;
              status.textContent = 'Network error; try again.';
              if (opts.onError) opts.onError(e);
            });
        }

        if (ch.type === 'click_targets') {
          var box = el('div', { class: 'box', role: 'group', 'aria-label': 'Targets' });
          var targets = ch.payload.targets.map(function (t) {
            var b = el('button', { type: 'button', class: 't', 'aria-label': NAMES[t.label] || t.label }, t.label);
            b.style.left = t.x + '%';
            b.style.top = t.y + '%';
            b.addEventListener('click', function () { submit(t.id); });
            box.appendChild(b);
            return b;
          });
          arrows(targets, 1);
          dlg.appendChild(box);
        } else {
          var picked = [];
          var grid = el('div', { class: 'g', role: 'group', 'aria-label': 'Dots 1 to 9, in rows of three' });
          var dots = [];
          for (var i = 1; i <= 9; i++) {
            (function (n) {
              var b = el('button', { type: 'button', class: 'p', 'aria-label': 'Dot ' + n, 'aria-pressed': 'false' });
              b.addEventListener('click', function () {
                if (picked.indexOf(n) >= 0) return;
                picked.push(n);
                b.setAttribute('aria-pressed', 'true');
                b.textContent = String(picked.length);
                status.textContent = 'Selected: ' + picked.join(', ');
              });
              grid.appendChild(b);
              dots.push(b);
            })(i);
          }
          arrows(dots, 3);
          var row = el('div', { class: 'row' });
          var send = el('button', { type: 'button' }, 'Submit');
          var clear = el('button', { type: 'button' }, 'Clear');
          send.addEventListener('click', function () { submit(picked.join('-')); });
          clear.addEventListener('click', function () {
            picked = [];
            dots.forEach(function (b) { b.setAttribute('aria-pressed', 'false'); b.textContent = ''; });
            status.textContent = 'Cleared.';
          });
          row.appendChild(send);
          row.appendChild(clear);
          dlg.appendChild(grid);
          dlg.appendChild(row);
        }
        dlg.appendChild(status);
        var first = root.querySelector('button');
        if (first) first.focus();
      });
    });
  };
})(window, document);
