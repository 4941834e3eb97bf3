using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Gives ASP.NET Core's server spans (ActivitySource <c>Microsoft.AspNetCore</c>) their OpenTelemetry HTTP semantics —
/// name <c>{method} {route}</c>, http.request.method, url.path, http.route, http.response.status_code, error.type —
/// and leaves health probes unrecorded (they run every few seconds and would drown the traces that matter).
/// Stands in for OpenTelemetry.Instrumentation.AspNetCore, absent from this build's package feed.
/// </summary>
internal sealed class HttpServerSpans : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(nextMiddleware => context =>
        {
            var span = context.Features.Get<IHttpActivityFeature>()?.Activity;
            // ASP.NET Core creates a span for every request even when nothing listens (for log correlation); only a
            // span a sampler chose to record is worth describing, and the common case costs nothing here.
            if (span is not { Recorded: true })
            {
                return nextMiddleware(context);
            }
            if (IsHealthProbe(context.Request.Path))
            {
                span.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
                span.IsAllDataRequested = false;
                return nextMiddleware(context);
            }
            return DescribeAfterAsync(span, nextMiddleware, context);
        });
        next(app);
    };

    private static async Task DescribeAfterAsync(Activity span, RequestDelegate next, HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex)
        {
            span.SetTag("error.type", ex.GetType().FullName);
            span.SetStatus(ActivityStatusCode.Error);
            throw;
        }
        finally
        {
            Describe(span, context);
        }
    }

    private static bool IsHealthProbe(PathString path) =>
        path.Equals(Extensions.ReadinessPath, StringComparison.OrdinalIgnoreCase) || path.Equals(Extensions.LivenessPath, StringComparison.OrdinalIgnoreCase);

    private static void Describe(Activity span, HttpContext context)
    {
        if (!span.IsAllDataRequested)
        {
            return;
        }
        var request = context.Request;
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        span.DisplayName = route is null ? request.Method : $"{request.Method} {route}";
        span.SetTag("http.request.method", request.Method);
        span.SetTag("url.scheme", request.Scheme);
        span.SetTag("url.path", request.Path.Value);
        span.SetTag("server.address", request.Host.Host);
        if (request.Host.Port is { } port)
        {
            span.SetTag("server.port", port);
        }
        span.SetTag("network.protocol.version", request.Protocol.StartsWith("HTTP/", StringComparison.Ordinal) ? request.Protocol[5..] : request.Protocol);
        if (route is not null)
        {
            span.SetTag("http.route", route);
        }
        var status = context.Response.StatusCode;
        span.SetTag("http.response.status_code", status);
        if (status >= 500)
        {
            span.SetTag("error.type", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            span.SetStatus(ActivityStatusCode.Error);
        }
    }
}
