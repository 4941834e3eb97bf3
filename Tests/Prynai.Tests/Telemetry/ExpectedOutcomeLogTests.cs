using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using Prynai.McpServer.State;
using Prynai.McpServer.Transport;
using Prynai.McpServer.Transport.Sessions;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Telemetry;

/// <summary>
/// Logs a person can read: what the caller caused and was told about (an unknown tool, a refused role, a missing
/// resource, a closed stream, a malformed request) is never an error with a stack; the unexpected is, exactly once.
/// </summary>
public sealed class ExpectedOutcomeLogTests
{
    [Fact]
    public async Task CallerCausedOutcomes_OnBothGenerations_LogNothingAtErrorAndNoStack()
    {
        var logs = new CapturedLogs();
        await using var server = KestrelServer.Start(logs);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var session = await McpSessions.InitializeAsync(http);

        foreach (var (method, parameters, name) in new (string, JsonObject, string)[]
        {
            ("tools/call", new JsonObject { ["name"] = "no_such_tool", ["arguments"] = new JsonObject() }, "no_such_tool"),
            ("tools/call", new JsonObject { ["name"] = "reset_counter", ["arguments"] = new JsonObject() }, "reset_counter"),
            ("tools/call", new JsonObject { ["name"] = "divide", ["arguments"] = new JsonObject { ["a"] = 1, ["b"] = 0 } }, "divide"),
            ("resources/read", new JsonObject { ["uri"] = "prynai://nothing" }, "prynai://nothing"),
            ("resources/read", new JsonObject { ["uri"] = "customer://C9999" }, "customer://C9999"),
            ("prompts/get", new JsonObject { ["name"] = "quick_summary", ["arguments"] = new JsonObject { ["tone"] = "angry" } }, "quick_summary"),
            ("prompts/get", new JsonObject { ["name"] = "no_such_prompt" }, "no_such_prompt"),
        })
        {
            using var stateless = await http.SendAsync(McpHttp.StatelessRequest(method, parameters.DeepClone().AsObject(), name: name), Ct);
            var statelessAnswer = await McpHttp.ResponseAsync(stateless);
            Assert.True(statelessAnswer["error"] is not null || statelessAnswer["result"]!["isError"]?.GetValue<bool>() == true, $"{method} {name} should fail");
            using var onSession = await http.SendAsync(McpHttp.SessionRequest(session, method, parameters.DeepClone().AsObject(), id: 3), Ct);
            await McpHttp.ResponseAsync(onSession);
        }

        // A listen stream the client closes, and a session GET stream the client closes.
        await using (var listen = await SseStream.OpenAsync(http, McpHttp.StatelessRequest("subscriptions/listen",
            new JsonObject { ["notifications"] = new JsonObject { ["toolsListChanged"] = true } })))
        {
            await listen.NextAsync();
        }
        var get = new HttpRequestMessage(HttpMethod.Get, "/mcp") { Headers = { { "Accept", "text/event-stream" }, { "Mcp-Session-Id", session } } };
        await (await SseStream.OpenAsync(http, get)).DisposeAsync();

        // A request Kestrel itself finds malformed (a chunk size that overflows).
        var broken = await RawHttp.SendAsync(server.BaseAddress, new RawHttpRequest("POST", [("Content-Type", "application/json"u8.ToArray())],
            "{}"u8.ToArray(), BodyFraming.ChunkSizeOverflow, "chunk overflow"), TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(400, broken.Status);
        Assert.Contains("could not be read", broken.Body);

        await Task.Delay(500, Ct); // stream ends are logged as they unwind
        Assert.Empty(logs.Failures.Select(entry => entry.ToString()));
        Assert.Empty(logs.WithStacks.Select(entry => entry.ToString()));
    }

    [Fact]
    public async Task AnUnexpectedFailure_IsLoggedOnceAtError_WithTheException()
    {
        var logs = new CapturedLogs();
        using var server = new PrynaiServerFactory(configureServices: services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            services.AddSingleton(McpServerTool.Create((Func<string>)(() => throw new InvalidOperationException("a bug")),
                new McpServerToolCreateOptions { Name = "explode" }));
        });
        var http = server.CreateClient();

        using var response = await http.SendAsync(McpHttp.StatelessRequest("tools/call",
            new JsonObject { ["name"] = "explode", ["arguments"] = new JsonObject() }, name: "explode"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await McpHttp.ResponseAsync(response))["result"]!["isError"]!.GetValue<bool>());
        var failure = Assert.Single(logs.Failures);
        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.Equal("a bug", Assert.IsType<InvalidOperationException>(failure.Exception).Message);
    }

    [Fact]
    public async Task AStoreOutage_IsOneWarning_ThenDebug_ThenOneLineWithItsDuration()
    {
        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var clock = new ManualClock();
        var availability = new StoreAvailability(clock, factory.CreateLogger<StoreAvailability>());
        var store = new SwitchableStore();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var telemetry = new Prynai.McpServer.Telemetry.PrynaiTelemetry(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var instrumented = new Prynai.McpServer.Telemetry.InstrumentedStateStore(store, telemetry, availability);
        var directory = new SessionRecords(instrumented, Options.Create(new McpTransportOptions()), factory.CreateLogger<SessionRecords>());
        var record = new SessionRecord(new ModelContextProtocol.Protocol.InitializeRequestParams
        {
            ProtocolVersion = "2025-11-25",
            Capabilities = new(),
            ClientInfo = new() { Name = "c", Version = "1" },
        }, null, []);

        store.Down = true;
        for (var i = 0; i < 50; i++)
        {
            Assert.False(await directory.SaveAsync($"s{i}", record, Ct));
        }
        Assert.False(availability.IsAvailable);
        clock.Advance(TimeSpan.FromSeconds(42.5));
        store.Down = false;
        Assert.True(await directory.SaveAsync("s-back", record, Ct));
        Assert.True(await directory.SaveAsync("s-again", record, Ct));

        var warning = Assert.Single(logs.Entries, entry => entry.Level >= LogLevel.Warning);
        Assert.Null(warning.Exception);
        Assert.Contains("The test state store is unavailable (the cache is down)", warning.Message);
        Assert.Contains("sessions keep working on this replica but cannot move to another", warning.Message);
        var recovered = Assert.Single(logs.Entries, entry => entry.Level == LogLevel.Information);
        Assert.Equal("The test state store answers again after an outage of 42.5 s", recovered.Message);
        Assert.Equal(49 + 50, logs.Entries.Count(entry => entry.Level == LogLevel.Debug));
        Assert.True(availability.IsAvailable);
    }

    /// <summary>A clock the test moves.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    /// <summary>A store whose values can be made unavailable at will.</summary>
    private sealed class SwitchableStore : IStateStore
    {
        public bool Down { get; set; }

        public string Kind => "test";

        public Task SetValueAsync(string key, string value, TimeSpan? timeToLive, CancellationToken cancellationToken) =>
            Down ? throw new StateStoreUnavailableException(Kind, new TimeoutException("the cache is down")) : Task.CompletedTask;

        public Task<long> GetCounterAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<long> IncrementCounterAsync(string name, long delta, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task SetCounterAsync(string name, long value, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<string?> GetValueAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<bool> DeleteValueAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task PublishAsync(StateChange change, CancellationToken cancellationToken) => throw new NotSupportedException();
        public IDisposable Subscribe(Func<StateChange, Task> handler) => throw new NotSupportedException();
        public Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<AppendedEvent> AppendEventAsync(string log, string data, EventLogLimits limits, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<LoggedEvent>> ReadEventsAsync(string log, long afterId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task DeleteEventLogAsync(string log, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}
