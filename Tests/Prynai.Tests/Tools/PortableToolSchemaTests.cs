using System.Text.Json.Nodes;
using Prynai.ConformanceHost;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Tools;

/// <summary>
/// Tool input schemas in the form every client reads: an optional parameter is one that is not required, never a
/// <c>"type": [..., "null"]</c> union or a null default (the MCP Inspector warns about those), and null still works.
/// </summary>
public sealed class PortableToolSchemaTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task NoToolSchema_HasATypeUnion_ANullBranch_OrANullDefault(bool conformanceFixtures)
    {
        using var server = new PrynaiServerFactory(configureServices: conformanceFixtures ? services => services.AddConformanceFixtures() : null);
        using var response = await server.CreateClient().SendAsync(McpHttp.StatelessRequest("tools/list"), TestContext.Current.CancellationToken);
        var tools = (await McpHttp.ResponseAsync(response))["result"]!["tools"]!.AsArray();

        var problems = tools.SelectMany(tool => Problems(tool!["inputSchema"]!, tool["name"]!.GetValue<string>())).ToList();
        Assert.Empty(problems);
        var symptom = tools.Single(tool => tool!["name"]!.GetValue<string>() == "trouble_shoot_device")!["inputSchema"]!["properties"]!["symptom"]!;
        Assert.Equal("string", symptom["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryIntegerParameter_DeclaresItsRange(bool conformanceFixtures)
    {
        // Without one, a value its .NET type cannot hold passes the argument validator and fails the SDK's binding
        // with only "An error occurred invoking …".
        using var server = new PrynaiServerFactory(configureServices: conformanceFixtures ? services => services.AddConformanceFixtures() : null);
        using var response = await server.CreateClient().SendAsync(McpHttp.StatelessRequest("tools/list"), TestContext.Current.CancellationToken);
        var tools = (await McpHttp.ResponseAsync(response))["result"]!["tools"]!.AsArray();

        var unbounded = tools.SelectMany(tool => tool!["inputSchema"]!["properties"]?.AsObject() ?? [],
                (tool, property) => (Tool: tool!["name"]!.GetValue<string>(), property.Key, Schema: property.Value!.AsObject()))
            .Where(p => p.Schema["type"]?.ToString() == "integer" && (p.Schema["minimum"] is null || p.Schema["maximum"] is null))
            .Select(p => $"{p.Tool}.{p.Key}");
        Assert.Empty(unbounded);
    }

    private static IEnumerable<string> Problems(JsonNode node, string path)
    {
        if (node is JsonObject schema)
        {
            if (schema["type"] is JsonArray)
            {
                yield return $"{path}: type {schema["type"]!.ToJsonString()}";
            }
            if (schema.TryGetPropertyValue("default", out var value) && value is null)
            {
                yield return $"{path}: default null";
            }
            foreach (var keyword in new[] { "anyOf", "oneOf" })
            {
                if (schema[keyword] is JsonArray branches && branches.Any(b => b?["type"]?.ToString() == "null"))
                {
                    yield return $"{path}: {keyword} with a null branch";
                }
            }
            foreach (var (name, child) in schema)
            {
                if (child is not null && name != "default" && name != "enum" && name != "const")
                {
                    foreach (var problem in Problems(child, $"{path}.{name}"))
                    {
                        yield return problem;
                    }
                }
            }
        }
        else if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is { } child)
                {
                    foreach (var problem in Problems(child, $"{path}[{i}]"))
                    {
                        yield return problem;
                    }
                }
            }
        }
    }
}
