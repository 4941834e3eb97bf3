using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Prynai.McpServer.Security.Authentication;

/// <summary>Why a request was not authenticated or authorized; also the "reason" tag of the auth-failure metric.</summary>
public enum AuthFailureReason
{
    Missing, Malformed, Expired, NotYetValid, Audience, Issuer, Algorithm, Signature, Tenant, Permission, TokenInQuery, Invalid,
}

/// <summary>
/// The HTTP side of bearer authentication (RFC 6750 + RFC 9728): 401 with <c>WWW-Authenticate: Bearer
/// resource_metadata=…, scope=…</c> (plus <c>error="invalid_token"</c> when a token was sent), 403 with
/// <c>error="insufficient_scope"</c>. Descriptions name the category of failure, never validation internals.
/// </summary>
internal static partial class BearerChallenge
{
    public static JwtBearerEvents CreateEvents() => new()
    {
        OnTokenValidated = context =>
        {
            var auth = context.HttpContext.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value;
            if (auth.AllowedTenants.Count > 0 &&
                !auth.AllowedTenants.Contains(context.Principal?.FindFirst("tid")?.Value ?? "", StringComparer.OrdinalIgnoreCase))
            {
                context.Fail(new TenantNotAllowedException());
            }
            return Task.CompletedTask;
        },
        OnChallenge = async context =>
        {
            context.HandleResponse();
            var hasToken = context.Request.Headers.Authorization.Count > 0;
            var reason = hasToken ? Classify(context.AuthenticateFailure) : AuthFailureReason.Missing;
            await WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, reason);
        },
        OnForbidden = context => WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, AuthFailureReason.Permission),
    };

    public static AuthFailureReason Classify(Exception? failure) => failure switch
    {
        null => AuthFailureReason.Malformed,
        SecurityTokenExpiredException => AuthFailureReason.Expired,
        SecurityTokenNotYetValidException => AuthFailureReason.NotYetValid,
        SecurityTokenInvalidAudienceException => AuthFailureReason.Audience,
        SecurityTokenInvalidIssuerException => AuthFailureReason.Issuer,
        SecurityTokenInvalidAlgorithmException => AuthFailureReason.Algorithm,
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => AuthFailureReason.Signature,
        SecurityTokenMalformedException or ArgumentException => AuthFailureReason.Malformed,
        TenantNotAllowedException => AuthFailureReason.Tenant,
        _ => AuthFailureReason.Invalid,
    };

    /// <summary>The reason as a metric tag: snake_case, stable.</summary>
    public static string ReasonTag(AuthFailureReason reason) => reason switch
    {
        AuthFailureReason.NotYetValid => "not_yet_valid",
        AuthFailureReason.TokenInQuery => "token_in_query",
        _ => reason.ToString().ToLowerInvariant(),
    };

    public static string Describe(AuthFailureReason reason) => reason switch
    {
        AuthFailureReason.Missing => "This endpoint needs a bearer token in the Authorization header.",
        AuthFailureReason.Malformed => "The bearer token is not a well-formed JWT.",
        AuthFailureReason.Expired => "The token has expired.",
        AuthFailureReason.NotYetValid => "The token is not valid yet.",
        AuthFailureReason.Audience => "The token was issued for another resource (audience).",
        AuthFailureReason.Issuer => "The token's issuer is not trusted.",
        AuthFailureReason.Algorithm => "The token's signing algorithm is not accepted.",
        AuthFailureReason.Signature => "The token's signature is not valid.",
        AuthFailureReason.Tenant => "The token's tenant is not allowed.",
        AuthFailureReason.Permission => "The token lacks a required role or scope.",
        AuthFailureReason.TokenInQuery => "Send the token in the Authorization header, never in the URL.",
        _ => "The token is not valid.",
    };

    public static async Task WriteAsync(HttpContext context, int status, AuthFailureReason reason)
    {
        context.Items[typeof(AuthFailureReason)] = reason;
        context.RequestServices.GetService<Telemetry.PrynaiTelemetry>()?.AuthFailures.Add(1, new KeyValuePair<string, object?>("reason", ReasonTag(reason)));
        var auth = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value;
        var error = reason switch
        {
            AuthFailureReason.Missing => null,
            AuthFailureReason.Permission => "insufficient_scope",
            AuthFailureReason.TokenInQuery => "invalid_request",
            _ => "invalid_token",
        };
        var description = Describe(reason);

        var parameters = new List<string>();
        if (ProtectedResourceMetadata.IsServed(auth))
        {
            parameters.Add($"resource_metadata=\"{ProtectedResourceMetadata.MetadataUrl(context.Request)}\"");
        }
        if (auth.AdvertisedScopes.Count > 0)
        {
            parameters.Add($"scope=\"{string.Join(' ', auth.AdvertisedScopes)}\"");
        }
        if (error is not null)
        {
            parameters.Add($"error=\"{error}\"");
            parameters.Add($"error_description=\"{description}\"");
        }

        context.Response.StatusCode = status;
        context.Response.Headers.WWWAuthenticate = parameters.Count == 0 ? "Bearer" : "Bearer " + string.Join(", ", parameters);
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body,
            new BearerErrorBody(error ?? "unauthorized", description), BearerErrorJson.Default.BearerErrorBody, context.RequestAborted);
    }

    private sealed class TenantNotAllowedException() : SecurityTokenValidationException("The token's tenant is not allowed.");
}

internal sealed record BearerErrorBody(
    [property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error,
    [property: System.Text.Json.Serialization.JsonPropertyName("error_description")] string Description);

[System.Text.Json.Serialization.JsonSerializable(typeof(BearerErrorBody))]
internal sealed partial class BearerErrorJson : System.Text.Json.Serialization.JsonSerializerContext;
