namespace Prynai.OidcStandIn;

/// <summary>
/// A local stand-in for Microsoft Entra ID (dev and tests only): <c>dotnet run --project OidcStandIn -- --https-port 5443</c>.
/// Settings: the StandIn section (standin.json, environment <c>StandIn__Users__0__Id=…</c>, or <c>--StandIn:…</c>).
/// </summary>
internal static class StandInProgram
{
    public static async Task Main(string[] args)
    {
        var httpsPort = PortArgument(args, "--https-port") ?? 5443;
        var httpPort = PortArgument(args, "--http-port") ?? 0;
        await using var host = await StandInHost.StartAsync(new StandInOptions(), httpsPort, httpPort, args);
        Console.WriteLine($"OIDC stand-in: issuer {host.Issuer}");
        await host.WaitForShutdownAsync(CancellationToken.None);
    }

    private static int? PortArgument(string[] args, string name) =>
        Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var port) ? port : null;
}
