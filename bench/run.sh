#!/usr/bin/env bash
# The Prynai benchmark: installs wrk if missing, the TypeScript SDK reference (npm ci in bench/), builds the server,
# the raw ASP.NET Core endpoint, the MapMcp host and the orchestrator in Release, publishes the server twice for the
# cold start (ReadyToRun, as the container image ships it, and plain IL), then runs the orchestrator with these arguments.
#
#   bench/run.sh [--smoke] [--duration SECONDS] [--connections N] [--threads N] [--out FILE] [--chart [SVG]] [--only SCENARIO[,..]]
#   bench/run.sh chart RESULTS.json OUT.svg     the chart of an earlier run, running nothing; once built, the same is
#                                               dotnet bench/Prynai.Bench/bin/Release/net10.0/Prynai.Bench.dll chart RESULTS.json OUT.svg
#
# Scenarios: a|stateless, b|sessions, c|counter, d|references (MapMcp, TS SDK, raw), e|idle, g|coldstart (default: all
# of these), f|soak (only when named). --smoke: about a second per scenario and small counts, for CI: it checks that
# every scenario runs and judges no target. Results: a table ending with issue 16's targets (MET / NOT MET / not run;
# a smoke run lists none) on stdout, and JSON (default bench/results/<timestamp>.json);
# --chart also draws the targets as an SVG (without a path: docs/images/bench-ratios.svg).
# Exit code 1 when a run had errors or the counter check failed; never because of a timing or a missed target.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$bench_dir")"
bench_dll="$bench_dir/Prynai.Bench/bin/Release/net10.0/Prynai.Bench.dll"

# Quiet when it works, the whole output when it does not.
quietly() {
  local log
  if ! log="$("$@" 2>&1)"; then
    echo "$log" >&2
    echo "failed: $*" >&2
    exit 1
  fi
}

if [[ ${1:-} == chart ]]; then
  quietly dotnet build "$bench_dir/Prynai.Bench" -c Release --nologo
  exec dotnet "$bench_dll" "$@"
fi

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

echo "== npm ci in bench/ (TypeScript SDK reference)"
quietly npm ci --prefix "$bench_dir" --no-audit --no-fund

echo "== dotnet build -c Release: McpServer, bench/RawEndpoint, bench/MapMcpHost, bench/Prynai.Bench"
for project in McpServer bench/RawEndpoint bench/MapMcpHost bench/Prynai.Bench; do
  quietly dotnet build "$repo_root/$project" -c Release --nologo
done

# The cold start (g) runs unless --only leaves it out; it needs the server published, not just built.
args=("$@")
for i in "${!args[@]}"; do
  case ${args[i]} in
    --only) only=${args[i + 1]:-} ;;
    --only=* | --only:*) only=${args[i]:7} ;;
  esac
done
cold_start=true
if [[ -v only ]]; then
  only=${only,,}
  [[ ",${only// /}," =~ ,(g|coldstart), ]] || cold_start=false
fi
if $cold_start; then
  case $(uname -m) in
    x86_64) rid=linux-x64 ;;
    aarch64 | arm64) rid=linux-arm64 ;;
    *) echo "no .NET runtime identifier known for $(uname -m): cannot publish for the cold start" >&2; exit 1 ;;
  esac
  publish_dir="$bench_dir/obj/publish"
  echo "== dotnet publish McpServer -c Release -r $rid: ReadyToRun (as the image ships it) and plain IL, for the cold start"
  rm -rf "$publish_dir"
  quietly dotnet publish "$repo_root/McpServer" -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true \
    -o "$publish_dir/readytorun" --nologo
  # The same build, published without precompiling it (no second compile).
  quietly dotnet publish "$repo_root/McpServer" -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=false \
    --no-build -o "$publish_dir/jit" --nologo
fi

exec dotnet "$bench_dll" "$@"
