using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Resources;

/// <summary>prynai://status, prynai://counter, prynai://server-info and the hello://{name} template.</summary>
[McpServerResourceType]
public sealed class PrynaiResources
{
    public const string StatusUri = "prynai://status";
    public const string ServerInfoUri = "prynai://server-info";
    public const int MaxNameLength = 200;

    [McpServerResource(UriTemplate = StatusUri, Name = "status", Title = "Server status", MimeType = "text/plain")]
    [Description("\"ok\" while the server is serving requests.")]
    public static string Status() => "ok";

    [McpServerResource(UriTemplate = SharedCounter.ResourceUri, Name = "counter", Title = "Shared counter", MimeType = "text/plain")]
    [Description("The shared counter's current value. Subscribe to be notified after every change.")]
    public static async Task<string> Counter(SharedCounter counter, CancellationToken cancellationToken) =>
        (await counter.GetAsync(cancellationToken).ConfigureAwait(false)).ToString(CultureInfo.InvariantCulture);

    [McpServerResource(UriTemplate = ServerInfoUri, Name = "server-info", Title = "Server information", MimeType = "application/json")]
    [Description("Deployment, build, state store and authentication settings of this server (no secrets).")]
    public static string ServerInfo(IOptions<ServerInfoOptions> info, ServerDescription description) =>
        JsonSerializer.Serialize(description.Describe(info.Value), ServerDescriptionJson.Default.ServerInfoDocument);

    [McpServerResource(UriTemplate = "hello://{name}", Name = "hello", Title = "Greeting", MimeType = "text/plain")]
    [Description("A greeting for the given name.")]
    public static string Hello([Description("Who to greet.")] string name)
    {
        var decoded = Uri.UnescapeDataString(name).Trim();
        return decoded.Length is > 0 and <= MaxNameLength
            ? $"Hello, {decoded}"
            : throw new McpProtocolException($"hello://{{name}} needs a name of 1 to {MaxNameLength} characters.", McpErrorCode.InvalidParams);
    }
}
