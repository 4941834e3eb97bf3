// The platform ceiling for bench/run.sh: an ASP.NET Core minimal API that answers POST /mcp with the bytes Prynai
// sends for a 2026-07-28 `tools/call add`, without parsing anything. What Prynai spends beyond this is its own work.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);

var app = builder.Build();
app.MapGet("/livez", () => Results.Text("""{"status":"ok"}""", "application/json"));
app.MapPost("/mcp", async (HttpContext context) =>
{
    await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
    context.Response.ContentType = "text/event-stream";
    await context.Response.Body.WriteAsync(AddResponse.Bytes, context.RequestAborted);
});
app.Run();

/// <summary>Prynai's answer to <c>tools/call add {a:2,b:3}</c> on 2026-07-28: one SSE event carrying the JSON-RPC response.</summary>
internal static class AddResponse
{
    public static ReadOnlyMemory<byte> Bytes { get; } =
        "event: message\ndata: {\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"{\\u0022result\\u0022:5}\"}],\"structuredContent\":{\"result\":5},\"resultType\":\"complete\",\"_meta\":{\"io.modelcontextprotocol/serverInfo\":{\"name\":\"prynai-mcp\",\"title\":\"Prynai MCP\",\"version\":\"1.0.0\"}}},\"id\":1,\"jsonrpc\":\"2.0\"}\n\n"u8.ToArray();
}
