#!/usr/bin/env bash
# Fuzzes the service with schemathesis against its own /openapi.json: builds, starts it on a
# fresh DATA_DIR, runs every check, stops it. Exits non-zero when schemathesis finds a 5xx, an
# undocumented status, a valid request refused, a forbidden one accepted, or an answer off its
# schema. Answers the contract requires for what is stored (a 412, a reused Idempotency-Key,
# a decider's 400 the operation documents, a consistentWith not reached) are dropped by
# scripts/fuzz-openapi-hooks.py, and counted in the summary.
#
#   scripts/fuzz-openapi.sh                 # 40 examples per operation, a random seed
#   FUZZ_EXAMPLES=200 FUZZ_SEED=1 scripts/fuzz-openapi.sh --max-failures 5
#
# Extra arguments go to `schemathesis run`. Environment: FUZZ_PORT (3911), FUZZ_EXAMPLES (40),
# FUZZ_SEED, SCHEMATHESIS_VENV (/tmp/st-venv), SCHEMATHESIS_VERSION (4.32.5), FUZZ_RAW=1 to
# run without the hooks (every contract answer then counts as a failure).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
port="${FUZZ_PORT:-3911}"
venv="${SCHEMATHESIS_VENV:-/tmp/st-venv}"
version="${SCHEMATHESIS_VERSION:-4.32.5}"
secret="fuzz-secret-0123456789"
base="http://127.0.0.1:${port}"

if [[ ! -x "${venv}/bin/schemathesis" ]]; then
  python3 -m venv "${venv}"
  "${venv}/bin/pip" install --quiet "schemathesis==${version}"
fi

cd "${root}"
npm run build --silent

data_dir="$(mktemp -d)"
log="${data_dir}/service.log"
DATA_DIR="${data_dir}" PORT="${port}" HOST=127.0.0.1 LOG_LEVEL=warn \
  API_KEYS="[{\"id\":\"fuzz\",\"secret\":\"${secret}\",\"scopes\":[\"admin\"]}]" \
  node dist/src/main.js >"${log}" 2>&1 &
service_pid=$!
stop() {
  kill "${service_pid}" 2>/dev/null || true
  wait "${service_pid}" 2>/dev/null || true
  rm -rf "${data_dir}"
}
trap stop EXIT

for _ in $(seq 1 100); do
  if node -e "fetch('${base}/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
    break
  fi
  if ! kill -0 "${service_pid}" 2>/dev/null; then
    cat "${log}" >&2
    exit 1
  fi
  sleep 0.2
done

dropped="${data_dir}/dropped.txt"
hooks=()
if [[ "${FUZZ_RAW:-0}" != "1" ]]; then
  hooks=(env "SCHEMATHESIS_HOOKS=${root}/scripts/fuzz-openapi-hooks.py" "FUZZ_DROPPED_SUMMARY=${dropped}")
fi
seed=()
if [[ -n "${FUZZ_SEED:-}" ]]; then
  seed=(--seed "${FUZZ_SEED}")
fi

status=0
"${hooks[@]}" "${venv}/bin/schemathesis" run "${base}/openapi.json" \
  -H "Authorization: Bearer ${secret}" --checks all -n "${FUZZ_EXAMPLES:-40}" --url "${base}" \
  "${seed[@]}" "$@" || status=$?
if [[ -s "${dropped}" ]]; then
  echo "Contract answers dropped by scripts/fuzz-openapi-hooks.py (count, code, status, problem type):"
  cat "${dropped}"
fi
# A crash is a failure even where schemathesis would not see it (a streamed answer cut short).
if grep -q '"msg":"request failed"' "${log}" && grep '"msg":"request failed"' "${log}" | grep -qv '"status":503'; then
  echo "The service failed requests while fuzzed:" >&2
  grep '"msg":"request failed"' "${log}" | grep -v '"status":503' | cut -c1-600 >&2
  status=1
fi
exit "${status}"
