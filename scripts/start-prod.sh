#!/usr/bin/env bash
# Production entrypoint (CONTRACT §4): apply migrations with the CLI target, then replace this shell with the API.
# Strict mode only: the API never migrates on boot there, so skipping this step would serve a stale schema.
# A failed migration stops here, loudly, with the CLI's exit code: the API is never started against it.
set -Eeuo pipefail
cd "$(dirname "$0")/.."

log() { printf 'start-prod: %s\n' "$*" >&2; }

env_name="$(printf '%s' "${ENV:-}" | tr '[:upper:]' '[:lower:]' | xargs)"
ci_strict="$(printf '%s' "${CI_STRICT:-}" | tr '[:upper:]' '[:lower:]' | xargs)"
case "$env_name" in staging | prod | production) strict=1 ;; *) strict=0 ;; esac
case "$ci_strict" in 1 | true) strict=1 ;; esac
if [ "$strict" != 1 ]; then
  log "FATAL: not in strict mode (ENV='${ENV:-}', CI_STRICT='${CI_STRICT:-}'): this entrypoint is for staging/prod."
  log "       Set ENV=staging or ENV=prod (or CI_STRICT=1); for development use 'npm start'."
  exit 64
fi

log "applying migrations: node dist/apps/cli/main.js migrate up"
set +e
node dist/apps/cli/main.js migrate up
code=$?
set -e
if [ "$code" -ne 0 ]; then
  log "FATAL: 'migrate up' failed with exit code ${code}; the API is NOT started."
  log "       See docs/RUNBOOK.md (migration failures, stuck migration lock)."
  exit "$code"
fi

# Young generation capped at 2 MiB per semi-space (V8's default grows it to 16): the new space boot leaves committed is
# 4 MiB, not 16 (idle RSS 3 s after ready 117 -> 107 MiB with 8 -> 2), and after a burst V8's memory reducer brings RSS
# back to idle within about 25 s (with the default it often stays at the peak). Measured cost on intake at 32
# connections: -5 % on average against semi-space 8, inside the run-to-run spread of alternating 20 s runs
# (bench/boot/RESULTS.md and bench/intake start the API with these flags).
API_NODE_FLAGS="--max-semi-space-size=2"
log "migrations at head; starting the API: exec node ${API_NODE_FLAGS} dist/apps/api/main.js"
exec node ${API_NODE_FLAGS} dist/apps/api/main.js
