/* Entry point of the browser snippet web/huma.js (built as an IIFE by
 * `npm run build:snippet` in sdk/js). API: Huma.verify(userId, apiKey, opts?),
 * Huma.startSession(userId, apiKey, token, opts?), Huma.stopSession(),
 * Huma.debug(). Collection starts when the script loads. */

import { createCollector } from './collector.js';

(function (w: any, d: any) {
  'use strict';
  if (w.Huma && w.Huma.v === 1) return;

  var me = d.currentScript;
  var origin = w.location.origin;
  try {
    if (me && me.src) origin = new URL(me.src, w.location.href).origin;
  } catch (e) {}

  var col = createCollector(w, d);

  function post(base: string, path: string, apiKey: string, body: unknown) {
    return fetch(base + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + apiKey },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().then(function (json) {
        if (res.ok) return json;
        var err: any = new Error((json && json.error) || 'huma: HTTP ' + res.status);
        err.status = res.status;
        err.body = json;
        throw err;
      });
    });
  }

  function baseOf(opts: any) {
    return String((opts && opts.baseUrl) || origin).replace(/\/+$/, '');
  }

  var timer: any = null;

  var Huma = {
    v: 1,
    verify: function (userId: string, apiKey: string, opts?: any) {
      return post(baseOf(opts), '/api/v1/verify', apiKey, { userId: userId, sessionData: col.snapshot() });
    },
    startSession: function (userId: string, apiKey: string, token: string, opts?: any) {
      opts = opts || {};
      Huma.stopSession();
      col.fresh();
      var every = opts.intervalMs > 0 ? opts.intervalMs : 30000;
      timer = setInterval(function () {
        var data = col.snapshot();
        col.fresh();
        post(baseOf(opts), '/api/v1/session', apiKey, { userId: userId, sessionToken: token, sessionData: data }).then(
          function (r) {
            if (r && r.anomaly && typeof opts.onAnomaly === 'function') opts.onAnomaly(r);
          },
          function (e) {
            if (typeof opts.onError === 'function') opts.onError(e);
          }
        );
      }, every);
    },
    stopSession: function () {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
    debug: function () {
      return { features: col.snapshot() };
    }
  };

  w.Huma = Huma;
})(window, document);
