using Prynai.OidcStandIn;

// A local stand-in for Microsoft Entra ID (dev and tests only): `dotnet run --project OidcStandIn -- --https-port 5443`.
// Settings: the StandIn section (appsettings.json, environment StandIn__Users__0__Id=..., or --StandIn:...).
var httpsPort = PortArgument(args, "--https-port") ?? 5443;
var httpPort = PortArgument(args, "--http-port") ?? 0;
await using var host = await StandInHost.StartAsync(new StandInOptions(), httpsPort, httpPort, args);
Console.WriteLine($"OIDC stand-in: issuer {host.Issuer}");
await host.WaitForShutdownAsync(CancellationToken.None);

static int? PortArgument(string[] args, string name) =>
    Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var port) ? port : null;
