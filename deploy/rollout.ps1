<#
.SYNOPSIS
    Safe rollout of the Prynai MCP server to Azure Container Apps (ACA): build, new revision at 0 % traffic, smoke test on
    the revision's own FQDN, then promote — or leave the traffic where it was.

.DESCRIPTION
    A new revision is created with 0% traffic, smoke-tested on its own revision FQDN, and only then given 100% of the
    traffic. If the smoke test fails, traffic is never moved: it stays on the revision that had it, and the failed
    revision is deactivated. 'stage' stops after the smoke test, so that the traffic can be moved later ('promote').
    This is Prynai's only rollout implementation (docs/deployment.md says why it is PowerShell 7), with its functions
    in rollout-functions.ps1 beside it; the deploy workflow runs it, and azd's predeploy hook points to it.

    Commands:
      rollout            Build and push the image, create a new revision with 0% traffic, smoke-test it, promote it.
      stage              The steps of rollout up to and including the smoke test, without moving the traffic.
      promote REVISION   Send 100% of the traffic to REVISION (activating it first if it is inactive).
      rollback           Send 100% of the traffic back to the most recently created active, healthy revision that is
                         older than the one taking the traffic now.
      status             List the revisions: name, active, traffic, created, health, running state, FQDN.
      help               Show the usage text (also -h, --help).

    Settings come from the environment; AZURE_RESOURCE_GROUP and AZURE_CONTAINER_REGISTRY_ENDPOINT fall back to the azd
    environment. Run it with no arguments for the list. Exit codes: 0 success, 1 failure (traffic left as described in
    the output), 2 usage or settings error.

.EXAMPLE
    pwsh deploy/rollout.ps1 rollout    # after 'azd up', with the ENTRA_* smoke credentials in the environment
#>
#Requires -Version 7.0
# No param() block: the arguments are read as plain words ($args), so '-h', '--help' or a revision name starting with
# '-' reach the script as typed instead of being taken for PowerShell parameters.
$ScriptArguments = @($args)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
# Native tools report failure through $LASTEXITCODE, checked after every call (PowerShell 7.3+ could also throw).
$PSNativeCommandUseErrorActionPreference = $false

$RegistryTokenUser = '00000000-0000-0000-0000-000000000000'
$RepoRoot = Split-Path -Parent $PSScriptRoot
# Set just before a failure is thrown; the top level exits with it.
$script:ExitCode = 1

$Usage = @'
Usage: pwsh deploy/rollout.ps1 COMMAND [ARGS]

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
  help               Show this text (also -h, --help).

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
'@

# Output, settings, Azure CLI calls and the revision steps the commands share.
. (Join-Path $PSScriptRoot 'rollout-functions.ps1')

# The steps rollout and stage share: pin the traffic to the current revision, build and push the image, create the new
# revision (0% traffic), wait until it is ready and smoke-test it. Sets $script:StagedRevision, $script:StagedFqdn and
# $script:PreviousRevision (not returned: a stray pipeline output would mix into a return value); on a failure it
# stops the script with the traffic untouched.
function Invoke-StageRevision([string]$ForCommand) {
    Read-Settings $ForCommand
    $heading = if ($ForCommand -eq 'rollout') { 'Rolling out' } else { 'Staging' }
    $registry = $script:RegistryEndpoint -replace '^https://', '' -replace '/$', ''
    $registryName = $registry.Split('.')[0]
    $image = Get-Setting 'IMAGE_NAME' 'prynai-mcp'
    $tag = Get-Setting 'TAG'
    if (-not $tag) {
        Assert-Tool 'git' 'TAG is not set, so the image is tagged with the commit''s short hash'
        $tag = (@(& git rev-parse --short HEAD) -join '').Trim()
        if ($LASTEXITCODE -ne 0 -or -not $tag) { Stop-Rollout 2 "TAG is not set and 'git rev-parse --short HEAD' failed" }
    }
    # ACA's rule for a revision suffix (the tag is also the suffix): lower-case letters, digits and single hyphens,
    # starting and ending with a letter or digit. -cmatch: PowerShell's -match ignores case.
    if ($tag -cnotmatch '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' -or $tag.Contains('--')) {
        Stop-Rollout 2 "TAG '$tag' cannot be a revision suffix: use lower-case letters, digits and single '-' only"
    }
    $newRevision = "$($script:App)--$tag"
    $smokeWords = @((Get-Setting 'PRYNAI_SMOKE_COMMAND' 'dotnet run --project SmokeClient -c Release --') -split '\s+' | Where-Object { $_ })
    if ($smokeWords.Count -eq 0) { Stop-Rollout 2 'PRYNAI_SMOKE_COMMAND is empty' }
    Read-ReadinessSettings
    Assert-Tool 'dotnet' "the image is built with 'dotnet publish -t:PublishContainer'"

    Write-Line "== $heading $registry/$($image):$tag to $($script:App) (resource group $($script:RG)) as revision $newRevision"
    $null = Invoke-Az @('containerapp', 'revision', 'set-mode', '-g', $script:RG, '-n', $script:App, '--mode', 'multiple')

    $previous = Get-CurrentTrafficRevision
    Write-Line "== Pinning 100% of the traffic to the current revision $previous, so $newRevision starts with 0%"
    if (-not (Set-Traffic $previous)) { Stop-Rollout 1 "could not pin the traffic to $previous; nothing was deployed" }

    Write-Line "== Building and pushing $registry/$($image):$tag"
    # The token goes to dotnet through its environment only; it is never printed or put on a command line.
    $token = (@(& az acr login --name $registryName --expose-token --query accessToken -o tsv) -join '').Trim()
    if ($LASTEXITCODE -ne 0 -or -not $token) {
        Stop-Rollout 1 "'az acr login --name $registryName' failed; nothing was deployed, traffic stays on $previous"
    }
    $env:DOTNET_CONTAINER_REGISTRY_UNAME = $RegistryTokenUser
    $env:DOTNET_CONTAINER_REGISTRY_PWORD = $token
    try {
        & dotnet publish 'McpServer/McpServer.csproj' -c Release --os linux --arch x64 '-t:PublishContainer' `
            "-p:ContainerRegistry=$registry" "-p:ContainerRepository=$image" "-p:ContainerImageTags=$tag" | Out-Host
        $publishExit = $LASTEXITCODE
    }
    finally {
        Remove-Item -Path 'Env:DOTNET_CONTAINER_REGISTRY_PWORD', 'Env:DOTNET_CONTAINER_REGISTRY_UNAME' -ErrorAction SilentlyContinue
        $token = $null
    }
    if ($publishExit -ne 0) {
        Stop-Rollout 1 "building or pushing the image failed; nothing was deployed, traffic stays on $previous"
    }

    Write-Line "== Creating revision $newRevision (0% traffic)"
    $null = & az containerapp update -g $script:RG -n $script:App --image "$registry/$($image):$tag" --revision-suffix $tag -o json
    if ($LASTEXITCODE -ne 0) {
        Stop-Rollout 1 "'az containerapp update' failed (if $newRevision already exists, set TAG to a new value or run 'promote $newRevision'); traffic stays on $previous"
    }

    $fqdn = (@(& az containerapp revision show -g $script:RG -n $script:App --revision $newRevision --query 'properties.fqdn' -o tsv) -join '').Trim()
    if ($LASTEXITCODE -ne 0 -or -not $fqdn) {
        Stop-FailedRollout $newRevision $previous "revision $newRevision has no FQDN (is ingress enabled?)"
    }
    Write-Line "Revision FQDN: https://$fqdn"
    if (-not (Wait-RevisionReady $newRevision)) {
        Stop-FailedRollout $newRevision $previous "revision $newRevision did not become ready"
    }

    Write-Line "== Smoke-testing $newRevision at https://$fqdn/mcp"
    $smokeProgram = $smokeWords[0]
    $smokeArguments = @()
    if ($smokeWords.Count -gt 1) { $smokeArguments = @($smokeWords[1..($smokeWords.Count - 1)]) }
    & $smokeProgram @smokeArguments smoke --url "https://$fqdn/mcp" --auth entra | Out-Host
    $smokeExit = $LASTEXITCODE
    if ($smokeExit -ne 0) {
        Stop-FailedRollout $newRevision $previous "the smoke test of $newRevision failed (exit $smokeExit)"
    }

    $script:StagedRevision = $newRevision
    $script:StagedFqdn = $fqdn
    $script:PreviousRevision = $previous
}

function Invoke-Stage {
    Invoke-StageRevision 'stage'
    $name = $script:StagedRevision
    Write-Line "== Smoke test passed; $name stays at 0% traffic, 100% stays on $($script:PreviousRevision)"
    Write-Line "revision=$name"
    Write-Line "fqdn=$($script:StagedFqdn)"
    $outputFile = Get-Setting 'GITHUB_OUTPUT'
    if ($outputFile) {
        # "`n" rather than Add-Content's line ending: the same bytes on every platform.
        [IO.File]::AppendAllText($outputFile, "revision=$name`nfqdn=$($script:StagedFqdn)`n")
    }
    Write-Line "'pwsh deploy/rollout.ps1 promote $name' moves the traffic to it."
}

function Invoke-Rollout {
    Invoke-StageRevision 'rollout'
    $name = $script:StagedRevision
    $previous = $script:PreviousRevision
    Write-Line "== Smoke test passed; moving 100% of the traffic to $name"
    Invoke-PromoteRevision $name "moving the traffic to $name failed; it stays on $previous (retry with 'promote $name')"
    Write-Line "The previous revision $previous stays active with 0% traffic; 'pwsh deploy/rollout.ps1 rollback' returns to it."
}

# $Arguments: what followed 'promote' on the command line; exactly one non-empty revision name.
function Invoke-Promote([string[]]$Arguments) {
    if ($Arguments.Count -ne 1 -or -not $Arguments[0]) {
        [Console]::Error.WriteLine($Usage)
        Stop-Rollout 2 'promote takes exactly one argument: the revision name'
    }
    $Name = $Arguments[0]
    Read-Settings 'promote'
    $revisions = @(Get-Revisions)
    $match = @($revisions | Where-Object { (Get-Field $_ 'name') -ceq $Name })
    if ($match.Count -eq 0) {
        $known = ($revisions | ForEach-Object { Get-Field $_ 'name' }) -join ' '
        if (-not $known) { $known = 'none' }
        Stop-Rollout 2 "unknown revision '$Name' of $($script:App) (known: $known)"
    }
    if ((Get-RevisionProperty $match[0] 'active') -ne $true) {
        Write-Line "Activating $Name"
        $null = Invoke-Az @('containerapp', 'revision', 'activate', '-g', $script:RG, '-n', $script:App, '--revision', $Name)
    }
    Invoke-PromoteRevision $Name "moving the traffic to $Name failed; 'pwsh deploy/rollout.ps1 status' shows where it is"
}

function Invoke-Rollback {
    Read-Settings 'rollback'
    $revisions = @(Get-Revisions)
    $byTrafficThenAge = @{ Expression = { Get-Weight (Get-RevisionProperty $_ 'trafficWeight') } }, @{ Expression = { Get-Created $_ } }
    $current = $revisions | Where-Object { (Get-Weight (Get-RevisionProperty $_ 'trafficWeight')) -gt 0 } |
        Sort-Object -Property $byTrafficThenAge -Descending -Stable | Select-Object -First 1
    if ($null -eq $current) { Stop-Rollout 1 "no revision of $($script:App) takes traffic; use 'promote REVISION'" }
    $currentName = [string](Get-Field $current 'name')
    $currentCreated = Get-Created $current
    $target = $revisions | Where-Object {
        (Get-Field $_ 'name') -ne $currentName -and
        (Get-RevisionProperty $_ 'active') -eq $true -and
        "$(Get-RevisionProperty $_ 'provisioningState')" -ne 'Failed' -and
        "$(Get-RevisionProperty $_ 'healthState')" -ne 'Unhealthy' -and
        (Get-Created $_) -lt $currentCreated
    } | Sort-Object -Property @{ Expression = { Get-Created $_ } } -Descending -Stable | Select-Object -First 1
    if ($null -eq $target) {
        Stop-Rollout 1 "no active, healthy revision older than $currentName to roll back to ('pwsh deploy/rollout.ps1 status' lists them; 'promote REVISION' activates one)"
    }
    $targetName = [string](Get-Field $target 'name')
    Write-Line "Rolling back $($script:App): 100% of the traffic from $currentName to $targetName"
    if (-not (Set-Traffic $targetName)) { Stop-Rollout 1 "moving the traffic to $targetName failed; it stays on $currentName" }
    Write-Line "Rolled back to $targetName ($currentName stays active with 0% traffic)"
}

# A table: columns padded to their widest cell, two spaces apart, newest revision first.
function Invoke-Status {
    Read-Settings 'status'
    $revisions = @(Get-Revisions | Sort-Object -Property @{ Expression = { Get-Created $_ } } -Descending -Stable)
    Write-Line "Revisions of $($script:App) (resource group $($script:RG)):"
    $rows = [Collections.Generic.List[string[]]]::new()
    $rows.Add([string[]]@('NAME', 'ACTIVE', 'TRAFFIC', 'CREATED', 'HEALTH', 'RUNNING', 'FQDN'))
    foreach ($rev in $revisions) {
        $active = if ((Get-RevisionProperty $rev 'active') -eq $true) { 'yes' } else { 'no' }
        $rows.Add([string[]]@(
                [string](Get-Field $rev 'name'),
                $active,
                "$(Get-Weight (Get-RevisionProperty $rev 'trafficWeight'))%",
                (Format-Created $rev),
                [string](Get-RevisionProperty $rev 'healthState'),
                [string](Get-RevisionProperty $rev 'runningState'),
                [string](Get-RevisionProperty $rev 'fqdn')))
    }
    $widths = [int[]]::new(7)
    foreach ($row in $rows) {
        foreach ($i in 0..6) { $widths[$i] = [Math]::Max($widths[$i], $row[$i].Length) }
    }
    foreach ($row in $rows) {
        $cells = foreach ($i in 0..6) { $row[$i].PadRight($widths[$i]) }
        Write-Line (($cells -join '  ').TrimEnd())
    }
}

function Assert-NoArguments([string]$Command, [string[]]$Rest, [string]$Why = '') {
    if ($Rest.Count -gt 0) { Stop-Rollout 2 "$Command takes no arguments$Why" }
}

function Invoke-Main([string[]]$Arguments) {
    if ($Arguments.Count -eq 0) {
        Write-Line $Usage
        Stop-Rollout 2 'no command given'
    }
    $command = $Arguments[0]
    $rest = @($Arguments | Select-Object -Skip 1)
    switch -CaseSensitive ($command) {
        'rollout' { Assert-NoArguments $command $rest ' (settings come from the environment)'; Invoke-Rollout }
        'stage' { Assert-NoArguments $command $rest ' (settings come from the environment)'; Invoke-Stage }
        'promote' { Invoke-Promote $rest }
        'rollback' { Assert-NoArguments $command $rest; Invoke-Rollback }
        'status' { Assert-NoArguments $command $rest; Invoke-Status }
        { $_ -cin 'help', '-h', '--help' } { Write-Line $Usage }
        default {
            [Console]::Error.WriteLine($Usage)
            Stop-Rollout 2 "unknown command '$command'"
        }
    }
}

$exitCode = 0
# azd finds its environment from the repository root, and the image is built from there.
Push-Location -LiteralPath $RepoRoot
try {
    Invoke-Main $ScriptArguments
}
catch {
    [Console]::Error.WriteLine("rollout: error: $($_.Exception.Message)")
    $exitCode = $script:ExitCode
}
finally {
    Pop-Location
}
exit $exitCode
