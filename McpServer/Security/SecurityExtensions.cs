using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Prynai.McpServer.Resources;
using Prynai.McpServer.Security.Authentication;
using Prynai.McpServer.Security.RequestChecks;
using Prynai.McpServer.Transport;

namespace Prynai.McpServer.Security;

public static class SecurityExtensions
{
    public const string McpPolicy = "mcp";

    /// <summary>
    /// Bearer authentication (Entra ID or any OIDC issuer; user-jwts tokens in Development), the MCP authorization
    /// policy, per-caller rate limits, CORS and forwarded headers — each from configuration, failing closed.
    /// </summary>
    public static IHostApplicationBuilder AddPrynaiSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>().ValidateOnStart();
        services.AddSingleton<IConfigureOptions<AuthOptions>, AuthOptionsSetup>();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton<DevelopmentTokens>();
        services.TryAddSingleton<Telemetry.PrynaiTelemetry>();
        services.AddSingleton<IServerInfoContributor, AuthServerInfo>();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ForwardedHeadersSettings>().BindConfiguration(ForwardedHeadersSettings.SectionName);
        services.AddOptions<RequestOriginOptions>().BindConfiguration(RequestOriginOptions.SectionName);
        services.AddSingleton<IPostConfigureOptions<RequestOriginOptions>, ContainerAppsHostDefaults>();

        builder.AddBearerAuthentication();

        services.AddRateLimiter(_ => { });
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, settings) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = CallerLimits.OnRejectedAsync;
            if (settings.Value.Enabled)
            {
                limiter.GlobalLimiter = CallerLimits.Create(settings.Value);
            }
        });

        var origins = builder.Configuration.GetSection($"{RequestOriginOptions.SectionName}:{nameof(RequestOriginOptions.AllowedOrigins)}").Get<string[]>() ?? [];
        if (origins.Length > 0)
        {
            services.AddCors(cors => cors.AddPolicy(McpPolicy, policy => policy
                .WithOrigins(origins)
                .WithMethods("GET", "POST", "DELETE")
                .WithHeaders("Authorization", "Content-Type", "Accept", McpHttpHeaders.SessionId, McpHttpHeaders.ProtocolVersion,
                    McpHttpHeaders.Method, McpHttpHeaders.Name, McpHttpHeaders.LastEventId)
                .WithExposedHeaders(McpHttpHeaders.SessionId, "WWW-Authenticate")));
        }
        return builder;
    }

    /// <summary>Forwarded headers (when trusted), CORS, DNS-rebinding checks, token-in-URL refusal, authentication, limits.</summary>
    public static WebApplication UsePrynaiSecurity(this WebApplication app)
    {
        var forwarded = app.Services.GetRequiredService<IOptions<ForwardedHeadersSettings>>().Value;
        if (forwarded.Enabled)
        {
            app.UseForwardedHeaders(ForwardedHeaders(forwarded, app.Services.GetRequiredService<IOptions<RequestOriginOptions>>().Value));
        }
        app.UseRouting();
        if (app.Services.GetService<Microsoft.AspNetCore.Cors.Infrastructure.ICorsService>() is not null)
        {
            app.UseCors();
        }
        app.UseMiddleware<RequestOriginValidationMiddleware>();
        SignIn.SignInServiceCollectionExtensions.UseSignInTransportSecurity(app);
        app.UseMiddleware<TokenInQueryRefusal>();
        var schemes = app.Services.GetRequiredService<BearerSchemes>();
        if (schemes.SignIn)
        {
            // Sign-in's protocol endpoints are OpenIddict's authentication handler: it must see every request but the
            // MCP routes', which are never its own.
            app.UseMiddleware<McpRouteAuthentication>();
        }
        else if (schemes.Any && app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.IsRequired(app.Environment.IsDevelopment()))
        {
            app.UseAuthentication();
        }
        else if (schemes.Any)
        {
            // Tokens are optional here: a request without one has nothing to authenticate (the outcome would be an
            // anonymous caller anyway), so it skips the handler; one with a token is validated as usual.
            app.UseWhen(context => context.Request.Headers.Authorization.Count > 0, branch => branch.UseAuthentication());
        }
        // Authentication is placed above — or deliberately not at all, with no issuer. What UseAuthentication() records
        // on the app itself tells WebApplication so; without it, WebApplication adds the standard middleware once more
        // in front of the pipeline for every request (it does whenever authentication services exist), which would
        // undo each choice above: OpenIddict asked on every MCP call, tokens read when optional and absent.
        ((IApplicationBuilder)app).Properties[McpRouteAuthentication.MiddlewareSetKey] = true;
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Applies the MCP security policies to an endpoint group: authentication (when required) and CORS.</summary>
    public static TBuilder RequireMcpSecurity<TBuilder>(this TBuilder endpoints, IServiceProvider services) where TBuilder : IEndpointConventionBuilder
    {
        var auth = services.GetRequiredService<IOptions<AuthOptions>>().Value;
        if (auth.IsRequired(services.GetRequiredService<IHostEnvironment>().IsDevelopment()))
        {
            endpoints.RequireAuthorization(McpPolicy);
        }
        if (services.GetService<Microsoft.AspNetCore.Cors.Infrastructure.ICorsService>() is not null)
        {
            endpoints.RequireCors(McpPolicy);
        }
        return endpoints;
    }

    private static ForwardedHeadersOptions ForwardedHeaders(ForwardedHeadersSettings settings, RequestOriginOptions origins)
    {
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor |
                               Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto |
                               Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedHost,
            AllowedHosts = origins.AllowedHosts,
        };
        if (settings.TrustAllProxies)
        {
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
        }
        foreach (var proxy in settings.KnownProxies)
        {
            options.KnownProxies.Add(IPAddress.Parse(proxy));
        }
        foreach (var network in settings.KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }
        return options;
    }
}
