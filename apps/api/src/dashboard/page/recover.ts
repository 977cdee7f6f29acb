import { $, apiCall } from './dom';

/** A webhook row's *Recover 24h* button (issue 13): requeues what failed in the last 24 h, then follows the recovery. */
const RECOVER_WINDOW_MS = 24 * 3600 * 1000;
/** About 5 minutes of progress, then the API has the rest. */
const MAX_POLLS = 150;

interface Recovery {
  id: string;
  since: string;
  status: string;
  requeued: number;
}

let recoverPoll: ReturnType<typeof setTimeout> | undefined;

function showRecovery(name: string, rec: Recovery): void {
  $('recover-status').textContent = `Recovery of ${name} (failed since ${new Date(rec.since).toLocaleString()}): ${rec.status}, ${rec.requeued} requeued`;
  $('recover-status').dataset.status = rec.status;
}

export function recover(w: { webhook_id: string; name: string }, button: HTMLButtonElement): void {
  button.disabled = true;
  $('recover-error').textContent = '';
  clearTimeout(recoverPoll);
  const since = new Date(Date.now() - RECOVER_WINDOW_MS).toISOString();
  const base = `/api/v1/webhooks/${encodeURIComponent(w.webhook_id)}`;
  apiCall<Recovery>('POST', `${base}/recover`, { since })
    .then((started) => {
      let rec = started;
      showRecovery(w.name, rec);
      let polls = 0;
      const follow = (): void => {
        if (rec.status === 'completed' || polls++ >= MAX_POLLS) {
          button.disabled = false;
          return;
        }
        recoverPoll = setTimeout(() => {
          apiCall<Recovery>('GET', `${base}/recoveries/${encodeURIComponent(rec.id)}`)
            .then((r) => {
              rec = r;
              showRecovery(w.name, rec);
              follow();
            })
            .catch(() => follow());
        }, 2000);
      };
      follow();
    })
    .catch((e: Error) => {
      button.disabled = false;
      $('recover-error').textContent = `recover failed: ${e.message}`;
    });
}
