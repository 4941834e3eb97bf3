# azd's predeploy hook on Windows (azure.yaml); deploy/azd-predeploy.sh is the same check for sh, where the reasons are.
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
    [Console]::Error.WriteLine("predeploy: cannot check whether container app '$app' exists (no az CLI or no AZURE_RESOURCE_GROUP); if it does, update it with deploy/rollout.ps1 instead.")
    exit 0
}
$errorText = (& az containerapp show -g $env:AZURE_RESOURCE_GROUP -n $app --query name -o tsv 2>&1 | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) -join ' '
if ($LASTEXITCODE -eq 0) {
    [Console]::Error.WriteLine("Container app '$app' already exists: update it with deploy/rollout.ps1 (a new revision at 0 % traffic, smoke-tested, then promoted).")
    [Console]::Error.WriteLine("azd deploy would send every request to the new revision at once. PRYNAI_ALLOW_AZD_DEPLOY=true overrides this check (docs/deployment.md).")
    exit 1
}
if ($errorText -match 'ResourceNotFound|was not found') {
    exit 0
}
[Console]::Error.WriteLine("predeploy: could not check whether container app '$app' exists ($errorText); if it does, update it with deploy/rollout.ps1 instead.")
exit 0
