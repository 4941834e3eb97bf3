using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using Prynai.McpServer.Security;
using Prynai.McpServer.Security.Authentication;
using Prynai.McpServer.SignIn.Authorization;
using Prynai.McpServer.SignIn.Clients;
using Prynai.McpServer.SignIn.Tokens;
using Prynai.McpServer.SignIn.Upstream;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Prynai.McpServer.SignIn;

public static class SignInServiceCollectionExtensions
{
    /// <summary>
    /// Sign-in for interactive MCP clients when <c>Auth:SignIn:Enabled</c> is true: an OAuth 2.1 authorization server for
    /// this MCP endpoint (OpenIddict's server in degraded mode, its state in Prynai's store), in front of the upstream
    /// issuer configured under <c>Auth</c>. Off, nothing of it is registered.
    /// </summary>
    public static IHostApplicationBuilder AddPrynaiSignIn(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SignInOptions>().BindConfiguration(SignInOptions.SectionName);
        if (!builder.Configuration.GetValue<bool>($"{SignInOptions.SectionName}:{nameof(SignInOptions.Enabled)}"))
        {
            return builder;
        }
        services.AddOptions<SignInOptions>().ValidateDataAnnotations().ValidateOnStart()
            .PostConfigure<IOptions<AuthOptions>>((signIn, auth) =>
            {
                if (signIn.Scopes.Count == 0)
                {
                    signIn.Scopes.AddRange(auth.Value.AdvertisedScopes);
                }
                // Azure Container Apps publishing names the app's user-assigned identity in AZURE_CLIENT_ID.
                if (signIn.ManagedIdentityClientId is not { Length: > 0 })
                {
                    signIn.ManagedIdentityClientId = builder.Configuration["AZURE_CLIENT_ID"];
                }
            });
        services.AddSingleton<IValidateOptions<SignInOptions>, SignInOptionsValidator>();
        services.AddSingleton<SignInKeys>();
        services.AddSingleton<SignInDataProtector>();
        services.AddSingleton<SignInStore>();
        services.AddSingleton<SignInBrowser>();
        services.AddSingleton<ClientMetadataDocuments>();
        services.AddSingleton<ClientDirectory>();
        services.AddSingleton<UpstreamIdentityProvider>();
        services.AddSingleton<GrantRevocations>();
        services.AddHostedService(provider => provider.GetRequiredService<GrantRevocations>());

        var settings = builder.Configuration.GetSection(SignInOptions.SectionName).Get<SignInOptions>() ?? new();
        var trusted = builder.Configuration[$"{AuthOptions.SectionName}:{nameof(AuthOptions.TrustedLoopbackCertificate)}"];
        services.AddHttpClient(UpstreamIdentityProvider.HttpClientName).TrustLoopbackCertificate(trusted);
        services.AddHttpClient(ClientMetadataDocuments.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => ClientMetadataDocuments.CreateHandler(settings.ClientMetadataDocuments.AllowLoopback, trusted));

        services.AddOpenIddict().AddServer(server =>
        {
            server.SetAuthorizationEndpointUris(SignInUrls.Authorize.TrimStart('/'))
                .SetTokenEndpointUris(SignInUrls.Token.TrimStart('/'))
                .SetConfigurationEndpointUris(SignInUrls.Metadata.TrimStart('/'), ".well-known/openid-configuration")
                .SetJsonWebKeySetEndpointUris(SignInUrls.Jwks.TrimStart('/'));
            server.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow().RequireProofKeyForCodeExchange();
            // No application, authorization or token stores: clients, codes and refresh families are Prynai's, in its
            // state store (SignInStore), checked by SignInRequestValidation and TokenEndpoint.
            server.EnableDegradedMode();
            server.DisableAccessTokenEncryption();
            server.DisableResourceValidation();
            server.RegisterScopes([.. settings.Scopes.Count > 0 ? settings.Scopes : AuthOptionsSetup.Read(builder.Configuration).AdvertisedScopes, Scopes.OfflineAccess]);
            server.AddEventHandler(SignInRequestValidation.Authorization.Descriptor)
                .AddEventHandler(SignInRequestValidation.Token.Descriptor)
                .AddEventHandler(SignInRequestValidation.Metadata.Descriptor);
            server.UseAspNetCore()
                .EnableAuthorizationEndpointPassthrough()
                .EnableTokenEndpointPassthrough()
                .EnableErrorPassthrough()
                // https is required by SignInUrls.IsSecureEnough instead, which lets loopback (local runs, tests) use http.
                .DisableTransportSecurityRequirement();
        });
        services.AddOptions<OpenIddictServerOptions>().Configure<SignInKeys, IOptions<SignInOptions>>((server, keys, signIn) =>
        {
            foreach (var key in keys.SigningKeys)
            {
                server.SigningCredentials.Add(new SigningCredentials(key, SecurityAlgorithms.RsaSha256));
            }
            foreach (var key in keys.EncryptionKeys)
            {
                server.EncryptionCredentials.Add(new EncryptingCredentials(key, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
            }
            server.CodeChallengeMethods.Clear();
            server.CodeChallengeMethods.Add(CodeChallengeMethods.Sha256);
            server.AccessTokenLifetime = signIn.Value.AccessTokenLifetime;
            server.AuthorizationCodeLifetime = signIn.Value.AuthorizationCodeLifetime;
            server.RefreshTokenLifetime = signIn.Value.RefreshTokenLifetime;
        });
        return builder;
    }

    /// <summary>
    /// Refuses plain-http requests to the sign-in endpoints unless they address loopback: codes and tokens never cross a
    /// network in the clear. Behind a proxy that ends TLS, trust its forwarded headers (Security:ForwardedHeaders).
    /// Before authentication, where OpenIddict answers its endpoints.
    /// </summary>
    public static WebApplication UseSignInTransportSecurity(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<SignInOptions>>().Value.Enabled)
        {
            return app;
        }
        string[] paths = [SignInUrls.Authorize, SignInUrls.Token, SignInUrls.Callback, ClientRegistrationEndpoint.Path, SignInUrls.Metadata, SignInUrls.Jwks, "/.well-known/openid-configuration"];
        app.UseWhen(context => !SignInUrls.IsSecureEnough(context.Request) && paths.Any(path => context.Request.Path.StartsWithSegments(path, StringComparison.OrdinalIgnoreCase)),
            refused => refused.Run(async context =>
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.Headers.CacheControl = "no-store";
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"error":"invalid_request","error_description":"Sign-in requires https. Behind a proxy that ends TLS, trust its forwarded headers (Security:ForwardedHeaders)."}""", context.RequestAborted);
            }));
        return app;
    }

    /// <summary>The sign-in endpoints (authorize, consent, upstream callback, token, registration); nothing when sign-in is off.</summary>
    public static WebApplication MapPrynaiSignIn(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<SignInOptions>>().Value.Enabled)
        {
            return app;
        }
        app.MapSignInAuthorization();
        app.MapSignInToken();
        app.MapClientRegistration();
        return app;
    }
}
