using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Writes a health report as one flat JSON object, the shape the original system's probes and dashboards read:
/// <c>{"status":"ok"|"degraded", "&lt;check&gt;": true|false, ...data the checks report}</c>.
/// </summary>
internal static class HealthResponseWriter
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";

        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteString("status", report.Status == HealthStatus.Healthy ? "ok" : "degraded");
        foreach (var (name, entry) in report.Entries)
        {
            writer.WriteBoolean(name, entry.Status == HealthStatus.Healthy);
            foreach (var (key, value) in entry.Data)
            {
                WriteValue(writer, key, value);
            }
            if (entry.Status != HealthStatus.Healthy && entry.Description is { Length: > 0 } description)
            {
                writer.WriteString($"{name}_error", description);
            }
        }
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    private static void WriteValue(Utf8JsonWriter writer, string key, object value)
    {
        switch (value)
        {
            case bool b: writer.WriteBoolean(key, b); break;
            case int i: writer.WriteNumber(key, i); break;
            case long l: writer.WriteNumber(key, l); break;
            case double d: writer.WriteNumber(key, d); break;
            default: writer.WriteString(key, value.ToString()); break;
        }
    }
}
