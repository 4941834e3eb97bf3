using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Prynai.Tests.Infrastructure;

/// <summary>
/// login.microsoftonline.com as a server configured for Entra sees it — each tenant's v2 and v1 discovery documents
/// (issuers <c>https://login.microsoftonline.com/{tid}/v2.0</c> and <c>https://sts.windows.net/{tid}/</c>, templated
/// with <c>{tenantid}</c> for <c>organizations</c>/<c>common</c>) and its signing keys — answered in process from a
/// test issuer's keys. Given to JwtBearer's backchannel and to Identity.Web's issuer validator, it lets a server run the
/// production configuration; nothing leaves the process.
/// </summary>
public sealed class EntraMetadataHandler(TestOidcIssuer keys) : HttpMessageHandler
{
    public const string Host = "login.microsoftonline.com";

    /// <summary>The paths asked for, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static string V2Issuer(string tenant) => $"https://{Host}/{tenant}/v2.0";

    public static string V1Issuer(string tenant) => $"https://sts.windows.net/{tenant}/";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        Requests.Enqueue(uri.AbsolutePath);
        var tenant = uri.AbsolutePath.Trim('/').Split('/')[0];
        var issuerTenant = tenant is "organizations" or "common" ? "{tenantid}" : tenant;
        var body = uri.Scheme != "https" || uri.Host != Host ? null : uri.AbsolutePath[(tenant.Length + 1)..] switch
        {
            "/v2.0/.well-known/openid-configuration" => Discovery(V2Issuer(issuerTenant), $"https://{Host}/{tenant}/discovery/v2.0/keys"),
            "/.well-known/openid-configuration" => Discovery(V1Issuer(issuerTenant), $"https://{Host}/{tenant}/discovery/keys"),
            "/discovery/v2.0/keys" => keys.Jwks(keyIssuer: V2Issuer(issuerTenant)),
            "/discovery/keys" => keys.Jwks(),
            _ => null,
        };
        return Task.FromResult(body is null
            ? new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request }
            : new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }

    private static string Discovery(string issuer, string jwksUri) => new JsonObject
    {
        ["issuer"] = issuer,
        ["jwks_uri"] = jwksUri,
        ["response_types_supported"] = new JsonArray("code", "id_token", "token id_token"),
        ["subject_types_supported"] = new JsonArray("pairwise"),
        ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
    }.ToJsonString();
}
