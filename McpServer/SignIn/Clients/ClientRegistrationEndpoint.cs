using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Prynai.McpServer.SignIn.Clients;

/// <summary>
/// Dynamic Client Registration (RFC 7591) at <c>/register</c>, which OpenIddict does not offer. Bounded: each address
/// and all together may register only so many clients per window (counted in the store, across replicas), and a
/// registration nobody signs in with is forgotten after <see cref="DynamicRegistrationOptions.UnusedLifetime"/>.
/// Public clients (PKCE, <c>none</c>) get no secret; a client asking for <c>client_secret_basic</c>/<c>_post</c> gets one.
/// </summary>
internal static partial class ClientRegistrationEndpoint
{
    public const string Path = "/register";
    private const int MaxBodyBytes = 16 * 1024;
    private static readonly string[] AuthMethods = ["none", "client_secret_basic", "client_secret_post"];

    public static void MapClientRegistration(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost(Path, RegisterAsync).AllowAnonymous().DisableAntiforgery();

    private static async Task RegisterAsync(HttpContext context, SignInStore store, IOptions<SignInOptions> options, TimeProvider time, ILogger<SignInStore> logger)
    {
        var settings = options.Value.DynamicRegistration;
        if (!settings.Enabled)
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, "invalid_request", "Dynamic client registration is not offered by this server.");
            return;
        }
        JsonObject? body;
        try
        {
            if (context.Request.ContentLength > MaxBodyBytes)
            {
                await ErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "invalid_client_metadata", $"The registration request is larger than {MaxBodyBytes} bytes.");
                return;
            }
            if (!(context.Request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            {
                await ErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_client_metadata", "Send the client metadata as application/json.");
                return;
            }
            body = await JsonNode.ParseAsync(new LimitedStream(context.Request.Body, MaxBodyBytes), cancellationToken: context.RequestAborted) as JsonObject;
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            body = null;
        }
        if (body is null)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_client_metadata", "The request body must be a JSON object of client metadata (RFC 7591).");
            return;
        }
        (string Error, string Description)? problem;
        try
        {
            problem = Problem(body);
        }
        catch (InvalidOperationException)
        {
            // A string with a lone surrogate (valid JSON escapes, not valid Unicode) cannot be read as a string.
            problem = ("invalid_client_metadata", "The client metadata contains a string that is not valid Unicode.");
        }
        if (problem is not null)
        {
            var (error, description) = problem.Value;
            await ErrorAsync(context, StatusCodes.Status400BadRequest, error, description);
            return;
        }
        if (!options.Value.PublicClients && body["token_endpoint_auth_method"]?.GetValue<string>() == "none")
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_client_metadata", "This server accepts only confidential clients: register with client_secret_basic or client_secret_post.");
            return;
        }
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (!await store.TryCountRegistrationAsync(address, settings, context.RequestAborted))
        {
            LogLimited(logger);
            context.Response.Headers.RetryAfter = ((int)settings.Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await ErrorAsync(context, StatusCodes.Status429TooManyRequests, "temporarily_unavailable", "Too many client registrations from this address or in total; try again later.");
            return;
        }

        var method = body["token_endpoint_auth_method"]?.GetValue<string>() ?? "client_secret_basic";
        var secret = method == "none" ? null : Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var clientId = "dcr_" + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(18));
        var redirects = body["redirect_uris"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        var name = body["client_name"]?.GetValue<string>();
        var now = time.GetUtcNow();
        await store.SaveClientAsync(new RegisteredClientRecord(SignInStore.FormatVersion, clientId, name, redirects, secret is null ? null : SignInClient.HashSecret(secret), now),
            settings.UnusedLifetime, context.RequestAborted);
        LogRegistered(logger, method);

        var response = new JsonObject
        {
            ["client_id"] = clientId,
            ["client_id_issued_at"] = now.ToUnixTimeSeconds(),
            ["redirect_uris"] = new JsonArray(redirects.Select(r => (JsonNode)r!).ToArray()),
            ["token_endpoint_auth_method"] = method,
            ["grant_types"] = new JsonArray("authorization_code", "refresh_token"),
            ["response_types"] = new JsonArray("code"),
        };
        if (name is not null)
        {
            response["client_name"] = name;
        }
        if (secret is not null)
        {
            response["client_secret"] = secret;
            response["client_secret_expires_at"] = 0;
        }
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.ToJsonString(), context.RequestAborted);
    }

    /// <summary>The RFC 7591 error for metadata this server cannot register, or null.</summary>
    private static (string Error, string Description)? Problem(JsonObject body)
    {
        if (body["redirect_uris"] is not JsonArray redirects || redirects.Count is 0 or > 10 || redirects.Any(r => r?.GetValueKind() != JsonValueKind.String))
        {
            return ("invalid_redirect_uri", "redirect_uris must list 1 to 10 redirect URIs.");
        }
        foreach (var redirect in redirects)
        {
            if (RedirectUriRules.Problem(redirect!.GetValue<string>()) is { } why)
            {
                return ("invalid_redirect_uri", why);
            }
        }
        if (body["client_name"] is { } name && (name.GetValueKind() != JsonValueKind.String || name.GetValue<string>() is { Length: 0 or > 200 } || name.GetValue<string>().Any(char.IsControl)))
        {
            return ("invalid_client_metadata", "client_name must be a string of 1 to 200 printable characters.");
        }
        if (body["token_endpoint_auth_method"] is { } method && (method.GetValueKind() != JsonValueKind.String || !AuthMethods.Contains(method.GetValue<string>())))
        {
            return ("invalid_client_metadata", "token_endpoint_auth_method must be none, client_secret_basic or client_secret_post.");
        }
        if (!AllWithin(body["grant_types"], "authorization_code", "refresh_token"))
        {
            return ("invalid_client_metadata", "grant_types may only name authorization_code and refresh_token.");
        }
        if (!AllWithin(body["response_types"], "code"))
        {
            return ("invalid_client_metadata", "response_types may only name code.");
        }
        return null;
    }

    private static bool AllWithin(JsonNode? node, params string[] allowed) =>
        node is null || (node is JsonArray array && array.All(v => v?.GetValueKind() == JsonValueKind.String && allowed.Contains(v.GetValue<string>())));

    private static Task ErrorAsync(HttpContext context, int status, string error, string description)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(new JsonObject { ["error"] = error, ["error_description"] = description }.ToJsonString(), context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered a client dynamically ({AuthMethod})")]
    private static partial void LogRegistered(ILogger logger, string authMethod);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a dynamic client registration: the registration limit is reached")]
    private static partial void LogLimited(ILogger logger);

    /// <summary>Reads at most a given number of bytes, failing beyond (a chunked body has no Content-Length to check first).</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int read) => (_read += read) > limit ? throw new InvalidDataException("The body is too large.") : read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
