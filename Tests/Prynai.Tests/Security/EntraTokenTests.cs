using System.Net;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Identity.Web;
using Prynai.McpServer.Security;
using Prynai.McpServer.Security.Authentication;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Security;

/// <summary>
/// The production Entra configuration — a tenant and audiences, no authority — with login.microsoftonline.com answered
/// in process (<see cref="EntraMetadataHandler"/>): JwtBearer fetches the tenant's keys and Identity.Web's issuer
/// validator the tenant's v2 and v1 issuers, exactly as they would from Entra.
/// </summary>
public sealed class EntraTokenTests(IssuerFixture fixture) : IClassFixture<IssuerFixture>
{
    private const string MetadataClient = "entra-in-process";

    [Fact]
    public async Task TenantsV1AndV2Tokens_AreAccepted_AndOtherIssuersRefused()
    {
        // Identity.Web keeps one issuer validator per authority for the process: a tenant of this test's own.
        var tenant = Guid.NewGuid().ToString();
        var other = Guid.NewGuid().ToString();
        var entra = new EntraMetadataHandler(fixture.Issuer);
        using var server = Server(entra, new() { ["Auth:TenantId"] = tenant });

        using var v2 = await SendAsync(server, Mint(EntraMetadataHandler.V2Issuer(tenant), tenant, TestOidcIssuer.AudienceGuid));
        using var v1 = await SendAsync(server, Mint(EntraMetadataHandler.V1Issuer(tenant), tenant, TestOidcIssuer.Audience));
        using var otherTenant = await SendAsync(server, Mint(EntraMetadataHandler.V2Issuer(other), other, TestOidcIssuer.AudienceGuid));
        using var otherCloud = await SendAsync(server, Mint($"https://login.example.com/{tenant}/v2.0", tenant, TestOidcIssuer.AudienceGuid));

        Assert.Equal(HttpStatusCode.OK, v2.StatusCode);
        Assert.Equal(HttpStatusCode.OK, v1.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherTenant.StatusCode);
        Assert.Contains("error_description=\"The token's issuer is not trusted.\"", otherTenant.Headers.WwwAuthenticate.Single().Parameter);
        Assert.Equal(HttpStatusCode.Unauthorized, otherCloud.StatusCode);
        // The keys came from the tenant's discovery document, the issuers from Identity.Web asking for both versions.
        Assert.Contains($"/{tenant}/v2.0/.well-known/openid-configuration", entra.Requests);
        Assert.Contains($"/{tenant}/discovery/v2.0/keys", entra.Requests);
        Assert.Contains($"/{tenant}/.well-known/openid-configuration", entra.Requests);
    }

    [Fact]
    public async Task MultiTenantApp_AcceptsAllowedTenantsOnly()
    {
        var allowed = Guid.NewGuid().ToString();
        var stranger = Guid.NewGuid().ToString();
        var entra = new EntraMetadataHandler(fixture.Issuer);
        using var server = Server(entra, new() { ["Auth:TenantId"] = "organizations", ["Auth:AllowedTenants:0"] = allowed });

        using var fromAllowed = await SendAsync(server, Mint(EntraMetadataHandler.V2Issuer(allowed), allowed, TestOidcIssuer.AudienceGuid));
        using var fromAllowedV1 = await SendAsync(server, Mint(EntraMetadataHandler.V1Issuer(allowed), allowed, TestOidcIssuer.Audience));
        using var fromStranger = await SendAsync(server, Mint(EntraMetadataHandler.V2Issuer(stranger), stranger, TestOidcIssuer.AudienceGuid));
        using var issuerOfAnotherTenant = await SendAsync(server, Mint(EntraMetadataHandler.V2Issuer(stranger), allowed, TestOidcIssuer.AudienceGuid));

        Assert.Equal(HttpStatusCode.OK, fromAllowed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromAllowedV1.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, fromStranger.StatusCode);
        Assert.Contains("error_description=\"The token's tenant is not allowed.\"", fromStranger.Headers.WwwAuthenticate.Single().Parameter);
        Assert.Equal(HttpStatusCode.Unauthorized, issuerOfAnotherTenant.StatusCode);
    }

    /// <summary>Production, Entra by tenant, both audiences; login.microsoftonline.com answered by <paramref name="entra"/>.</summary>
    private static PrynaiServerFactory Server(EntraMetadataHandler entra, Dictionary<string, string?> settings)
    {
        settings["Auth:Audiences:0"] = TestOidcIssuer.AudienceGuid;
        settings["Auth:Audiences:1"] = TestOidcIssuer.Audience;
        return new PrynaiServerFactory(settings, environment: "Production", configureServices: services =>
        {
            services.Configure<JwtBearerOptions>(IdentityWebBearer.Scheme, jwt => jwt.BackchannelHttpHandler = entra);
            services.AddHttpClient(MetadataClient).ConfigurePrimaryHttpMessageHandler(() => entra).SetHandlerLifetime(Timeout.InfiniteTimeSpan);
            services.Configure<AadIssuerValidatorOptions>(options => options.HttpClientName = MetadataClient);
        });
    }

    private string Mint(string issuer, string tenant, string audience) =>
        fixture.Issuer.Mint(issuer: issuer, tenantId: tenant, audience: audience, roles: ["MCP.Access"]);

    private static Task<HttpResponseMessage> SendAsync(PrynaiServerFactory server, string token) => StatelessCalls.ListToolsAsync(server, token);
}
