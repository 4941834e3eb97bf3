using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Prynai.SmokeClient.Connection;

// Sampling is deprecated by protocol 2026-07-28 (MCP9005) but the server still asks for it on older revisions and
// through input-required results; the mock model answers both.
#pragma warning disable MCP9005

/// <summary>Opens an MCP client session with the settings given, answering sampling with a mock model when asked to.</summary>
public static class McpConnection
{
    public const string MockPrefix = "MOCK:";

    /// <param name="extensions">Extensions the client declares in its capabilities (e.g. io.modelcontextprotocol/tasks).</param>
    public static Task<McpClient> ConnectAsync(ConnectionSettings settings, McpClientHandlers? handlers, CancellationToken cancellationToken,
        params string[] extensions)
    {
        var headers = new Dictionary<string, string>();
        if (settings.AccessToken is { Length: > 0 } token)
        {
            headers["Authorization"] = $"Bearer {token}";
        }

        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = settings.Url,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = headers,
            Name = "prynai-smoke",
        }, loggerFactory: null);

        handlers ??= new McpClientHandlers();
        if (settings.Sampling)
        {
            handlers.SamplingHandler = MockSampleAsync;
        }

        var options = new McpClientOptions
        {
            ClientInfo = new Implementation { Name = "prynai-smoke", Version = typeof(McpConnection).Assembly.GetName().Version?.ToString() ?? "0" },
            ProtocolVersion = settings.ProtocolVersion,
            // The SDK takes a server/discover unanswered after 5 s for an initialize-only server. A new revision's first
            // request (cold start, JIT) on a busy host can take longer; a server without 2026-07-28 answers it at once
            // with an error, so waiting longer costs nothing there.
            DiscoverProbeTimeout = TimeSpan.FromSeconds(30),
            Handlers = handlers,
            Capabilities = extensions.Length == 0 ? null : new ClientCapabilities
            {
                Extensions = extensions.ToDictionary(name => name, object (_) => new System.Text.Json.Nodes.JsonObject()),
            },
        };
        return McpClient.CreateAsync(transport, options, loggerFactory: null, cancellationToken);
    }

    /// <summary>A stand-in for the client's model: echoes the start of the prompt after "MOCK:".</summary>
    public static ValueTask<CreateMessageResult> MockSampleAsync(CreateMessageRequestParams? request, IProgress<ProgressNotificationValue> progress, CancellationToken cancellationToken)
    {
        var prompt = string.Concat(request?.Messages.SelectMany(m => m.Content).OfType<TextContentBlock>().Select(b => b.Text) ?? []);
        var gist = prompt.Length > 60 ? prompt[..60] + "…" : prompt;
        return ValueTask.FromResult(new CreateMessageResult
        {
            Content = [new TextContentBlock { Text = MockPrefix + gist.ReplaceLineEndings(" ") }],
            Model = "prynai-mock",
            Role = Role.Assistant,
            StopReason = "endTurn",
        });
    }
}
