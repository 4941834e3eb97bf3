using Microsoft.Extensions.Configuration;

namespace Prynai.AppHost;

/// <summary>
/// The Entra ID settings as AppHost parameters (azd asks for them, or reads <c>AZURE_ENTRA_TENANT_ID</c> and friends).
/// The server gets them under the original system's names (ENTRA_TENANT_ID, ENTRA_AUDIENCES, ...), which it maps onto
/// its <c>Auth</c> section; the smoke client gets client-credentials settings for its token.
/// </summary>
internal sealed record EntraSettings(
    IResourceBuilder<ParameterResource> TenantId,
    IResourceBuilder<ParameterResource> Audiences,
    IResourceBuilder<ParameterResource> RequiredAppRoles,
    IResourceBuilder<ParameterResource> SmokeClientId,
    IResourceBuilder<ParameterResource> SmokeClientSecret,
    IResourceBuilder<ParameterResource> ServerAppIdUri)
{
    /// <summary>
    /// The parameters, always in publish; on F5 only when a tenant is configured (Parameters:entra-tenant-id in user
    /// secrets), so a plain F5 runs the server in Development without a token and asks for nothing.
    /// </summary>
    public static EntraSettings? FromParameters(IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsRunMode && string.IsNullOrEmpty(builder.Configuration["Parameters:entra-tenant-id"]))
        {
            return null;
        }
        return new EntraSettings(
            builder.AddParameter("entra-tenant-id"),
            builder.AddParameter("entra-audiences"),
            builder.AddParameter("entra-required-app-roles", "MCP.Access", publishValueAsDefault: true),
            builder.AddParameter("entra-smoke-client-id"),
            builder.AddParameter("entra-smoke-client-secret", secret: true),
            builder.AddParameter("entra-server-app-id-uri"));
    }
}

internal static class EntraSettingsExtensions
{
    /// <summary>Requires a bearer token on /mcp, validated against the tenant, audiences and app roles.</summary>
    public static IResourceBuilder<ProjectResource> WithEntraAuthentication(this IResourceBuilder<ProjectResource> server, EntraSettings? entra) =>
        entra is null
            ? server
            : server.WithEnvironment("AUTH_REQUIRED", "true")
                .WithEnvironment("ENTRA_TENANT_ID", entra.TenantId)
                .WithEnvironment("ENTRA_AUDIENCES", entra.Audiences)
                .WithEnvironment("ENTRA_REQUIRED_APP_ROLES", entra.RequiredAppRoles);

    /// <summary>
    /// Sign-in for interactive clients (Auth:SignIn), when the AppHost's <c>EnableSignIn</c> is true: the server's own
    /// Entra app (parameter <c>entra-signin-client-id</c>) as the upstream client, its credential the container app's
    /// managed identity (a federated credential; the server reads its client id from AZURE_CLIENT_ID, which the
    /// Container Apps publishing sets), and the keys every replica shares as secret parameters.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithEntraSignIn(this IResourceBuilder<ProjectResource> server, EntraSettings? entra)
    {
        var builder = server.ApplicationBuilder;
        if (entra is null || !builder.Configuration.GetValue<bool>("EnableSignIn"))
        {
            return server;
        }
        return server.WithEnvironment("Auth__SignIn__Enabled", "true")
            .WithEnvironment("Auth__SignIn__ClientId", builder.AddParameter("entra-signin-client-id"))
            .WithEnvironment("Auth__SignIn__SigningKeys__0", builder.AddParameter("signin-signing-key", secret: true))
            .WithEnvironment("Auth__SignIn__EncryptionKeys__0", builder.AddParameter("signin-encryption-key", secret: true))
            // Behind the Container Apps ingress (TLS ends there): the issuer and redirect URIs must be the public https ones.
            .WithEnvironment("Security__ForwardedHeaders__Enabled", "true")
            .WithEnvironment("Security__ForwardedHeaders__TrustAllProxies", "true");
    }

    /// <summary>Makes the smoke client fetch an app-only token (client credentials) for the server's API.</summary>
    public static IResourceBuilder<ProjectResource> WithEntraClientCredentials(this IResourceBuilder<ProjectResource> client, EntraSettings? entra) =>
        entra is null
            ? client
            : client.WithArgs("--auth", "entra")
                .WithEnvironment("ENTRA_TENANT_ID", entra.TenantId)
                .WithEnvironment("ENTRA_CLIENT_ID", entra.SmokeClientId)
                .WithEnvironment("ENTRA_CLIENT_SECRET", entra.SmokeClientSecret)
                .WithEnvironment("SERVER_APP_ID_URI", entra.ServerAppIdUri);
}
