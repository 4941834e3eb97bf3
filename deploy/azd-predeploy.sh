#!/usr/bin/env sh
# azd's predeploy hook (azure.yaml). Two checks before azd deploys anything:
#  1. the AppHost's Azure flavour is selected (PrynaiAzure=true in the environment that runs azd);
#  2. the container app does not exist yet. azd deploy sends the container app without traffic rules, so Container Apps
#     would route every request to the new revision at once, before any smoke test: after the first `azd up`, updates go
#     through deploy/rollout.sh (new revision at 0 %, smoke test on its own address, then promote). PRYNAI_ALLOW_AZD_DEPLOY=true
#     skips this check (e.g. to repair a broken app by hand); `azd provision` is not affected.
# azd passes its environment's values (AZURE_RESOURCE_GROUP, ...) to hooks as environment variables.
set -eu

if [ "${PrynaiAzure:-}" != "true" ]; then
  echo "Set PrynaiAzure=true in the environment that runs azd: it selects the AppHost's Azure flavour (docs/deployment.md)." >&2
  exit 1
fi
if [ "${PRYNAI_ALLOW_AZD_DEPLOY:-}" = "true" ]; then
  exit 0
fi
app="${AZURE_CONTAINER_APP:-mcp}"
if [ -z "${AZURE_RESOURCE_GROUP:-}" ] || ! command -v az >/dev/null 2>&1; then
  echo "predeploy: cannot check whether container app '$app' exists (no az CLI or no AZURE_RESOURCE_GROUP); if it does, update it with deploy/rollout.sh instead." >&2
  exit 0
fi
if error=$(az containerapp show -g "$AZURE_RESOURCE_GROUP" -n "$app" --query name -o tsv 2>&1 >/dev/null); then
  echo "Container app '$app' already exists: update it with deploy/rollout.sh (a new revision at 0 % traffic, smoke-tested, then promoted)." >&2
  echo "azd deploy would send every request to the new revision at once. PRYNAI_ALLOW_AZD_DEPLOY=true overrides this check (docs/deployment.md)." >&2
  exit 1
fi
case "$error" in
  *ResourceNotFound* | *"was not found"*) exit 0 ;; # the first deployment: azd creates the app
esac
echo "predeploy: could not check whether container app '$app' exists ($error); if it does, update it with deploy/rollout.sh instead." >&2
exit 0
