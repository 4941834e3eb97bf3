using System.Diagnostics;
using System.Text;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Deployment;

/// <summary>
/// Runs deploy/rollout.ps1 (and the other PowerShell scripts of deploy/) under PowerShell 7 with fake <c>az</c>,
/// <c>azd</c>, <c>dotnet</c>, <c>git</c> and smoke client (Deployment/fakes) first on PATH. Each fake appends its
/// arguments to a log as one line and answers from files this harness writes into its temp directory, so a test sets
/// the canned answers, runs the script and reads back the exact calls it made. The fake azd starts with an empty
/// environment, so a setting missing from the process environment stays missing unless a test gives azd a value.
/// pwsh comes from PATH, else from <see cref="PowerShellTool"/> (installed into .tools/ once).
/// </summary>
public sealed class RolloutHarness : IDisposable
{
    /// <summary>The first line of the rollout script's usage text.</summary>
    public const string UsageLine = "Usage: pwsh deploy/rollout.ps1 COMMAND [ARGS]";

    public const string ResourceGroup = "rg-prynai";
    public const string Registry = "prynaiacr.azurecr.io";
    public const string ClientSecret = "entra-client-secret-must-never-be-printed";
    public const string RegistryToken = "eyJhbGciOiJSUzI1NiJ9.registry-token-must-never-be-printed.c2ln";
    public const string NewRevisionFqdn = "mcp--abc1234.happy-sea-1234.eastus.azurecontainerapps.io";

    /// <summary>The calls of a rollout (or stage) up to and including the smoke test, with the tag from git.</summary>
    public static string[] CallsUntilSmoke(string previous, string rg = ResourceGroup, string registry = Registry) =>
    [
        "git rev-parse --short HEAD",
        $"az containerapp revision set-mode -g {rg} -n mcp --mode multiple",
        $"az containerapp ingress traffic show -g {rg} -n mcp -o json",
        $"az containerapp ingress traffic set -g {rg} -n mcp --revision-weight {previous}=100",
        $"az acr login --name {registry.Split('.')[0]} --expose-token --query accessToken -o tsv",
        $"dotnet publish McpServer/McpServer.csproj -c Release --os linux --arch x64 -t:PublishContainer -p:ContainerRegistry={registry} -p:ContainerRepository=prynai-mcp -p:ContainerImageTags=abc1234",
        $"az containerapp update -g {rg} -n mcp --image {registry}/prynai-mcp:abc1234 --revision-suffix abc1234 -o json",
        $"az containerapp revision show -g {rg} -n mcp --revision mcp--abc1234 --query properties.fqdn -o tsv",
        $"az containerapp revision show -g {rg} -n mcp --revision mcp--abc1234 -o json",
        $"smoke-client smoke --url https://{NewRevisionFqdn}/mcp --auth entra",
    ];

    /// <summary>Asserts the run printed neither the client secret nor the registry token the fakes hand out.</summary>
    public static void AssertNoSecretPrinted(Result result)
    {
        Assert.DoesNotContain(ClientSecret, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(RegistryToken, result.Output, StringComparison.Ordinal);
    }

    /// <summary>Settings that would change what the script does if they leaked in from the machine running the tests.</summary>
    private static readonly string[] InheritedSettingPrefixes =
        ["AZURE_", "ENV_AZURE_", "AZD_", "ENTRA_", "SERVER_APP_ID_URI", "TAG", "IMAGE_NAME", "PRYNAI_", "DOTNET_CONTAINER_REGISTRY_", "GITHUB_"];

    private readonly string _bin;
    private readonly string _log;

    public RolloutHarness()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"prynai-rollout-{Guid.NewGuid():N}");
        _bin = Path.Combine(Directory, "bin");
        System.IO.Directory.CreateDirectory(_bin);
        _log = Path.Combine(Directory, "calls.log");
        File.WriteAllText(_log, "");
        foreach (var fake in System.IO.Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "Tests", "Prynai.Tests", "Deployment", "fakes")))
        {
            var target = Path.Combine(_bin, Path.GetFileName(fake));
            File.Copy(fake, target);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        // Canned answers for a healthy app whose traffic is all on mcp--old1.
        Write("traffic.json", """[{"revisionName":"mcp--old1","weight":100,"latestRevision":false}]""");
        Write("token.txt", RegistryToken + "\n");
        Write("fqdn.txt", NewRevisionFqdn + "\n");
        Write("revision.json", """
            {"name":"mcp--abc1234","properties":{"active":true,"provisioningState":"Provisioned","healthState":"Healthy","runningState":"Running"}}
            """);

        Environment = new Dictionary<string, string?>
        {
            ["AZURE_RESOURCE_GROUP"] = ResourceGroup,
            ["AZURE_CONTAINER_REGISTRY_ENDPOINT"] = Registry,
            ["ENTRA_TENANT_ID"] = "11111111-2222-3333-4444-555555555555",
            ["ENTRA_CLIENT_ID"] = "66666666-7777-8888-9999-000000000000",
            ["ENTRA_CLIENT_SECRET"] = ClientSecret,
            ["SERVER_APP_ID_URI"] = "api://prynai-server",
            ["PRYNAI_SMOKE_COMMAND"] = Path.Combine(_bin, "smoke-client"),
            ["PRYNAI_READY_INTERVAL"] = "0",
        };
    }

    public string Directory { get; }

    /// <summary>The folder of the fakes, first on the script's PATH.</summary>
    public string FakesDirectory => _bin;

    /// <summary>The script's settings; a null value removes the variable.</summary>
    public Dictionary<string, string?> Environment { get; }

    public void Write(string cannedFile, string content) => File.WriteAllText(Path.Combine(Directory, cannedFile), content);

    /// <summary>Gives the fake azd's environment a value: what <c>azd env get-value NAME</c> prints after <c>azd up</c>.</summary>
    public void WriteAzdValue(string name, string value)
    {
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "azd-env"));
        Write(Path.Combine("azd-env", name), value + "\n");
    }

    public string Read(string file) => File.ReadAllText(Path.Combine(Directory, file));

    public bool Exists(string file) => File.Exists(Path.Combine(Directory, file));

    /// <summary>Runs deploy/rollout.ps1 with <paramref name="arguments"/>.</summary>
    public Task<Result> RunAsync(params string[] arguments) =>
        RunPowerShellAsync(Path.Combine(RepositoryPaths.Root, "deploy", "rollout.ps1"), arguments);

    /// <summary>Runs the PowerShell script <paramref name="scriptPath"/> with the same fakes and settings.</summary>
    public async Task<Result> RunPowerShellAsync(string scriptPath, params string[] arguments)
    {
        var pwsh = PwshCommand(await PowerShellTool.EnsureAsync());
        return await RunProgramAsync(pwsh[0], [.. pwsh[1..], "-NoProfile", "-NonInteractive", "-File", scriptPath, .. arguments]);
    }

    public async Task<Result> RunProgramAsync(string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Directory,
        };
        foreach (var key in start.Environment.Keys.Where(k => InheritedSettingPrefixes.Any(prefix => k.StartsWith(prefix, StringComparison.Ordinal))).ToList())
        {
            start.Environment.Remove(key);
        }
        start.Environment["PATH"] = _bin + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH");
        start.Environment["FAKE_LOG"] = _log;
        start.Environment["FAKE_DIR"] = Directory;
        start.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
        start.Environment["POWERSHELL_UPDATECHECK"] = "Off";
        foreach (var (key, value) in ShortLivedDotnet.Environment)
        {
            start.Environment[key] = value;
        }
        foreach (var (key, value) in Environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish:\n{stdout}\n{stderr}");
        }
        process.WaitForExit();
        var calls = File.ReadAllLines(_log);
        File.WriteAllText(_log, "");
        return new Result(process.ExitCode, stdout.ToString(), stderr.ToString(), calls);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A fake may still hold a file for a moment; the temp folder is cleaned eventually.
        }
    }

    /// <summary>
    /// pwsh itself; for the PowerShell .NET tool, the real dotnet with the tool's pwsh.dll: the tool's shim starts
    /// <c>dotnet pwsh.dll</c> through PATH, where the tests put their fake dotnet first.
    /// </summary>
    private static string[] PwshCommand(string pwsh)
    {
        var toolStore = Path.Combine(Path.GetDirectoryName(pwsh)!, ".store", "powershell");
        if (!System.IO.Directory.Exists(toolStore))
        {
            return [pwsh];
        }
        var assembly = System.IO.Directory.EnumerateFiles(toolStore, "pwsh.dll", SearchOption.AllDirectories)
            .FirstOrDefault(path => Path.GetFileName(Path.GetDirectoryName(path)) == (OperatingSystem.IsWindows() ? "win" : "unix"));
        var dotnet = System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : FindOnPath("dotnet");
        return assembly is not null && dotnet is not null ? [dotnet, assembly] : [pwsh];
    }

    private static string? FindOnPath(string program)
    {
        var fileName = OperatingSystem.IsWindows() ? program + ".exe" : program;
        return (System.Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, fileName))
            .FirstOrDefault(File.Exists);
    }

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError, IReadOnlyList<string> Calls)
    {
        public string Output => StandardOutput + StandardError;

        public override string ToString() =>
            $"exit {ExitCode}\n--- calls\n{string.Join('\n', Calls)}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
    }
}
