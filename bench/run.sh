#!/usr/bin/env bash
# The Prynai benchmark: installs wrk if missing, the TypeScript SDK reference (npm ci in bench/), builds the server,
# the raw ASP.NET Core endpoint and the orchestrator in Release, then runs the orchestrator with these arguments.
#
#   bench/run.sh [--smoke] [--duration SECONDS] [--connections N] [--threads N] [--out FILE] [--only SCENARIO[,..]]
#
# Scenarios: a|stateless, b|sessions, c|counter, d|references (MapMcp, TS SDK, raw), e|idle (default: all). --smoke: about a second per
# scenario and small counts, for CI. Results: a table on stdout and JSON (default bench/results/<timestamp>.json).
# Exit code 1 when a run had errors or the counter check failed; never because of a timing.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$bench_dir")"

if ! command -v wrk >/dev/null; then
  echo "== installing wrk (Debian package)"
  apt=(apt-get)
  if [[ $EUID -ne 0 ]] && command -v sudo >/dev/null; then
    apt=(sudo apt-get)
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! "${apt[@]}" install -y -qq wrk >/dev/null; then
    "${apt[@]}" update -qq
    "${apt[@]}" install -y -qq wrk >/dev/null
  fi
fi

# Quiet when it works, the whole output when it does not.
quietly() {
  local log
  if ! log="$("$@" 2>&1)"; then
    echo "$log" >&2
    echo "failed: $*" >&2
    exit 1
  fi
}

echo "== npm ci in bench/ (TypeScript SDK reference)"
quietly npm ci --prefix "$bench_dir" --no-audit --no-fund

echo "== dotnet build -c Release: McpServer, bench/RawEndpoint, bench/MapMcpHost, bench/Prynai.Bench"
for project in McpServer bench/RawEndpoint bench/MapMcpHost bench/Prynai.Bench; do
  quietly dotnet build "$repo_root/$project" -c Release --nologo
done

exec dotnet "$bench_dir/Prynai.Bench/bin/Release/net10.0/Prynai.Bench.dll" "$@"
