namespace Prynai.Bench;

/// <summary>
/// The <c>tools/call add</c> scenarios: (a) Prynai stateless 2026-07-28, (b) Prynai 2025-11-25 sessions, both with
/// authentication off and on; (d) the same call against the C# SDK's own transport (<c>MapMcp()</c> serving Prynai's
/// tools), the TypeScript SDK and a raw ASP.NET Core endpoint.
/// </summary>
internal sealed class AddScenarios(Targets targets, LoadMeasurement measure, BenchResults results, BenchSettings settings, TextWriter progress)
{
    public const string Prynai = "Prynai";
    public const string TypeScript = "TS SDK 1.32.2";
    public const string MapMcp = "MapMcp (C# SDK 2.4.0)";
    public const string Raw = "raw ASP.NET Core";
    public const string StatelessCase = "stateless";
    public const string SignInTokenCase = "stateless, sign-in token";
    public const string EntraTokenSignInOnCase = "stateless, Entra-shaped token, sign-in on";
    public const string OneSession = "1 session";
    public static readonly string ManySessions = $"{BenchSettings.ManySessions} sessions";

    /// <summary>(a) and/or (b) on a Prynai server with authentication off, then on one with it on.</summary>
    public async Task RunPrynaiAsync(Func<CancellationToken, Task<TestOidcIssuer>> issuer, CancellationToken cancellationToken)
    {
        foreach (var auth in new[] { false, true })
        {
            string? token = null;
            var mode = new PrynaiMode();
            if (auth)
            {
                var local = await issuer(cancellationToken);
                token = PrynaiMode.MintToken(local);
                mode = new PrynaiMode(local);
            }
            progress.WriteLine($"Prynai, {mode.Label}");
            await using var server = await targets.StartPrynaiAsync(mode, cancellationToken);
            if (auth)
            {
                await EnsureAuthenticationRequiredAsync(server, cancellationToken);
            }
            // A fresh server compiles its hot paths to optimized code during its first seconds of load; prime both
            // request kinds once so the first measured run does not pay for the whole process's warm-up.
            await measure.PrimeAsync(server, McpRequests.StatelessAdd(token), cancellationToken);
            if (settings.Runs(Scenario.Stateless))
            {
                results.Add(await measure.ForDurationAsync(new("a", Prynai, StatelessCase, McpRequests.Stateless, auth), server, McpRequests.StatelessAdd(token), cancellationToken));
            }
            if (settings.Runs(Scenario.Sessions))
            {
                await RunSessionsAsync("b", Prynai, server, token, auth, cancellationToken);
            }
        }
    }

    /// <summary>
    /// (a) with sign-in on (Auth:SignIn): the same stateless add with one of Prynai's own sign-in tokens, and with an
    /// Entra-shaped token on that server (both issuers accepted side by side).
    /// </summary>
    public async Task RunSignInAsync(Func<CancellationToken, Task<SignInIssuer>> issuer, CancellationToken cancellationToken)
    {
        if (!settings.Runs(Scenario.Stateless))
        {
            return;
        }
        var signIn = await issuer(cancellationToken);
        var mode = new PrynaiMode(SignIn: signIn);
        progress.WriteLine($"Prynai, {mode.Label}");
        await using var server = await targets.StartPrynaiAsync(mode, cancellationToken);
        await EnsureAuthenticationRequiredAsync(server, cancellationToken);
        var baseUrl = server.McpEndpoint.GetLeftPart(UriPartial.Authority);
        foreach (var (@case, token) in new[] { (SignInTokenCase, signIn.MintSignIn(baseUrl)), (EntraTokenSignInOnCase, signIn.MintEntraShaped()) })
        {
            await measure.PrimeAsync(server, McpRequests.StatelessAdd(token), cancellationToken);
            results.Add(await measure.ForDurationAsync(new("a", Prynai, @case, McpRequests.Stateless, Auth: true), server, McpRequests.StatelessAdd(token), cancellationToken));
        }
    }

    /// <summary>(d) MapMcp and the TypeScript SDK (each stateless, then sessions) and the raw endpoint, without authentication.</summary>
    public async Task RunReferencesAsync(CancellationToken cancellationToken)
    {
        progress.WriteLine("MapMcp (C# SDK), stateless and sessions");
        await using (var mapMcp = await targets.StartMapMcpAsync(cancellationToken))
        {
            await measure.PrimeAsync(mapMcp, McpRequests.StatelessAdd(null), cancellationToken);
            results.Add(await measure.ForDurationAsync(new("d", MapMcp, StatelessCase, McpRequests.Stateless), mapMcp, McpRequests.StatelessAdd(null), cancellationToken));
            await RunSessionsAsync("d", MapMcp, mapMcp, token: null, auth: false, cancellationToken);
        }

        progress.WriteLine("TypeScript SDK, stateless");
        await using (var stateless = await targets.StartTypeScriptAsync(stateless: true, cancellationToken))
        {
            // The SDK speaks up to 2025-11-25: its stateless form is that request without a session.
            results.Add(await measure.ForDurationAsync(new("d", TypeScript, StatelessCase, McpRequests.Legacy), stateless, McpRequests.LegacyAdd([], null), cancellationToken));
        }

        progress.WriteLine("TypeScript SDK, sessions");
        await using (var sessions = await targets.StartTypeScriptAsync(stateless: false, cancellationToken))
        {
            await RunSessionsAsync("d", TypeScript, sessions, token: null, auth: false, cancellationToken);
        }

        progress.WriteLine("raw ASP.NET Core");
        await using (var raw = await targets.StartRawAsync(cancellationToken))
        {
            results.Add(await measure.ForDurationAsync(new("d", Raw, StatelessCase, "fixed bytes"), raw, McpRequests.StatelessAdd(null), cancellationToken));
        }
    }

    /// <summary>
    /// Prynai's throughput over each reference's for the same case (auth off), and auth on over auth off for each of
    /// Prynai's cases; the value is null when either side was not measured.
    /// </summary>
    public static IEnumerable<Ratio> Ratios(BenchResults results)
    {
        Ratio Of(string name, string scenario, string @case, string reference, string referenceCase, bool auth = false)
        {
            var prynai = results.Find(scenario, Prynai, @case, auth);
            var other = results.Find("d", reference, referenceCase);
            var value = prynai is not null && other is not null && other.Load.RequestsPerSecond > 0
                ? prynai.Load.RequestsPerSecond / other.Load.RequestsPerSecond
                : (double?)null;
            return new Ratio(name, prynai?.Name ?? $"{Prynai} {@case} (not run)", other?.Name ?? $"{reference} {referenceCase} (not run)", value);
        }

        // The ratio that keeps the decision to run our own transport honest (docs/architecture.md, "Our own Streamable
        // HTTP transport, not MapMcp").
        yield return Of("Prynai/MapMcp stateless", "a", StatelessCase, MapMcp, StatelessCase);
        yield return Of("Prynai/MapMcp 1 session", "b", OneSession, MapMcp, OneSession);
        yield return Of($"Prynai/MapMcp {ManySessions}", "b", ManySessions, MapMcp, ManySessions);
        yield return Of("Prynai/TS stateless", "a", StatelessCase, TypeScript, StatelessCase);
        yield return Of("Prynai/TS 1 session", "b", OneSession, TypeScript, OneSession);
        yield return Of($"Prynai/TS {ManySessions}", "b", ManySessions, TypeScript, ManySessions);
        yield return Of("Prynai/raw stateless", "a", StatelessCase, Raw, StatelessCase);

        // What authentication costs: the same case with auth on over auth off.
        foreach (var (scenario, @case) in new[] { ("a", StatelessCase), ("b", OneSession), ("b", ManySessions) })
        {
            var off = results.Find(scenario, Prynai, @case);
            var on = results.Find(scenario, Prynai, @case, auth: true);
            yield return new Ratio($"Prynai auth on/off {@case}", on?.Name ?? $"{Prynai} {@case}, auth on (not run)", off?.Name ?? $"{Prynai} {@case}, auth off (not run)",
                on is not null && off is not null && off.Load.RequestsPerSecond > 0 ? on.Load.RequestsPerSecond / off.Load.RequestsPerSecond : null);
        }
        // What sign-in costs the resource side: its own tokens, and Entra's on the same server, over auth off.
        var statelessOff = results.Find("a", Prynai, StatelessCase);
        foreach (var @case in new[] { SignInTokenCase, EntraTokenSignInOnCase })
        {
            var on = results.Find("a", Prynai, @case, auth: true);
            yield return new Ratio($"Prynai auth on/off {@case}", on?.Name ?? $"{Prynai} {@case}, auth on (not run)", statelessOff?.Name ?? $"{Prynai} {StatelessCase}, auth off (not run)",
                on is not null && statelessOff is not null && statelessOff.Load.RequestsPerSecond > 0 ? on.Load.RequestsPerSecond / statelessOff.Load.RequestsPerSecond : null);
        }
    }

    /// <summary>An auth-on run measures nothing unless the server really refuses a request without a token.</summary>
    private static async Task EnsureAuthenticationRequiredAsync(ServerProcess server, CancellationToken cancellationToken)
    {
        using var anonymous = new McpSetupClient(server.McpEndpoint, token: null);
        var status = await anonymous.StatusWithoutTokenAsync(cancellationToken);
        if (status != System.Net.HttpStatusCode.Unauthorized)
        {
            throw new InvalidOperationException($"{server.Name} answered HTTP {(int)status} to a request without a token; expected 401.");
        }
    }

    /// <summary>One session, then <see cref="BenchSettings.ManySessions"/>, opened first with HttpClient; wrk cycles over them.</summary>
    private async Task RunSessionsAsync(string scenario, string target, ServerProcess server, string? token, bool auth, CancellationToken cancellationToken)
    {
        using var setup = new McpSetupClient(server.McpEndpoint, token);
        foreach (var (count, @case) in new[] { (1, OneSession), (BenchSettings.ManySessions, ManySessions) })
        {
            var (sessions, failed, firstError) = await setup.OpenSessionsAsync(count, BenchSettings.OpenParallelism, cancellationToken);
            if (failed > 0)
            {
                server.EnsureRunning();
                results.Failures.Add($"{scenario} {target}, {@case}: {failed} of {count} sessions did not open ({firstError})");
                continue;
            }
            results.Add(await measure.ForDurationAsync(new(scenario, target, @case, McpRequests.Legacy, auth), server, McpRequests.LegacyAdd(sessions, token), cancellationToken));
        }
    }
}
