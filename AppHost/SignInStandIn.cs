using Microsoft.Extensions.Configuration;

namespace Prynai.AppHost;

/// <summary>
/// F5 with <c>SignInStandIn=true</c> (AppHost configuration, e.g. <c>dotnet run --project AppHost -- --SignInStandIn=true</c>):
/// the local OpenID Connect stand-in (OidcStandIn) plays the Entra tenant, and the server runs with sign-in on against
/// it, so the whole sign-in can be tried from the MCP Inspector without a tenant. Never in a published manifest.
/// </summary>
internal static class SignInStandIn
{
    private const string TenantId = "11111111-2222-3333-4444-555555555555";
    private const int HttpsPort = 5443;

    public static IResourceBuilder<ProjectResource> WithSignInStandIn(this IResourceBuilder<ProjectResource> server)
    {
        var builder = server.ApplicationBuilder;
        if (!builder.ExecutionContext.IsRunMode || !builder.Configuration.GetValue<bool>("SignInStandIn"))
        {
            return server;
        }
        // The stand-in writes its self-signed certificate here at each start; the server trusts exactly it (read on first use).
        var certificate = Path.Combine(Path.GetTempPath(), "prynai-oidc-standin", "standin.pem");
        var standIn = builder.AddProject<Projects.OidcStandIn>("oidc-standin")
            .WithoutDevelopmentCertificate() // it serves HTTPS with its own certificate
            .WithArgs("--https-port", HttpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("StandIn__CertificatePath", certificate);
        return server.WaitFor(standIn)
            .WithEnvironment("Auth__Required", "true")
            .WithEnvironment("Auth__Authority", "https://127.0.0.1:" + HttpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture) + $"/{TenantId}/v2.0")
            .WithEnvironment("Auth__TrustedLoopbackCertificate", certificate)
            .WithEnvironment("Auth__Audiences__0", "api://prynai-dev")
            .WithEnvironment("Auth__SignIn__Enabled", "true")
            .WithEnvironment("Auth__SignIn__ClientId", "prynai-signin-dev")
            .WithEnvironment("Auth__SignIn__ClientSecret", "dev-only-secret");
    }
}
