/**
 * The dashboard script's recovery part (issue 13), spliced into DASHBOARD_JS inside its closure (it uses `$` and `token`
 * from there): a webhook row's *Recover 24h* button starts a recovery and follows its progress.
 * No backticks or dollar-brace sequences below: this is a template string.
 */
export const DASHBOARD_RECOVER_JS = `  // Requeues what failed to a webhook in the last 24 h (POST .../recover), then follows the recovery's progress.
  var RECOVER_WINDOW_MS = 24 * 3600 * 1000;
  var recoverPoll = null;
  function apiCall(method, path, body) {
    return fetch(path, {
      method: method,
      headers: { 'Authorization': 'Bearer ' + token(), 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) {
        if (!r.ok) throw new Error((b && b.message) || ('HTTP ' + r.status));
        return b;
      });
    });
  }
  function showRecovery(name, rec) {
    $('recover-status').textContent = 'Recovery of ' + name + ' (failed since ' + new Date(rec.since).toLocaleString() + '): ' + rec.status + ', ' + rec.requeued + ' requeued';
    $('recover-status').dataset.status = rec.status;
  }
  function recover(w, button) {
    button.disabled = true;
    $('recover-error').textContent = '';
    clearTimeout(recoverPoll);
    var since = new Date(Date.now() - RECOVER_WINDOW_MS).toISOString();
    apiCall('POST', '/api/v1/webhooks/' + encodeURIComponent(w.webhook_id) + '/recover', { since: since }).then(function (rec) {
      showRecovery(w.name, rec);
      var polls = 0;
      var follow = function () {
        // Bounded: about 5 minutes of progress, then the API has the rest.
        if (rec.status === 'completed' || polls++ >= 150) { button.disabled = false; return; }
        recoverPoll = setTimeout(function () {
          apiCall('GET', '/api/v1/webhooks/' + encodeURIComponent(w.webhook_id) + '/recoveries/' + encodeURIComponent(rec.id)).then(function (r) {
            rec = r; showRecovery(w.name, rec); follow();
          }).catch(function () { follow(); });
        }, 2000);
      };
      follow();
    }).catch(function (e) {
      button.disabled = false;
      $('recover-error').textContent = 'recover failed: ' + e.message;
    });
  }
`;
