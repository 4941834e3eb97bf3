using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Prynai.OidcStandIn;

/// <summary>
/// Entra's endpoints, shaped as Entra lays them out (<c>/{tenant}/v2.0/.well-known/openid-configuration</c>,
/// <c>/{tenant}/oauth2/v2.0/authorize</c> and <c>token</c>, <c>/{tenant}/discovery/v2.0/keys</c>): authorization code
/// with PKCE (S256 only) for confidential clients, refresh tokens, client credentials. No registration endpoint.
/// </summary>
public static class StandInEndpoints
{
    public const string UserCookie = "standin_user";

    private static readonly string[] OpenIdScopes = ["openid", "profile", "offline_access", "email"];

    public static IEndpointRouteBuilder MapStandIn(this IEndpointRouteBuilder endpoints, StandInAuthority authority)
    {
        var tenant = authority.Options.TenantId;
        endpoints.MapGet($"/{tenant}/v2.0/.well-known/openid-configuration", (HttpContext context) => Results.Text(Discovery(context, authority), "application/json"));
        endpoints.MapGet($"/{tenant}/discovery/v2.0/keys", () => Results.Text(authority.Jwks(), "application/json"));
        endpoints.MapGet($"/{tenant}/oauth2/v2.0/authorize", (HttpContext context) => Authorize(context, authority));
        endpoints.MapGet("/documents/{name}", (string name) => authority.Document(name) is { } json ? Results.Text(json, "application/json") : Results.NotFound());
        endpoints.MapPost($"/{tenant}/oauth2/v2.0/token", (Func<HttpContext, Task<IResult>>)(context => TokenAsync(context, authority)));
        return endpoints;
    }

    private static string Discovery(HttpContext context, StandInAuthority authority)
    {
        var self = $"{context.Request.Scheme}://{context.Request.Host}/{authority.Options.TenantId}";
        return new JsonObject
        {
            ["issuer"] = authority.Issuer,
            ["authorization_endpoint"] = $"{self}/oauth2/v2.0/authorize",
            ["token_endpoint"] = $"{self}/oauth2/v2.0/token",
            ["jwks_uri"] = $"{self}/discovery/v2.0/keys",
            ["response_types_supported"] = new JsonArray("code"),
            ["response_modes_supported"] = new JsonArray("query", "form_post"),
            ["subject_types_supported"] = new JsonArray("pairwise"),
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            ["scopes_supported"] = new JsonArray("openid", "profile", "email", "offline_access"),
            ["code_challenge_methods_supported"] = new JsonArray("S256"),
            ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "client_secret_basic"),
            ["grant_types_supported"] = new JsonArray("authorization_code", "refresh_token", "client_credentials"),
        }.ToJsonString();
    }

    private static IResult Authorize(HttpContext context, StandInAuthority authority)
    {
        var query = context.Request.Query;
        var client = authority.Client(query["client_id"].ToString());
        if (client is null)
        {
            return ErrorPage("AADSTS700016: Application with identifier '" + query["client_id"] + "' was not found.");
        }
        var redirectUri = query["redirect_uri"].ToString();
        if (!client.RedirectUris.Any(allowed => allowed == redirectUri || (allowed.EndsWith('*') && redirectUri.StartsWith(allowed[..^1], StringComparison.Ordinal))))
        {
            return ErrorPage("AADSTS50011: The redirect URI '" + redirectUri + "' does not match the redirect URIs configured for the application.");
        }
        var state = query["state"].ToString();
        var formPost = query["response_mode"] == "form_post";
        if (query["response_type"] != "code")
        {
            return Respond(redirectUri, formPost, new() { ["error"] = "unsupported_response_type", ["state"] = state });
        }
        if (query["code_challenge"].ToString() is not { Length: > 0 } challenge || query["code_challenge_method"] != "S256")
        {
            return Respond(redirectUri, formPost, new() { ["error"] = "invalid_request", ["error_description"] = "PKCE with S256 is required.", ["state"] = state });
        }
        var hint = query["login_hint"].ToString() is { Length: > 0 } loginHint ? loginHint : context.Request.Cookies[UserCookie];
        var user = authority.ChooseUser(hint);
        if (user is null || user.Disabled)
        {
            return Respond(redirectUri, formPost, new() { ["error"] = "access_denied", ["error_description"] = "AADSTS50057: The user account is disabled or unknown.", ["state"] = state });
        }
        var code = authority.IssueCode(new IssuedCode(client.ClientId, redirectUri, challenge, query["scope"].ToString(), query["nonce"].ToString(), user.Id, authority.Now.AddMinutes(5)));
        return Respond(redirectUri, formPost, new() { ["code"] = code, ["state"] = state, ["session_state"] = Guid.NewGuid().ToString() });
    }

    private static async Task<IResult> TokenAsync(HttpContext context, StandInAuthority authority)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var (clientId, secret) = (form["client_id"].ToString(), form["client_secret"].ToString());
        if (context.Request.Headers.Authorization.ToString() is { } basic && basic.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(basic[6..])).Split(':', 2);
            (clientId, secret) = (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1]));
        }
        var client = authority.Client(clientId);
        if (client is null || secret.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(client.ClientSecret), Encoding.UTF8.GetBytes(secret)))
        {
            return Error("invalid_client", "AADSTS7000215: Invalid client secret provided, or unknown client.", 401);
        }
        switch (form["grant_type"].ToString())
        {
            case "authorization_code":
                var code = authority.RedeemCode(form["code"].ToString());
                if (code is null || code.ClientId != client.ClientId || code.RedirectUri != form["redirect_uri"])
                {
                    return Error("invalid_grant", "AADSTS70008: The provided authorization code is invalid, used or expired.");
                }
                if (Challenge(form["code_verifier"].ToString()) != code.CodeChallenge)
                {
                    return Error("invalid_grant", "AADSTS501481: The code verifier does not match the code challenge.");
                }
                return Tokens(authority, client, authority.User(code.UserId), code.Scope, code.Nonce);
            case "refresh_token":
                var refresh = authority.RedeemRefreshToken(form["refresh_token"].ToString());
                if (refresh is null || refresh.ClientId != client.ClientId)
                {
                    return Error("invalid_grant", "AADSTS9002313: The refresh token is invalid or was already used.");
                }
                Interlocked.Increment(ref authority.RefreshGrants);
                var scope = form["scope"].ToString() is { Length: > 0 } asked ? asked : refresh.Scope;
                return Tokens(authority, client, authority.User(refresh.UserId), scope, nonce: null);
            case "client_credentials":
                var resource = ResourceOf(form["scope"].ToString());
                if (resource is null || !form["scope"].ToString().EndsWith("/.default", StringComparison.Ordinal))
                {
                    return Error("invalid_scope", "AADSTS1002012: Client credentials need a {resource}/.default scope.");
                }
                var appClaims = new Dictionary<string, object> { ["sub"] = client.ClientId + "-oid", ["oid"] = client.ClientId + "-oid", ["azp"] = client.ClientId };
                if (client.Roles.Count > 0)
                {
                    appClaims["roles"] = client.Roles.ToArray();
                }
                return Json(new JsonObject
                {
                    ["token_type"] = "Bearer",
                    ["expires_in"] = (int)authority.Options.AccessTokenLifetime.TotalSeconds,
                    ["access_token"] = authority.Mint(resource, appClaims),
                });
            default:
                return Error("unsupported_grant_type", "The grant type is not supported.");
        }
    }

    private static IResult Tokens(StandInAuthority authority, StandInClient client, StandInUser? user, string scope, string? nonce)
    {
        if (user is null || user.Disabled)
        {
            return Error("invalid_grant", "AADSTS50057: The user account is disabled.");
        }
        var scopes = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var body = new JsonObject
        {
            ["token_type"] = "Bearer",
            ["scope"] = scope,
            ["expires_in"] = (int)authority.Options.AccessTokenLifetime.TotalSeconds,
            ["ext_expires_in"] = (int)authority.Options.AccessTokenLifetime.TotalSeconds,
            ["client_info"] = authority.ClientInfo(user),
        };
        var claims = StandInAuthority.UserClaims(user);
        claims["azp"] = client.ClientId;
        if (user.Roles.Count > 0)
        {
            claims["roles"] = user.Roles.ToArray();
        }
        if (user.Scopes.Count > 0)
        {
            claims["scp"] = string.Join(' ', user.Scopes);
        }
        body["access_token"] = authority.Mint(ResourceOf(scope) ?? client.ClientId, claims);
        if (scopes.Contains("openid"))
        {
            var identity = StandInAuthority.UserClaims(user);
            if (nonce is { Length: > 0 })
            {
                identity["nonce"] = nonce;
            }
            body["id_token"] = authority.Mint(client.ClientId, identity);
        }
        if (scopes.Contains("offline_access"))
        {
            body["refresh_token"] = authority.IssueRefreshToken(new IssuedRefresh(client.ClientId, scope, user.Id));
        }
        return Json(body);
    }

    /// <summary>The API a scope list asks for: the part before the last '/' of its first non-OpenID scope.</summary>
    private static string? ResourceOf(string scope) =>
        scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(s => !OpenIdScopes.Contains(s) && s.LastIndexOf('/') > 0) is { } resource
            ? resource[..resource.LastIndexOf('/')]
            : null;

    private static string Challenge(string verifier) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private static IResult Respond(string redirectUri, bool formPost, Dictionary<string, string?> parameters)
    {
        var present = parameters.Where(p => p.Value is { Length: > 0 }).ToList();
        if (!formPost)
        {
            var query = string.Join('&', present.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value!)}"));
            return Results.Redirect(redirectUri + (redirectUri.Contains('?') ? '&' : '?') + query);
        }
        var inputs = string.Concat(present.Select(p => $"<input type=\"hidden\" name=\"{HtmlEncoder.Default.Encode(p.Key)}\" value=\"{HtmlEncoder.Default.Encode(p.Value!)}\"/>"));
        return Results.Content($"<html><body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"{HtmlEncoder.Default.Encode(redirectUri)}\">{inputs}<noscript><button>Continue</button></noscript></form></body></html>", "text/html");
    }

    private static IResult ErrorPage(string message) =>
        Results.Content($"<html><body><h1>Sign-in error</h1><p>{HtmlEncoder.Default.Encode(message)}</p></body></html>", "text/html", statusCode: 400);

    private static IResult Error(string error, string description, int status = 400) =>
        Json(new JsonObject { ["error"] = error, ["error_description"] = description }, status);

    private static IResult Json(JsonObject body, int status = 200) => Results.Text(body.ToJsonString(), "application/json", statusCode: status);
}
