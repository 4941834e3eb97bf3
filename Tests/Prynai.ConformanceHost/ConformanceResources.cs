using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Prynai.ConformanceHost;

/// <summary>The conformance suite's resources: static text and binary, a template, a subscribable one.</summary>
[McpServerResourceType]
public sealed class ConformanceResources
{
    [McpServerResource(UriTemplate = "test://static-text", Name = "static-text", MimeType = "text/plain"), Description("A static text resource.")]
    public static string StaticText() => "This is the content of the static text resource.";

    [McpServerResource(UriTemplate = "test://static-binary", Name = "static-binary", MimeType = "image/png"), Description("A static binary resource (PNG).")]
    public static ReadResourceResult StaticBinary() => new()
    {
        Contents = [BlobResourceContents.FromBytes(ConformanceContent.Png, "test://static-binary", "image/png")],
    };

    [McpServerResource(UriTemplate = "test://template/{id}/data", Name = "template-data", MimeType = "application/json"), Description("Data for an id.")]
    public static string TemplateData([Description("Any id.")] string id) =>
        new JsonObject { ["id"] = id, ["templateTest"] = true, ["data"] = $"Data for ID: {id}" }.ToJsonString();

    [McpServerResource(UriTemplate = "test://watched-resource", Name = "watched-resource", MimeType = "text/plain"), Description("A resource clients subscribe to.")]
    public static string WatchedResource() => "Watched resource content.";
}
