using System.Net;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Transport;

/// <summary>Bad input of every kind gets a precise JSON-RPC or HTTP error, never a 500, and the server keeps serving.</summary>
public sealed class MalformedRequestTests(SharedServer server) : IClassFixture<SharedServer>
{
    private HttpClient Client { get; } = server.Factory.CreateClient();

    public static TheoryData<string, HttpStatusCode, int, string> BadBodies => new()
    {
        { "{\"jsonrpc\":\"2.0\",\"id\":1,", HttpStatusCode.BadRequest, -32700, "not valid JSON" },
        { "not json at all", HttpStatusCode.BadRequest, -32700, "not valid JSON" },
        { "", HttpStatusCode.BadRequest, -32600, "body is empty" },
        { "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", HttpStatusCode.BadRequest, -32600, "batches are not supported" },
        { "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"initialize\"}", HttpStatusCode.BadRequest, -32600, "\"jsonrpc\" must be \"2.0\"" },
        { "{\"id\":1,\"method\":\"initialize\"}", HttpStatusCode.BadRequest, -32600, "\"jsonrpc\" must be \"2.0\"" },
        { "{\"jsonrpc\":\"2.0\",\"id\":1}", HttpStatusCode.BadRequest, -32600, "needs a \"method\"" },
        { "42", HttpStatusCode.BadRequest, -32600, "must be a JSON object" },
        { "{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"ping\"}", HttpStatusCode.BadRequest, -32600, "Invalid JSON-RPC message" },
    };

    [Theory, MemberData(nameof(BadBodies))]
    public async Task Post_BadBody_GetsTheRightError(string body, HttpStatusCode status, int code, string messagePart)
    {
        using var response = await Client.SendAsync(McpHttp.Post(body), Ct);

        Assert.Equal(status, response.StatusCode);
        var error = await McpHttp.ResponseAsync(response);
        Assert.Equal(code, McpHttp.ErrorCode(error));
        Assert.Contains(messagePart, error["error"]!["message"]!.GetValue<string>());
        await AssertStillServingAsync();
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Post_WrongContentType_Is415(string contentType)
    {
        using var response = await Client.SendAsync(McpHttp.Post("{}", contentType: contentType), Ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/event-stream")]
    [InlineData("text/html")]
    public async Task Post_AcceptNotAllowingBothTypes_Is406(string accept)
    {
        using var response = await Client.SendAsync(McpHttp.Initialize().WithAccept(accept), Ct);
        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
    }

    [Theory]
    [InlineData("*/*")]
    [InlineData("application/*, text/*")]
    public async Task Post_WildcardAccept_IsServed(string accept)
    {
        using var response = await Client.SendAsync(McpHttp.Initialize().WithAccept(accept), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("HEAD")]
    public async Task UnsupportedVerb_Is405_WithAllow(string verb)
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(verb), "/mcp"), Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "POST", "DELETE"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Post_BodyOverTheLimit_Is413()
    {
        var padding = new string('x', 1024 * 1024 + 10);
        using var response = await Client.SendAsync(McpHttp.Post($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{{\"p\":\"{padding}\"}}}}"), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("exceeds the limit of 1048576 bytes", (await McpHttp.ResponseAsync(response))["error"]!["message"]!.GetValue<string>());
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Post_ChunkedBodyOverTheLimit_Is413()
    {
        var padding = new string('x', 1024 * 1024 + 10);
        var request = McpHttp.Post($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{{\"p\":\"{padding}\"}}}}");
        request.Content = new StreamContent(new MemoryStream(await request.Content!.ReadAsByteArrayAsync(Ct)));
        request.Content.Headers.ContentType = new("application/json");

        using var response = await Client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Post_RequestWithoutSession_OnTheSessionRevisions_Is400()
    {
        using var response = await Client.SendAsync(McpHttp.Post("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await McpHttp.ResponseAsync(response);
        Assert.Equal(3, error["id"]!.GetValue<int>());
        Assert.Contains("Start a session with an initialize request", error["error"]!["message"]!.GetValue<string>());
    }

    private async Task AssertStillServingAsync()
    {
        using var response = await Client.SendAsync(McpHttp.StatelessRequest("tools/list"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

internal static class RequestExtensions
{
    public static HttpRequestMessage WithAccept(this HttpRequestMessage request, string accept)
    {
        request.Headers.Remove("Accept");
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return request;
    }
}
