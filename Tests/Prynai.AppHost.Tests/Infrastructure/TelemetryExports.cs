using System.Text;
using Prynai.Tests.Telemetry;

namespace Prynai.AppHost.Tests.Infrastructure;

public static class TelemetryExports
{
    /// <summary>
    /// The exports of one signal sent by the process whose resource carries this service.instance.id, as text: each
    /// export comes from one process and names it in its resource attributes (protobuf strings are plain UTF-8).
    /// </summary>
    public static IEnumerable<string> ExportsFrom(this OtlpReceiver receiver, string instanceId, string signal) =>
        receiver.Exports.Where(export => export.Path == $"/v1/{signal}")
            .Select(export => Encoding.UTF8.GetString(export.Body))
            .Where(text => text.Contains(instanceId, StringComparison.Ordinal));
}
