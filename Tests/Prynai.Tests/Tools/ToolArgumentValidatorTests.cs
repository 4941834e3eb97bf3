using System.Text.Json;
using ModelContextProtocol.Server;
using Prynai.McpServer.Tools;

namespace Prynai.Tests.Tools;

/// <summary>The argument validator on the hot path: a valid call costs no allocation; what passes, binds.</summary>
public sealed class ToolArgumentValidatorTests
{
    private static readonly McpServerTool Tool = McpServerTool.Create(
        (double a, long steps, string label, string? note = null) => $"{a} {steps} {label} {note}", new McpServerToolCreateOptions { Name = "sample" });

    [Fact]
    public void ValidArguments_AllocateNothing()
    {
        var arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"a":2.5,"steps":3,"label":"x"}""")!;
        ToolArgumentValidator.Validate(Tool, arguments); // compiles the schema once

        var problems = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            problems += ToolArgumentValidator.Validate(Tool, arguments).Count;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, problems);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void IntegralNumbersForAnInteger_AreRewrittenAsPlainIntegers_AndNullForAnOptionalIsDropped()
    {
        var arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"a":1,"steps":3.0,"label":"x","note":null}""")!;

        Assert.Empty(ToolArgumentValidator.Validate(Tool, arguments));
        Assert.Equal("3", arguments["steps"].GetRawText());
        Assert.False(arguments.ContainsKey("note"));
    }
}
