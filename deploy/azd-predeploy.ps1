# azd's predeploy hook (azure.yaml; PowerShell 7 on every platform). Two checks before azd deploys anything:
#  1. the AppHost's Azure flavour is selected (PrynaiAzure=true in the environment that runs azd);
#  2. the container app does not exist yet. azd deploy sends the container app without traffic rules, so Container Apps
#     would route every request to the new revision at once, before any smoke test: after the first `azd up`, updates go
#     through deploy/rollout.ps1 (new revision at 0 %, smoke test on its own address, then promote).
#     PRYNAI_ALLOW_AZD_DEPLOY=true skips this check (e.g. to repair a broken app by hand); `azd provision` is not affected.
# azd passes its environment's values (AZURE_RESOURCE_GROUP, ...) to hooks as environment variables.
$ErrorActionPreference = 'Stop'

if ($env:PrynaiAzure -ne 'true') {
    [Console]::Error.WriteLine("Set PrynaiAzure=true in the environment that runs azd: it selects the AppHost's Azure flavour (docs/deployment.md).")
    exit 1
}
if ($env:PRYNAI_ALLOW_AZD_DEPLOY -eq 'true') {
    exit 0
}
$app = if ($env:AZURE_CONTAINER_APP) { $env:AZURE_CONTAINER_APP } else { 'mcp' }
if (-not $env:AZURE_RESOURCE_GROUP -or -not (Get-Command az -ErrorAction SilentlyContinue)) {
    [Console]::Error.WriteLine("predeploy: cannot check whether container app '$app' exists (no az CLI or no AZURE_RESOURCE_GROUP); if it does, update it with pwsh deploy/rollout.ps1 instead.")
    exit 0
}
# az's stderr (its error message) is kept; its stdout, the app's name, is not needed.
$errorText = (& az containerapp show -g $env:AZURE_RESOURCE_GROUP -n $app --query name -o tsv 2>&1 | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) -join ' '
if ($LASTEXITCODE -eq 0) {
    [Console]::Error.WriteLine("Container app '$app' already exists: update it with pwsh deploy/rollout.ps1 (a new revision at 0 % traffic, smoke-tested, then promoted).")
    [Console]::Error.WriteLine("azd deploy would send every request to the new revision at once. PRYNAI_ALLOW_AZD_DEPLOY=true overrides this check (docs/deployment.md).")
    exit 1
}
# The first deployment: azd creates the app.
if ($errorText -match 'ResourceNotFound|was not found') {
    exit 0
}
[Console]::Error.WriteLine("predeploy: could not check whether container app '$app' exists ($errorText); if it does, update it with pwsh deploy/rollout.ps1 instead.")
exit 0
