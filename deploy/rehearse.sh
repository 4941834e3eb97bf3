#!/usr/bin/env bash
# The zero-downtime rehearsal (docs/deployment.md): Redis, two revisions of the server behind nginx (the stand-in for
# the Container Apps ingress), continuous mixed load, and the rollout deploy/rollout.ps1 performs — the new revision
# smoke-tested on its own port at 0 % traffic, promoted (nginx reload), the old one drained with SIGTERM — then the
# rollback the same way. Prints what the clients saw and ends with REHEARSAL: PASS (exit 0) or FAIL (exit 1).
#
#   deploy/rehearse.sh [--quick] [--phase SECONDS] [--work DIR]
#     --quick     the test suite's settings: 3 s phases, fewer clients, an 8 s grace period (about a minute in all)
#     --phase     seconds of load between two steps of the rollout [10]
#     --work      where the processes' logs and state go [a new temporary directory]
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

missing=()
command -v redis-server >/dev/null || [[ -x /usr/bin/redis-server ]] || missing+=(redis-server)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
if ((${#missing[@]} > 0)); then
  echo "== installing ${missing[*]} (Debian packages)"
  apt=(apt-get)
  if [[ $EUID -ne 0 ]] && command -v sudo >/dev/null; then
    apt=(sudo apt-get)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${apt[@]}" install -y -qq "${missing[@]}" >/dev/null || { "${apt[@]}" update -qq && "${apt[@]}" install -y -qq "${missing[@]}" >/dev/null; }
fi

echo "== dotnet build -c Release: McpServer, SmokeClient, deploy/Rehearsal"
for project in McpServer SmokeClient deploy/Rehearsal; do
  if ! log="$(dotnet build "$repo_root/$project" -c Release --nologo 2>&1)"; then
    echo "$log" >&2
    exit 1
  fi
done

exec dotnet "$repo_root/deploy/Rehearsal/bin/Release/net10.0/Prynai.Rehearsal.dll" \
  "$repo_root/McpServer/bin/Release/net10.0/Prynai.McpServer.dll" \
  "$repo_root/SmokeClient/bin/Release/net10.0/Prynai.SmokeClient.dll" "$@"
