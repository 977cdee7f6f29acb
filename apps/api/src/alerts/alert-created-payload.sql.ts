/**
 * SQL building the `alert.created` event payload of a new alert as text, byte for byte what
 * `JSON.stringify({ type, timestamp, data: toAlertView(alert) })` gives: the same keys in the same order, compact.
 * Built in the statement that inserts the alert, the payload never crosses the wire twice (once escaped inside the
 * batch parameter, once per delivery row): the batch parameter shrinks to the row's fields, and the API no longer
 * builds and serialises a view per alert (bench/intake). `test/alert-payload.e2e-spec.ts` holds the two equal over
 * generated alerts.
 *
 * `item` is a row alias with the batch's columns as JSON put them: `id` uuid, `fingerprint`, `title`, `severity`,
 * `source`, `description` and `starts_at` (JS ISO) text, `labels` and `annotations` json (whose text is kept
 * verbatim); `timestamp` a text parameter holding the JS ISO time of the write (also `created_at`/`updated_at`).
 * PostgreSQL's `to_json(text)` escapes exactly as JSON.stringify does for well-formed text (`"`, `\`, and control
 * characters as \b \f \n \r \t or lower-case \u00xx), and every text here was made well-formed before.
 */
export function alertCreatedPayloadSql(item: string, timestamp: string, occurrences: string): string {
  const str = (expr: string) => `to_json(${expr})::text`;
  const nullable = (expr: string) => `coalesce(to_json(${expr})::text, 'null')`;
  return `'{"type":"alert.created","timestamp":' || ${str(timestamp)}
    || ',"data":{"id":"' || ${item}.id::text
    || '","fingerprint":' || ${str(`${item}.fingerprint`)}
    || ',"title":' || ${str(`${item}.title`)}
    || ',"severity":' || ${str(`${item}.severity`)}
    || ',"status":"firing","source":' || ${nullable(`${item}.source`)}
    || ',"description":' || ${nullable(`${item}.description`)}
    || ',"labels":' || ${item}.labels::text
    || ',"annotations":' || ${item}.annotations::text
    || ',"occurrences":' || (${occurrences})::text
    || ',"starts_at":' || ${str(`${item}.starts_at`)}
    || ',"resolved_at":null,"acknowledged_at":null,"acknowledged_by":null,"acknowledgement_note":null,"created_at":' || ${str(timestamp)}
    || ',"updated_at":' || ${str(timestamp)}
    || ',"acknowledged":false}}'`;
}
