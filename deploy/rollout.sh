#!/usr/bin/env bash
# Safe rollout of the Prynai MCP server to Azure Container Apps (ACA).
#
# A new revision is created with 0% traffic, smoke-tested on its own revision FQDN, and only then given 100% of the
# traffic. If the smoke test fails, traffic is never moved: it stays on the revision that had it, and the failed
# revision is deactivated. 'stage' stops after the smoke test, so that the traffic can be moved later ('promote'),
# e.g. after a manual approval. deploy/rollout.ps1 is the same script in PowerShell. Run with no arguments for help.
set -euo pipefail

readonly EXIT_FAILED=1   # an Azure operation, the smoke test or a precondition failed
readonly EXIT_USAGE=2    # bad arguments, missing settings, unknown revision
readonly REGISTRY_TOKEN_USER=00000000-0000-0000-0000-000000000000

usage() {
  cat <<'USAGE'
Usage: deploy/rollout.sh COMMAND [ARGS]

Commands:
  rollout            Build and push the image, create a new revision with 0% traffic, smoke-test it on its own
                     FQDN, then move 100% of the traffic to it. On a failed smoke test the traffic stays where it
                     was and the new revision is deactivated (exit 1).
  stage              The steps of rollout up to and including the smoke test, without moving the traffic. Prints
                     revision=NAME and fqdn=FQDN lines (appended to $GITHUB_OUTPUT too when it is set); 'promote
                     NAME' moves the traffic later, e.g. after a manual approval.
  promote REVISION   Send 100% of the traffic to REVISION (activating it first if it is inactive).
  rollback           Send 100% of the traffic back to the previous revision: the most recently created active,
                     healthy revision that is older than the one taking the traffic now.
  status             List the revisions: name, active, traffic, created (UTC), health, running state, FQDN.
  help               Show this text.

Settings (environment variables; default in brackets). Those marked "azd:" fall back to the azd environment
('azd env get-value' when azd is on PATH), so after 'azd up' only the smoke credentials need to be exported:
  AZURE_RESOURCE_GROUP                 resource group of the container app (required; azd: AZURE_RESOURCE_GROUP)
  AZURE_CONTAINER_APP                  container app name [mcp]
  AZURE_CONTAINER_REGISTRY_ENDPOINT    registry login server, e.g. myacr.azurecr.io (required by rollout and stage;
                                       azd: ENV_AZURE_CONTAINER_REGISTRY_ENDPOINT, then AZURE_CONTAINER_REGISTRY_ENDPOINT)
  IMAGE_NAME                           image repository in the registry [prynai-mcp]
  TAG                                  image tag and revision suffix [git rev-parse --short HEAD]
  PRYNAI_SMOKE_COMMAND                 smoke client [dotnet run --project SmokeClient -c Release --]; split on
                                       whitespace, then run as: <command> smoke --url https://<fqdn>/mcp --auth entra
  ENTRA_TENANT_ID (or ENTRA_AUTHORITY), ENTRA_CLIENT_ID, ENTRA_CLIENT_SECRET, SERVER_APP_ID_URI
                                       client credentials the smoke test uses (required by rollout and stage)
  PRYNAI_READY_TIMEOUT                 seconds to wait for the new revision to be provisioned [600]
  PRYNAI_READY_INTERVAL                seconds between readiness checks [10]

Exit codes: 0 success, 1 failure (traffic left as described in the output), 2 usage or settings error.
USAGE
}

say() { printf '%s\n' "$*"; }
warn() { printf 'rollout: warning: %s\n' "$*" >&2; }
die() {
  local code=$1
  shift
  printf 'rollout: error: %s\n' "$*" >&2
  exit "$code"
}

# JSON helpers. az prints JSON; python3 (present wherever az is, and on GitHub's runners) reads it from stdin.
# Each helper prints plain text, tab-separated where it prints several fields.
readonly PY_JSON='
import json, re, sys
from datetime import datetime, timezone

def parse_created(rev):
    """createdTime as an aware UTC datetime, or None when it is missing or unreadable."""
    text = str((rev.get("properties") or {}).get("createdTime") or "")
    m = re.match(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$", text)
    if not m:
        return None, text
    zone = m.group(3) or "+00:00"
    zone = "+00:00" if zone == "Z" else zone
    if ":" not in zone:
        zone = zone[:3] + ":" + zone[3:]
    try:
        return datetime.fromisoformat(m.group(1) + zone).astimezone(timezone.utc), m.group(2) or ".0"
    except ValueError:
        return None, text

def created(rev):
    """createdTime as a sortable key; unparseable or missing times sort first."""
    when, rest = parse_created(rev)
    if when is None:
        return (0, 0.0, rest)
    return (1, when.timestamp() + float(rest[:7]), "")

def created_text(rev):
    """createdTime in UTC to the second (as rollout.ps1 prints it), or the raw text when it is unreadable."""
    when, rest = parse_created(rev)
    return rest if when is None else when.strftime("%Y-%m-%dT%H:%M:%SZ")

def weight(value):
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0

def props(rev):
    return rev.get("properties") or {}

def current(revisions):
    """The revision taking the most traffic (the most recently created one on a tie), or None."""
    taking = [r for r in revisions if weight(props(r).get("trafficWeight")) > 0]
    if not taking:
        return None
    return max(taking, key=lambda r: (weight(props(r).get("trafficWeight")), created(r)))

def usable(rev):
    p = props(rev)
    return (p.get("active") is True
            and str(p.get("provisioningState") or "").lower() != "failed"
            and str(p.get("healthState") or "").lower() != "unhealthy")

command = sys.argv[1]
try:
    data = json.load(sys.stdin)
except ValueError:
    sys.exit("rollout: the Azure CLI did not print JSON (helper %s)" % command)

if command == "traffic-current":
    # [{revisionName, weight, latestRevision, label?}] -> "<name>" or "@latest"; exit 3 if nothing takes traffic.
    taking = [t for t in (data or []) if weight(t.get("weight")) > 0]
    if not taking:
        sys.exit(3)
    if len(taking) > 1:
        print("rollout: warning: traffic is split: " + ", ".join(
            "%s=%g" % (t.get("revisionName") or "latest", weight(t.get("weight"))) for t in taking), file=sys.stderr)
    top = max(taking, key=lambda t: weight(t.get("weight")))
    print(top.get("revisionName") or ("@latest" if top.get("latestRevision") else ""))
elif command == "names":
    for rev in data or []:
        print(rev.get("name", ""))
elif command == "active":
    wanted = sys.argv[2]
    match = [r for r in (data or []) if r.get("name") == wanted]
    if not match:
        sys.exit(3)
    print("true" if props(match[0]).get("active") is True else "false")
elif command == "rollback-target":
    # -> "<current>\t<target>"; exit 3 if nothing takes traffic, 4 if there is no earlier usable revision.
    revisions = data or []
    now = current(revisions)
    if now is None:
        sys.exit(3)
    earlier = [r for r in revisions
               if r.get("name") != now.get("name") and usable(r) and created(r) < created(now)]
    if not earlier:
        print(now.get("name", ""))
        sys.exit(4)
    print("%s\t%s" % (now.get("name", ""), max(earlier, key=created).get("name", "")))
elif command == "ready-state":
    p = props(data or {})
    print("\t".join(str(p.get(k) or "-").lower() for k in ("provisioningState", "healthState", "runningState")))
elif command == "status-table":
    revisions = sorted(data or [], key=created, reverse=True)
    rows = [("NAME", "ACTIVE", "TRAFFIC", "CREATED", "HEALTH", "RUNNING", "FQDN")]
    for r in revisions:
        p = props(r)
        rows.append((str(r.get("name") or ""), "yes" if p.get("active") is True else "no",
                     "%g%%" % weight(p.get("trafficWeight")), created_text(r),
                     str(p.get("healthState") or ""), str(p.get("runningState") or ""), str(p.get("fqdn") or "")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
else:
    sys.exit("unknown helper command " + command)
'

json_helper() {
  python3 -c "$PY_JSON" "$@"
}

require_tool() {
  command -v "$1" >/dev/null 2>&1 || die "$EXIT_USAGE" "'$1' was not found on PATH ($2)"
}

# Runs az and stops the script (exit 1) when it fails, naming the call: for calls without a secret in their arguments
# whose failure needs no explanation of where the traffic is.
az_checked() {
  local rc=0
  az "$@" || rc=$?
  ((rc == 0)) || die "$EXIT_FAILED" "'az $*' failed (exit $rc)"
}

# Prints the first non-empty value of the given names in this repository's azd environment ('azd up' and
# 'azd env refresh' write it), or nothing when azd is not on PATH, has no environment here or knows none of the names.
azd_value() {
  command -v azd >/dev/null 2>&1 || return 0
  local name value
  for name in "$@"; do
    # No terminal on either side, so azd never stops to ask which environment to use.
    value=$(azd env get-value "$name" </dev/null 2>/dev/null) || continue
    if [[ -n $value ]]; then
      printf '%s\n' "$value"
      return 0
    fi
  done
}

# Fills the setting $1 from the azd environment (names $2...) unless the environment already has it.
setting_or_azd() {
  local setting=$1 value
  shift
  [[ -z ${!setting:-} ]] || return 0
  value=$(azd_value "$@")
  [[ -n $value ]] || return 0
  printf -v "$setting" '%s' "$value"
  say "$setting=$value (from the azd environment)"
}

# Reads the settings every command needs; rollout and stage add their own. Missing settings are all named at once.
load_settings() {
  local missing=() builds=false
  if [[ $1 == rollout || $1 == stage ]]; then
    builds=true
  fi
  setting_or_azd AZURE_RESOURCE_GROUP AZURE_RESOURCE_GROUP
  [[ -n "${AZURE_RESOURCE_GROUP:-}" ]] || missing+=(AZURE_RESOURCE_GROUP)
  if $builds; then
    setting_or_azd AZURE_CONTAINER_REGISTRY_ENDPOINT ENV_AZURE_CONTAINER_REGISTRY_ENDPOINT AZURE_CONTAINER_REGISTRY_ENDPOINT
    [[ -n "${AZURE_CONTAINER_REGISTRY_ENDPOINT:-}" ]] || missing+=(AZURE_CONTAINER_REGISTRY_ENDPOINT)
    [[ -n "${ENTRA_TENANT_ID:-}" || -n "${ENTRA_AUTHORITY:-}" ]] || missing+=("ENTRA_TENANT_ID (or ENTRA_AUTHORITY)")
    [[ -n "${ENTRA_CLIENT_ID:-}" ]] || missing+=(ENTRA_CLIENT_ID)
    [[ -n "${ENTRA_CLIENT_SECRET:-}" ]] || missing+=(ENTRA_CLIENT_SECRET)
    [[ -n "${SERVER_APP_ID_URI:-}" ]] || missing+=(SERVER_APP_ID_URI)
  fi
  if ((${#missing[@]} > 0)); then
    local list hint=""
    list=$(printf ', %s' "${missing[@]}")
    if [[ " ${missing[*]} " == *" AZURE_RESOURCE_GROUP "* || " ${missing[*]} " == *" AZURE_CONTAINER_REGISTRY_ENDPOINT "* ]]; then
      hint=" AZURE_RESOURCE_GROUP and AZURE_CONTAINER_REGISTRY_ENDPOINT can also come from the azd environment ('azd up' or 'azd env refresh' writes them; azd must be on PATH)."
    fi
    die "$EXIT_USAGE" "missing required setting(s): ${list:2}. Set them in the environment (see 'deploy/rollout.sh help').$hint"
  fi
  RG=$AZURE_RESOURCE_GROUP
  APP=${AZURE_CONTAINER_APP:-mcp}
  require_tool az "install the Azure CLI and run 'az login'"
  require_tool python3 "it reads the Azure CLI's JSON output"
}

revision_list() {
  az_checked containerapp revision list -g "$RG" -n "$APP" -o json
}

set_traffic() {
  az containerapp ingress traffic set -g "$RG" -n "$APP" --revision-weight "$1=100" >/dev/null
}

# Sends 100% of the traffic to the revision $1; stops with the message $2 if that fails.
promote_revision() {
  set_traffic "$1" || die "$EXIT_FAILED" "$2"
  say "Promoted $1"
}

# The revision taking traffic now (the largest weight). A "latestRevision" entry is resolved to the app's latest
# ready revision, which is where ACA sends that traffic.
current_traffic_revision() {
  local traffic name rc=0
  traffic=$(az_checked containerapp ingress traffic show -g "$RG" -n "$APP" -o json)
  name=$(json_helper traffic-current <<<"$traffic") || rc=$?
  case $rc in
    0) ;;
    3) die "$EXIT_FAILED" "no revision of $APP takes traffic, so there would be nothing to fall back to; give one revision the traffic first ('promote REVISION')" ;;
    *) die "$EXIT_FAILED" "could not read the traffic of $APP" ;;
  esac
  if [[ $name == "@latest" ]]; then
    name=$(az_checked containerapp show -g "$RG" -n "$APP" --query properties.latestReadyRevisionName -o tsv)
  fi
  [[ -n $name ]] || die "$EXIT_FAILED" "could not tell which revision of $APP takes traffic"
  printf '%s\n' "$name"
}

# Waits until the revision is provisioned; returns non-zero if it failed or the wait timed out.
wait_until_ready() {
  local rev=$1 timeout=${PRYNAI_READY_TIMEOUT:-600} interval=${PRYNAI_READY_INTERVAL:-10} started=$SECONDS
  local state provisioning health running
  [[ $timeout =~ ^[0-9]+$ && $interval =~ ^[0-9]+$ ]] ||
    die "$EXIT_USAGE" "PRYNAI_READY_TIMEOUT and PRYNAI_READY_INTERVAL must be whole numbers of seconds"
  while :; do
    # "-" stands for a state that could not be read (yet).
    state=$(az containerapp revision show -g "$RG" -n "$APP" --revision "$rev" -o json | json_helper ready-state) ||
      state=$'-\t-\t-'
    IFS=$'\t' read -r provisioning health running <<<"$state" || true
    case "$provisioning/$running" in
      failed/* | deprovision* | */failed)
        say "Revision $rev failed to start (provisioning: $provisioning, running: $running)."
        return 1
        ;;
      provisioned/*)
        if [[ $health != unhealthy ]]; then
          say "Revision $rev is provisioned (health: $health, running: $running)."
          return 0
        fi
        ;;
      *) ;; # still provisioning: keep waiting
    esac
    if ((SECONDS - started >= timeout)); then
      say "Revision $rev was not ready after ${timeout}s (provisioning: $provisioning, health: $health)."
      return 1
    fi
    sleep "$interval"
  done
}

# The revision stays at 0% traffic; deactivating it frees its replicas and keeps it out of rollback's choices.
abandon() {
  local rev=$1 previous=$2 reason=$3
  say "ROLLOUT FAILED: $reason."
  say "Traffic was NOT moved: 100% stays on $previous."
  say "Deactivating the failed revision $rev."
  az containerapp revision deactivate -g "$RG" -n "$APP" --revision "$rev" >/dev/null ||
    warn "could not deactivate $rev; it has 0% traffic, deactivate it by hand"
  die "$EXIT_FAILED" "rollout of $rev failed; traffic stays on $previous"
}

# The steps rollout and stage share: pin the traffic to the current revision, build and push the image, create the
# new revision (0% traffic), wait until it is ready and smoke-test it. $1 is the command (for the heading). Sets
# STAGED_REVISION, STAGED_FQDN and PREVIOUS_REVISION; on a failure it stops the script with the traffic untouched.
stage_new_revision() {
  load_settings "$1"
  local registry image tag registry_name previous rev fqdn token smoke_rc heading=Staging
  if [[ $1 == rollout ]]; then
    heading="Rolling out"
  fi
  registry=${AZURE_CONTAINER_REGISTRY_ENDPOINT#https://}
  registry=${registry%/}
  registry_name=${registry%%.*}
  image=${IMAGE_NAME:-prynai-mcp}
  tag=${TAG:-}
  if [[ -z $tag ]]; then
    require_tool git "TAG is not set, so the image is tagged with the commit's short hash"
    tag=$(git rev-parse --short HEAD) || die "$EXIT_USAGE" "TAG is not set and 'git rev-parse --short HEAD' failed"
  fi
  # ACA's rule for a revision suffix (the tag is also the suffix): lower-case letters, digits and single hyphens,
  # starting and ending with a letter or digit.
  if [[ ! $tag =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ || $tag == *--* ]]; then
    die "$EXIT_USAGE" "TAG '$tag' cannot be a revision suffix: use lower-case letters, digits and single '-' only"
  fi
  rev="$APP--$tag"
  local smoke_words=${PRYNAI_SMOKE_COMMAND:-dotnet run --project SmokeClient -c Release --}
  local -a smoke
  read -r -a smoke <<<"$smoke_words"
  ((${#smoke[@]} > 0)) || die "$EXIT_USAGE" "PRYNAI_SMOKE_COMMAND is empty"
  require_tool dotnet "the image is built with 'dotnet publish -t:PublishContainer'"

  say "== $heading $registry/$image:$tag to $APP (resource group $RG) as revision $rev"
  az_checked containerapp revision set-mode -g "$RG" -n "$APP" --mode multiple >/dev/null

  previous=$(current_traffic_revision)
  say "== Pinning 100% of the traffic to the current revision $previous, so $rev starts with 0%"
  set_traffic "$previous" || die "$EXIT_FAILED" "could not pin the traffic to $previous; nothing was deployed"

  say "== Building and pushing $registry/$image:$tag"
  # The token goes to dotnet through its environment only; it is never printed or put on a command line.
  # linux-x64 whatever machine builds: ACA runs amd64 images.
  token=$(az acr login --name "$registry_name" --expose-token --query accessToken -o tsv) ||
    die "$EXIT_FAILED" "'az acr login --name $registry_name' failed; nothing was deployed, traffic stays on $previous"
  [[ -n $token ]] || die "$EXIT_FAILED" "'az acr login --name $registry_name' failed; nothing was deployed, traffic stays on $previous"
  DOTNET_CONTAINER_REGISTRY_UNAME=$REGISTRY_TOKEN_USER DOTNET_CONTAINER_REGISTRY_PWORD=$token \
    dotnet publish McpServer/McpServer.csproj -c Release --os linux --arch x64 -t:PublishContainer \
    "-p:ContainerRegistry=$registry" "-p:ContainerRepository=$image" "-p:ContainerImageTags=$tag" ||
    die "$EXIT_FAILED" "building or pushing the image failed; nothing was deployed, traffic stays on $previous"
  token=""

  say "== Creating revision $rev (0% traffic)"
  az containerapp update -g "$RG" -n "$APP" --image "$registry/$image:$tag" --revision-suffix "$tag" -o json >/dev/null ||
    die "$EXIT_FAILED" "'az containerapp update' failed (if $rev already exists, set TAG to a new value or run 'promote $rev'); traffic stays on $previous"

  fqdn=$(az containerapp revision show -g "$RG" -n "$APP" --revision "$rev" --query properties.fqdn -o tsv) || fqdn=""
  [[ -n $fqdn ]] || abandon "$rev" "$previous" "revision $rev has no FQDN (is ingress enabled?)"
  say "Revision FQDN: https://$fqdn"
  wait_until_ready "$rev" || abandon "$rev" "$previous" "revision $rev did not become ready"

  say "== Smoke-testing $rev at https://$fqdn/mcp"
  smoke_rc=0
  "${smoke[@]}" smoke --url "https://$fqdn/mcp" --auth entra || smoke_rc=$?
  ((smoke_rc == 0)) || abandon "$rev" "$previous" "the smoke test of $rev failed (exit $smoke_rc)"

  STAGED_REVISION=$rev
  STAGED_FQDN=$fqdn
  PREVIOUS_REVISION=$previous
}

cmd_stage() {
  stage_new_revision stage
  say "== Smoke test passed; $STAGED_REVISION stays at 0% traffic, 100% stays on $PREVIOUS_REVISION"
  say "revision=$STAGED_REVISION"
  say "fqdn=$STAGED_FQDN"
  if [[ -n ${GITHUB_OUTPUT:-} ]]; then
    printf 'revision=%s\nfqdn=%s\n' "$STAGED_REVISION" "$STAGED_FQDN" >>"$GITHUB_OUTPUT"
  fi
  say "'deploy/rollout.sh promote $STAGED_REVISION' moves the traffic to it."
}

cmd_rollout() {
  stage_new_revision rollout
  say "== Smoke test passed; moving 100% of the traffic to $STAGED_REVISION"
  promote_revision "$STAGED_REVISION" \
    "moving the traffic to $STAGED_REVISION failed; it stays on $PREVIOUS_REVISION (retry with 'promote $STAGED_REVISION')"
  say "The previous revision $PREVIOUS_REVISION stays active with 0% traffic; 'deploy/rollout.sh rollback' returns to it."
}

cmd_promote() {
  if (($# != 1)) || [[ -z $1 ]]; then
    usage >&2
    die "$EXIT_USAGE" "promote takes exactly one argument: the revision name"
  fi
  local rev=$1 revisions active
  load_settings promote
  revisions=$(revision_list)
  active=$(json_helper active "$rev" <<<"$revisions") || {
    local known
    known=$(json_helper names <<<"$revisions" | paste -sd ' ' -)
    die "$EXIT_USAGE" "unknown revision '$rev' of $APP (known: ${known:-none})"
  }
  if [[ $active != true ]]; then
    say "Activating $rev"
    az_checked containerapp revision activate -g "$RG" -n "$APP" --revision "$rev" >/dev/null
  fi
  promote_revision "$rev" "moving the traffic to $rev failed; 'deploy/rollout.sh status' shows where it is"
}

cmd_rollback() {
  (($# == 0)) || die "$EXIT_USAGE" "rollback takes no arguments"
  load_settings rollback
  local revisions pair rc=0 current target
  revisions=$(revision_list)
  pair=$(json_helper rollback-target <<<"$revisions") || rc=$?
  case $rc in
    0) ;;
    3) die "$EXIT_FAILED" "no revision of $APP takes traffic; use 'promote REVISION'" ;;
    4) die "$EXIT_FAILED" "no active, healthy revision older than $pair to roll back to (deploy/rollout.sh status lists them; 'promote REVISION' activates one)" ;;
    *) die "$EXIT_FAILED" "could not read the revision list of $APP" ;;
  esac
  IFS=$'\t' read -r current target <<<"$pair"
  say "Rolling back $APP: 100% of the traffic from $current to $target"
  set_traffic "$target" || die "$EXIT_FAILED" "moving the traffic to $target failed; it stays on $current"
  say "Rolled back to $target ($current stays active with 0% traffic)"
}

cmd_status() {
  (($# == 0)) || die "$EXIT_USAGE" "status takes no arguments"
  load_settings status
  local revisions
  revisions=$(revision_list)
  say "Revisions of $APP (resource group $RG):"
  json_helper status-table <<<"$revisions"
}

main() {
  if (($# == 0)); then
    usage
    die "$EXIT_USAGE" "no command given"
  fi
  # azd finds its environment from the repository root, and the image is built from there.
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  local command=$1
  shift
  case $command in
    rollout | stage)
      (($# == 0)) || die "$EXIT_USAGE" "$command takes no arguments (settings come from the environment)"
      "cmd_$command"
      ;;
    promote) cmd_promote "$@" ;;
    rollback) cmd_rollback "$@" ;;
    status) cmd_status "$@" ;;
    help | -h | --help) usage ;;
    *)
      usage >&2
      die "$EXIT_USAGE" "unknown command '$command'"
      ;;
  esac
}

main "$@"
