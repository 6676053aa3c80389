#!/usr/bin/env bash
# The README's test command: installs what a fresh machine lacks (PostgreSQL's server binaries,
# RabbitMQ, Chromium, Python, OpenSSL and Node.js, from Debian's packages; Redocly CLI and
# oidc-provider from npm),
# then runs every test and closes with a plain "N passed, N failed, N skipped" line.
# `dotnet test AgreementLedger.sln` runs the same tests for whoever has the prerequisites already.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

missing=()
have_postgres() {
  command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1
}
have_postgres || missing+=(postgresql)
# The RabbitMQ integration tests start a private broker node from the Debian package's binaries.
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
# The web-page tests drive Debian's Chromium through Playwright (no browser download).
[ -x /usr/bin/chromium ] || missing+=(chromium)
# docs/verify_export.py, the auditor's reference check, is run against real exports.
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The OpenAPI lint test runs Redocly CLI (tools/openapi), installed with npm.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing what this machine lacks: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "Not root and no sudo: install ${missing[*]} (apt-get install ${missing[*]}), then run this again." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  # The packages start services of their own; the tests run private servers instead.
  for service in postgresql rabbitmq-server; do
    "${sudo[@]}" service "$service" stop >/dev/null 2>&1 || true
  done
fi

# npm packages at the versions their package-lock.json pins, installed (npm ci) when missing or another:
# Redocly CLI for the OpenAPI lint test, and oidc-provider, the OpenID provider the sign-in tests run.
npm_ci_pinned() {
  local folder=$1 package=$2 purpose=$3 wanted installed
  wanted=$(node -p "require('./$folder/package-lock.json').packages['node_modules/$package'].version")
  installed=$(node -p "require('./$folder/node_modules/$package/package.json').version" 2>/dev/null || true)
  if [ "$installed" != "$wanted" ]; then
    echo "Installing $package $wanted for $purpose (npm ci in $folder)"
    (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_ci_pinned tools/openapi @redocly/cli "the OpenAPI lint test"
npm_ci_pinned tests/AgreementLedger.IntegrationTests/Support/OidcProvider oidc-provider "the web page's sign-in tests"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET SDK (dotnet) is required; global.json names the version." >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test AgreementLedger.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A build or runner failure: count it so the total never reads green.
  failed=1
fi

echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
