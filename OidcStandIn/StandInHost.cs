using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Prynai.OidcStandIn;

/// <summary>
/// The stand-in on loopback Kestrel, over HTTPS with a certificate it makes at start (MSAL, which Prynai's sign-in
/// uses for the upstream leg, talks to HTTPS authorities only) and over HTTP for anything that only reads metadata.
/// Tests start it in process; <c>dotnet run --project OidcStandIn</c> (and the AppHost) start it as a program.
/// </summary>
public sealed class StandInHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StandInHost(WebApplication app, StandInAuthority authority, X509Certificate2 certificate)
    {
        _app = app;
        Authority = authority;
        Certificate = certificate;
    }

    public StandInAuthority Authority { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>The issuer, as Entra's v2 issuer is shaped: <c>https://127.0.0.1:port/{tenant}/v2.0</c>.</summary>
    public string Issuer => Authority.Issuer;

    public string HttpBase { get; private set; } = "";

    /// <summary>
    /// Starts it. <paramref name="httpsPort"/> and <paramref name="httpPort"/> 0 pick free ports; with <paramref name="args"/>
    /// (a program's command line) the configuration's <c>StandIn</c> section is bound over <paramref name="options"/>.
    /// </summary>
    public static async Task<StandInHost> StartAsync(StandInOptions options, int httpsPort = 0, int httpPort = 0, string[]? args = null, CancellationToken cancellationToken = default)
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (args is not null)
        {
            builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "standin.json"), optional: true);
            builder.Configuration.AddEnvironmentVariables().AddCommandLine(args);
            builder.Configuration.GetSection(StandInOptions.SectionName).Bind(options);
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, httpsPort, listen => listen.UseHttps(certificate));
            kestrel.Listen(IPAddress.Loopback, httpPort);
        });
        var app = builder.Build();
        var authority = new StandInAuthority(options, TimeProvider.System);
        app.MapStandIn(authority);
        await app.StartAsync(cancellationToken);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        authority.HttpsBase = addresses.First(a => a.StartsWith("https:", StringComparison.Ordinal)).Replace("[::1]", "127.0.0.1").TrimEnd('/');
        var host = new StandInHost(app, authority, certificate)
        {
            HttpBase = addresses.First(a => a.StartsWith("http:", StringComparison.Ordinal)).Replace("[::1]", "127.0.0.1").TrimEnd('/'),
        };
        if (options.CertificatePath is { Length: > 0 } path)
        {
            host.ExportCertificate(path);
        }
        return host;
    }

    /// <summary>Writes the HTTPS certificate as PEM, for a relying party to trust (Prynai: <c>Auth:TrustedLoopbackCertificate</c>).</summary>
    public string ExportCertificate(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, Certificate.ExportCertificatePem());
        return path;
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    private static X509Certificate2 CreateCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Prynai OIDC stand-in", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Certificate.Dispose();
    }
}
