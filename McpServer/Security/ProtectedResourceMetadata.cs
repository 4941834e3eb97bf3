using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Prynai.McpServer.Transport;

namespace Prynai.McpServer.Security;

/// <summary>
/// OAuth 2.0 Protected Resource Metadata (RFC 9728) at <c>/.well-known/oauth-protected-resource</c> and
/// <c>…/mcp</c>: tells a client which authorization server issues tokens for this server and which scopes to ask for.
/// URLs are built from the request, so behind a proxy they follow the forwarded scheme and host once the
/// forwarded-headers middleware trusts that proxy. Served only when there is an authorization server to name: without
/// one (authentication off, or only Development's user-jwts keys) the paths answer 404, so a client such as mcp-remote
/// does not start an OAuth discovery against a server that needs none, and challenges carry no <c>resource_metadata</c>.
/// </summary>
internal static class ProtectedResourceMetadata
{
    public const string Path = "/.well-known/oauth-protected-resource";

    public static string MetadataUrl(HttpRequest request) => $"{BaseUrl(request)}{Path}{McpPath(request)}";

    /// <summary>Whether the metadata is served: an authorization server issues this server's tokens.</summary>
    public static bool IsServed(AuthOptions auth) => auth.EffectiveAuthority is not null;

    public static string ResourceUrl(HttpRequest request) => $"{BaseUrl(request)}{McpPath(request)}";

    public static IEndpointConventionBuilder MapProtectedResourceMetadata(this IEndpointRouteBuilder endpoints)
    {
        var mcpPath = endpoints.ServiceProvider.GetRequiredService<IOptions<McpTransportOptions>>().Value.Path;
        var group = endpoints.MapGroup("");
        if (!IsServed(endpoints.ServiceProvider.GetRequiredService<IOptions<AuthOptions>>().Value))
        {
            return group;
        }
        group.MapGet(Path, Describe);
        group.MapGet(Path + mcpPath, Describe);
        return group.AllowAnonymous();
    }

    private static IResult Describe(HttpContext context, IOptions<AuthOptions> options, IOptions<SignIn.SignInOptions> signIn)
    {
        var auth = options.Value;
        // With sign-in on, this server is the authorization server clients talk to (it signs them in at the issuer).
        var document = new MetadataDocument(
            ResourceUrl(context.Request),
            signIn.Value.Enabled ? [SignIn.SignInUrls.Issuer(context.Request)] : [auth.EffectiveAuthority!],
            auth.AdvertisedScopes,
            ["header"],
            "Prynai MCP");
        context.Response.Headers.CacheControl = "public, max-age=300";
        return Results.Json(document, MetadataJson.Default.MetadataDocument);
    }

    private static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    private static string McpPath(HttpRequest request) =>
        request.HttpContext.RequestServices.GetRequiredService<IOptions<McpTransportOptions>>().Value.Path;

    internal sealed record MetadataDocument(
        [property: JsonPropertyName("resource")] string Resource,
        [property: JsonPropertyName("authorization_servers")] IReadOnlyList<string> AuthorizationServers,
        [property: JsonPropertyName("scopes_supported")] IReadOnlyList<string> ScopesSupported,
        [property: JsonPropertyName("bearer_methods_supported")] IReadOnlyList<string> BearerMethodsSupported,
        [property: JsonPropertyName("resource_name")] string ResourceName);
}

[JsonSerializable(typeof(ProtectedResourceMetadata.MetadataDocument))]
internal sealed partial class MetadataJson : JsonSerializerContext;
