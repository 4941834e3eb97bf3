using System.Diagnostics;

namespace Prynai.Bench;

/// <summary>How Prynai runs for a scenario: with or without authentication, on SQLite or on a Redis.</summary>
internal sealed record PrynaiMode(TestOidcIssuer? Issuer = null, string? RedisConnection = null, TimeSpan? SessionParkAfter = null, SignInIssuer? SignIn = null)
{
    public bool Auth => Issuer is not null || SignIn is not null;

    public string Label => (SignIn is not null ? "auth on, sign-in on" : Auth ? "auth on" : "auth off") + (RedisConnection is null ? "" : ", redis");

    /// <summary>The audience of the auth-on runs' tokens.</summary>
    public const string Audience = "api://prynai-bench";

    /// <summary>The app role Prynai requires of them.</summary>
    public const string Role = "MCP.Access";

    /// <summary>An access token of the auth-on runs' issuer as a client-credentials caller holds it: audience, app role, valid for two hours.</summary>
    public static string MintToken(TestOidcIssuer issuer) =>
        issuer.Mint(audience: Audience, roles: [Role], subject: "prynai-bench-client", appId: "prynai-bench", expires: DateTime.UtcNow.AddHours(2));
}

/// <summary>Starts the servers the benchmark compares, each on a free loopback port.</summary>
internal sealed class Targets(BenchPaths paths)
{
    /// <summary>Lines of a server's output kept for error messages.</summary>
    public const int KeptOutputLines = 200;

    /// <summary>
    /// The Release build as deployed (Production, its own appsettings.json), state in a temporary directory, the rate
    /// limiter on but never limiting (its cost is part of what is measured), room for the idle-session scenario.
    /// </summary>
    public Task<ServerProcess> StartPrynaiAsync(PrynaiMode mode, CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var state = Directory.CreateTempSubdirectory("prynai-bench-state-");
        var start = new ProcessStartInfo("dotnet", [paths.PrynaiServer]);
        ConfigurePrynai(start, Path.GetDirectoryName(paths.PrynaiServer)!, mode, port, state.FullName);
        // /healthz answers 200 once the state store is reachable too.
        return ServerProcess.StartAsync($"Prynai ({mode.Label})", start, port, ServerProcess.HttpReady("/healthz"), cancellationToken,
            cleanup: () => state.Delete(recursive: true), keptOutputLines: KeptOutputLines);
    }

    /// <summary>
    /// The settings every Prynai the benchmark starts runs with, whichever build it is (the Release build, or a
    /// published folder for the cold start): <paramref name="contentRoot"/> is where its appsettings.json is.
    /// </summary>
    public static void ConfigurePrynai(ProcessStartInfo start, string contentRoot, PrynaiMode mode, int port, string stateDirectory)
    {
        // The content root, so the build's appsettings.json (Production logging levels) applies.
        start.WorkingDirectory = contentRoot;
        ServerProcess.SetPrynaiEnvironment(start, "http", port, "Production", stateDirectory);
        var environment = start.Environment;
        environment["Security__RateLimit__RequestsPerSecond"] = "1000000";
        environment["Security__RateLimit__Burst"] = "1000000";
        environment["Mcp__MaxSessions"] = "20000";
        if (mode.Issuer is { } issuer)
        {
            environment["Auth__Required"] = "true";
            environment["Auth__Authority"] = issuer.HttpAuthority;
            environment["Auth__RequireHttpsMetadata"] = "false";
            environment["Auth__Audiences__0"] = PrynaiMode.Audience;
            environment["Auth__RequiredAppRoles__0"] = PrynaiMode.Role;
        }
        else if (mode.SignIn is { } signIn)
        {
            environment["Auth__Required"] = "true";
            environment["Auth__Authority"] = signIn.StandIn.Issuer;
            environment["Auth__TrustedLoopbackCertificate"] = signIn.CertificatePath;
            environment["Auth__Audiences__0"] = SignInIssuer.Audience;
            environment["Auth__RequiredAppRoles__0"] = SignInIssuer.Role;
            environment["Auth__SignIn__Enabled"] = "true";
            environment["Auth__SignIn__ClientId"] = "prynai-bench-signin";
            environment["Auth__SignIn__ClientSecret"] = "bench-secret";
            environment["Auth__SignIn__SigningKeys__0"] = signIn.SigningKeyPem;
            environment["Auth__SignIn__EncryptionKeys__0"] = signIn.EncryptionKey;
        }
        else
        {
            environment["Auth__Required"] = "false";
        }
        if (mode.RedisConnection is { } redis)
        {
            environment["ConnectionStrings__cache"] = redis;
        }
        if (mode.SessionParkAfter is { } parkAfter)
        {
            environment["Mcp__SessionParkAfter"] = parkAfter.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// The SDK's own transport (bench/MapMcpHost: Prynai's tools, resources and prompts on <c>MapMcp()</c>), 2026-07-28
    /// stateless and 2025-11-25 sessions on one endpoint, as deployed (Production), state in a temporary directory.
    /// </summary>
    public Task<ServerProcess> StartMapMcpAsync(CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var state = Directory.CreateTempSubdirectory("prynai-bench-mapmcp-");
        var start = new ProcessStartInfo("dotnet", [paths.MapMcpHost]) { WorkingDirectory = Path.GetDirectoryName(paths.MapMcpHost)! };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["State__SqlitePath"] = Path.Combine(state.FullName, "prynai.db");
        start.Environment["Support__SqlitePath"] = Path.Combine(state.FullName, "contoso.db");
        return ServerProcess.StartAsync("MapMcp (SDK)", start, port, ServerProcess.HttpReady("/healthz"), cancellationToken,
            cleanup: () => state.Delete(recursive: true), keptOutputLines: KeptOutputLines);
    }

    /// <summary>The TypeScript SDK reference (bench/reference/ts-server.mjs), stateless or with sessions.</summary>
    public Task<ServerProcess> StartTypeScriptAsync(bool stateless, CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        List<string> arguments = [paths.TypeScriptServer, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (stateless)
        {
            arguments.Add("--stateless");
        }
        var start = new ProcessStartInfo("node", arguments) { WorkingDirectory = Path.Combine(paths.Root, "bench") };
        start.Environment["NODE_ENV"] = "production";
        return ServerProcess.StartAsync($"TS SDK ({(stateless ? "stateless" : "sessions")})", start, port, ServerProcess.HttpReady("/livez"), cancellationToken,
            keptOutputLines: KeptOutputLines);
    }

    /// <summary>The raw ASP.NET Core endpoint (bench/RawEndpoint): the platform's ceiling.</summary>
    public Task<ServerProcess> StartRawAsync(CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var start = new ProcessStartInfo("dotnet", [paths.RawEndpoint]) { WorkingDirectory = Path.GetDirectoryName(paths.RawEndpoint)! };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        return ServerProcess.StartAsync("raw ASP.NET Core", start, port, ServerProcess.HttpReady("/livez"), cancellationToken,
            keptOutputLines: KeptOutputLines);
    }

    /// <summary>A throwaway redis-server (no persistence), or null when redis-server is not installed.</summary>
    public async Task<ServerProcess?> StartRedisAsync(CancellationToken cancellationToken)
    {
        if (FindExecutable("redis-server") is not { } executable)
        {
            return null;
        }
        var port = FreePort.Next();
        var directory = Directory.CreateTempSubdirectory("prynai-bench-redis-");
        var start = new ProcessStartInfo(executable,
            ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", directory.FullName]);
        return await ServerProcess.StartAsync("redis-server", start, port, ServerProcess.RedisReady, cancellationToken,
            () => directory.Delete(recursive: true), keptOutputLines: KeptOutputLines);
    }

    public static string? FindExecutable(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/sbin", "/usr/local/bin"])
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
