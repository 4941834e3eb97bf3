using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Prynai.McpServer.Security.Authentication;
using Prynai.McpServer.Transport;

namespace Prynai.McpServer.Security.RequestChecks;

/// <summary>
/// The rate limits of the MCP routes: a token bucket per caller (the token's app or subject id, else the client
/// address) chained with a cap on requests in flight on this replica. Health and metadata endpoints are not limited.
/// </summary>
internal static class CallerLimits
{
    public static PartitionedRateLimiter<HttpContext> Create(RateLimitOptions options) => PartitionedRateLimiter.CreateChained(
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
            IsMcp(context) && !HttpMethods.IsGet(context.Request.Method)
                ? RateLimitPartition.GetConcurrencyLimiter("in-flight", _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = options.MaxConcurrentRequests,
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter("unlimited")),
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
            IsMcp(context)
                ? RateLimitPartition.GetTokenBucketLimiter(CallerKey(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.Burst,
                    TokensPerPeriod = options.RequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                })
                : RateLimitPartition.GetNoLimiter("unlimited")));

    public static ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        context.HttpContext.Items[typeof(CallerLimits)] = true;
        context.HttpContext.RequestServices.GetService<Telemetry.PrynaiTelemetry>()?.RateLimitRejections.Add(1);
        return ValueTask.CompletedTask;
    }

    /// <summary>The caller a request is counted against: its token's client app, else its subject, else its address.</summary>
    internal static string CallerKey(HttpContext context) =>
        (context.User is ReadOnlyClaimsPrincipal cached ? cached.RateLimitKey : CallerKey(context.User))
        ?? "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    /// <summary>"caller:" and the token's app or subject id, or null for a caller without one.</summary>
    internal static string? CallerKey(ClaimsPrincipal user)
    {
        if (user.Identity is ClaimsIdentity { IsAuthenticated: true } identity &&
            (identity.FindFirst("azp") ?? identity.FindFirst("appid") ?? identity.FindFirst("oid") ?? identity.FindFirst("sub"))?.Value is { } id)
        {
            return "caller:" + id;
        }
        return null;
    }

    private static bool IsMcp(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<McpRouteMetadata>() is not null;
}
