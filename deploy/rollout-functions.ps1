# The functions of deploy/rollout.ps1, which dot-sources this file (run alone, it only defines them): the output and
# how the script stops (Stop-Rollout; rollout.ps1 prints the message and exits with the code), the settings and the azd
# environment they fall back to, the Azure CLI calls and the JSON they answer, and the steps on revisions the commands
# share (traffic, readiness, deactivating a failed revision).

function Write-Line([string]$Text) { [Console]::Out.WriteLine($Text) }

function Write-Warn([string]$Text) { [Console]::Error.WriteLine("rollout: warning: $Text") }

# Stops the script: the top level prints "rollout: error: <message>" and exits with $Code.
function Stop-Rollout([int]$Code, [string]$Message) {
    $script:ExitCode = $Code
    throw $Message
}

function Get-Setting([string]$Name, [string]$Default = '') {
    $value = [Environment]::GetEnvironmentVariable($Name)
    if ([string]::IsNullOrEmpty($value)) { return $Default }
    return $value
}

function Test-Tool([string]$Name) {
    return $null -ne (Get-Command $Name -CommandType Application -ErrorAction SilentlyContinue)
}

function Assert-Tool([string]$Name, [string]$Why) {
    if (-not (Test-Tool $Name)) { Stop-Rollout 2 "'$Name' was not found on PATH ($Why)" }
}

# The first non-empty value of $Names in this repository's azd environment ('azd up' and 'azd env refresh' write it),
# or '' when azd is not on PATH, has no environment here or knows none of the names.
function Get-AzdValue([string[]]$Names) {
    if (-not (Test-Tool 'azd')) { return '' }
    # azd reports a name it does not have on stderr, with a non-zero exit: that only means "not there".
    $ErrorActionPreference = 'Continue'
    foreach ($name in $Names) {
        $output = & azd env get-value $name 2>$null
        if ($LASTEXITCODE -ne 0) { continue }
        $value = (@($output) -join "`n").Trim()
        if ($value) { return $value }
    }
    return ''
}

# The setting from the environment, else from the azd environment (names $AzdNames), else ''.
function Get-SettingOrAzd([string]$Name, [string[]]$AzdNames) {
    $value = Get-Setting $Name
    if ($value) { return $value }
    $value = Get-AzdValue $AzdNames
    if ($value) { Write-Line "$Name=$value (from the azd environment)" }
    return $value
}

# Runs az and returns its standard output as one string; stops the script (exit 1) when az fails, naming the call. Only
# for calls without a secret in their arguments.
function Invoke-Az([string[]]$Arguments) {
    $output = & az @Arguments
    if ($LASTEXITCODE -ne 0) {
        Stop-Rollout 1 "'az $($Arguments -join ' ')' failed (exit $LASTEXITCODE)"
    }
    return (@($output) -join "`n").Trim()
}

# Parsed JSON; a top-level array comes back enumerated (callers wrap the call in @()), an empty one as nothing.
function ConvertFrom-AzJson([string]$Text, [string]$What) {
    if ([string]::IsNullOrWhiteSpace($Text)) { Stop-Rollout 1 "the Azure CLI printed nothing for $What" }
    try {
        $parsed = ConvertFrom-Json -InputObject $Text
    }
    catch {
        Stop-Rollout 1 "the Azure CLI did not print JSON for $What"
    }
    if ($null -eq $parsed) { return }
    return $parsed
}

# A JSON property, or $null when it is absent (safe under strict mode).
function Get-Field($Object, [string]$Name) {
    if ($null -eq $Object) { return $null }
    $property = $Object.PSObject.Properties[$Name]
    if ($null -eq $property) { return $null }
    return $property.Value
}

function Get-RevisionProperty($Revision, [string]$Name) { Get-Field (Get-Field $Revision 'properties') $Name }

function Get-Weight($Value) {
    if ($null -eq $Value) { return [double]0 }
    try { return [double]$Value } catch { return [double]0 }
}

# createdTime as a DateTimeOffset (ConvertFrom-Json may already have turned it into a DateTime); MinValue if unreadable.
function Get-Created($Revision) {
    $value = Get-RevisionProperty $Revision 'createdTime'
    if ($value -is [datetime]) {
        # A time without a zone is UTC (ToUniversalTime would take it for local time).
        if ($value.Kind -eq [DateTimeKind]::Unspecified) { $value = [datetime]::SpecifyKind($value, [DateTimeKind]::Utc) }
        return [DateTimeOffset]::new($value.ToUniversalTime())
    }
    $parsed = [DateTimeOffset]::MinValue
    if ($null -ne $value -and [DateTimeOffset]::TryParse([string]$value, [Globalization.CultureInfo]::InvariantCulture,
            [Globalization.DateTimeStyles]::AssumeUniversal, [ref]$parsed)) {
        return $parsed
    }
    return [DateTimeOffset]::MinValue
}

# createdTime in UTC to the second, or the raw text when it is unreadable.
function Format-Created($Revision) {
    $created = Get-Created $Revision
    if ($created -eq [DateTimeOffset]::MinValue) { return [string](Get-RevisionProperty $Revision 'createdTime') }
    return $created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [Globalization.CultureInfo]::InvariantCulture)
}

# A revision state in lower case; '-' when it is absent.
function Get-StateText($State, [string]$Name) {
    $text = [string](Get-RevisionProperty $State $Name)
    if (-not $text) { return '-' }
    return $text.ToLowerInvariant()
}

# Reads the settings every command needs; rollout and stage add their own. Missing settings are all named at once.
function Read-Settings([string]$ForCommand) {
    $missing = @()
    $script:RG = Get-SettingOrAzd 'AZURE_RESOURCE_GROUP' @('AZURE_RESOURCE_GROUP')
    if (-not $script:RG) { $missing += 'AZURE_RESOURCE_GROUP' }
    $script:RegistryEndpoint = ''
    if ($ForCommand -in @('rollout', 'stage')) {
        $script:RegistryEndpoint = Get-SettingOrAzd 'AZURE_CONTAINER_REGISTRY_ENDPOINT' @('ENV_AZURE_CONTAINER_REGISTRY_ENDPOINT', 'AZURE_CONTAINER_REGISTRY_ENDPOINT')
        if (-not $script:RegistryEndpoint) { $missing += 'AZURE_CONTAINER_REGISTRY_ENDPOINT' }
        if (-not (Get-Setting 'ENTRA_TENANT_ID') -and -not (Get-Setting 'ENTRA_AUTHORITY')) { $missing += 'ENTRA_TENANT_ID (or ENTRA_AUTHORITY)' }
        if (-not (Get-Setting 'ENTRA_CLIENT_ID')) { $missing += 'ENTRA_CLIENT_ID' }
        if (-not (Get-Setting 'ENTRA_CLIENT_SECRET')) { $missing += 'ENTRA_CLIENT_SECRET' }
        if (-not (Get-Setting 'SERVER_APP_ID_URI')) { $missing += 'SERVER_APP_ID_URI' }
    }
    if ($missing.Count -gt 0) {
        $hint = ''
        if ($missing -contains 'AZURE_RESOURCE_GROUP' -or $missing -contains 'AZURE_CONTAINER_REGISTRY_ENDPOINT') {
            $hint = " AZURE_RESOURCE_GROUP and AZURE_CONTAINER_REGISTRY_ENDPOINT can also come from the azd environment ('azd up' or 'azd env refresh' writes them; azd must be on PATH)."
        }
        Stop-Rollout 2 "missing required setting(s): $($missing -join ', '). Set them in the environment (see 'pwsh deploy/rollout.ps1 help').$hint"
    }
    $script:App = Get-Setting 'AZURE_CONTAINER_APP' 'mcp'
    Assert-Tool 'az' "install the Azure CLI and run 'az login'"
}

function Get-Revisions {
    $json = Invoke-Az @('containerapp', 'revision', 'list', '-g', $script:RG, '-n', $script:App, '-o', 'json')
    return @(ConvertFrom-AzJson $json 'the revision list')
}

# Sends 100% of the traffic to $Name; $true when az did.
function Set-Traffic([string]$Name) {
    $null = & az containerapp ingress traffic set -g $script:RG -n $script:App --revision-weight "$Name=100"
    return $LASTEXITCODE -eq 0
}

# Sends 100% of the traffic to $Name; stops with $Failure if that fails.
function Invoke-PromoteRevision([string]$Name, [string]$Failure) {
    if (-not (Set-Traffic $Name)) { Stop-Rollout 1 $Failure }
    Write-Line "Promoted $Name"
}

# The revision taking traffic now (the largest weight). A "latestRevision" entry is resolved to the app's latest ready
# revision, which is where ACA sends that traffic.
function Get-CurrentTrafficRevision {
    $json = Invoke-Az @('containerapp', 'ingress', 'traffic', 'show', '-g', $script:RG, '-n', $script:App, '-o', 'json')
    $taking = @(@(ConvertFrom-AzJson $json 'the traffic') | Where-Object { (Get-Weight (Get-Field $_ 'weight')) -gt 0 })
    if ($taking.Count -eq 0) {
        Stop-Rollout 1 "no revision of $($script:App) takes traffic, so there would be nothing to fall back to; give one revision the traffic first ('promote REVISION')"
    }
    if ($taking.Count -gt 1) {
        $split = ($taking | ForEach-Object {
                $n = Get-Field $_ 'revisionName'; if (-not $n) { $n = 'latest' }; "$n=$(Get-Weight (Get-Field $_ 'weight'))"
            }) -join ', '
        Write-Warn "traffic is split: $split"
    }
    $top = $taking | Sort-Object -Property @{ Expression = { Get-Weight (Get-Field $_ 'weight') } } -Descending -Stable | Select-Object -First 1
    $name = [string](Get-Field $top 'revisionName')
    if (-not $name -and (Get-Field $top 'latestRevision') -eq $true) {
        $name = Invoke-Az @('containerapp', 'show', '-g', $script:RG, '-n', $script:App, '--query', 'properties.latestReadyRevisionName', '-o', 'tsv')
    }
    if (-not $name) { Stop-Rollout 1 "could not tell which revision of $($script:App) takes traffic" }
    return $name
}

# PRYNAI_READY_TIMEOUT and PRYNAI_READY_INTERVAL in seconds; read before anything is deployed, so that a typo stops
# the script before a revision exists.
function Read-ReadinessSettings {
    $timeout = Get-Setting 'PRYNAI_READY_TIMEOUT' '600'
    $interval = Get-Setting 'PRYNAI_READY_INTERVAL' '10'
    if ($timeout -notmatch '^[0-9]+$' -or $interval -notmatch '^[0-9]+$') {
        Stop-Rollout 2 'PRYNAI_READY_TIMEOUT and PRYNAI_READY_INTERVAL must be whole numbers of seconds'
    }
    $script:ReadyTimeout = [double]$timeout
    $script:ReadyInterval = [double]$interval
}

# Waits until the revision is provisioned; $false if it failed or the wait timed out.
function Wait-RevisionReady([string]$Name) {
    $timeout = $script:ReadyTimeout
    $clock = [Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        # '-' stands for a state that could not be read (yet).
        $provisioning = '-'; $health = '-'; $running = '-'
        $output = & az containerapp revision show -g $script:RG -n $script:App --revision $Name -o json
        if ($LASTEXITCODE -eq 0) {
            try {
                $state = ConvertFrom-Json -InputObject ((@($output) -join "`n"))
                $provisioning = Get-StateText $state 'provisioningState'
                $health = Get-StateText $state 'healthState'
                $running = Get-StateText $state 'runningState'
            }
            catch {
                Write-Warn "could not read the state of $Name; retrying"
            }
        }
        if ($provisioning -eq 'failed' -or $provisioning -like 'deprovision*' -or $running -eq 'failed') {
            Write-Line "Revision $Name failed to start (provisioning: $provisioning, running: $running)."
            return $false
        }
        if ($provisioning -eq 'provisioned' -and $health -ne 'unhealthy') {
            Write-Line "Revision $Name is provisioned (health: $health, running: $running)."
            return $true
        }
        if ($clock.Elapsed.TotalSeconds -ge $timeout) {
            Write-Line "Revision $Name was not ready after $($timeout)s (provisioning: $provisioning, health: $health)."
            return $false
        }
        Start-Sleep -Seconds $script:ReadyInterval
    }
}

# The revision stays at 0% traffic; deactivating it frees its replicas and keeps it out of rollback's choices.
function Stop-FailedRollout([string]$Name, [string]$Previous, [string]$Reason) {
    Write-Line "ROLLOUT FAILED: $Reason."
    Write-Line "Traffic was NOT moved: 100% stays on $Previous."
    Write-Line "Deactivating the failed revision $Name."
    $null = & az containerapp revision deactivate -g $script:RG -n $script:App --revision $Name
    if ($LASTEXITCODE -ne 0) { Write-Warn "could not deactivate $Name; it has 0% traffic, deactivate it by hand" }
    Stop-Rollout 1 "rollout of $Name failed; traffic stays on $Previous"
}
