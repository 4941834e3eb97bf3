using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Prynai.McpServer.State;
using Prynai.McpServer.State.Stores;
using Prynai.McpServer.Tasks;
using Prynai.McpServer.Tasks.Stores;
using Prynai.McpServer.Transport;
using Prynai.McpServer.Transport.Sessions;
using Prynai.Tests.Infrastructure;
using StackExchange.Redis;

namespace Prynai.Tests.State;

/// <summary>
/// Records written by an earlier Prynai (GoldenRecords/format-1: sessions, event logs, tasks in every state, the live
/// task index, counters, as captured from each store) are read by this code through the same paths a replica uses;
/// and so are the same records carrying fields and a format number this code does not know, as a newer revision may
/// write them (what a rollback reads).
/// </summary>
public sealed class GoldenRecordTests(RedisFixture redis, CosmosFixture cosmos) : IClassFixture<RedisFixture>, IClassFixture<CosmosFixture>, IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly TempDirectory _directory = new("golden");

    [Theory]
    [InlineData("sqlite", false)]
    [InlineData("redis", false)]
    [InlineData("cosmos", false)]
    [InlineData("sqlite", true)]
    [InlineData("redis", true)]
    [InlineData("cosmos", true)]
    public async Task Format1Records_AreReadByThisCode(string store, bool withFieldsFromTheFuture)
    {
        var golden = GoldenRecords.Load("format-1", store);
        if (withFieldsFromTheFuture)
        {
            golden = golden.WithFieldsFromTheFuture();
            Assert.Contains("addedByARevisionFromTheFuture", golden.Document.ToJsonString());
        }
        var time = new PinnedTime(golden.CapturedAt.AddSeconds(1));
        var (state, tasks) = await OpenAsync(golden, time);

        Assert.Equal(42, await state.GetCounterAsync("prynai:counter", Ct));

        var sessions = new SessionRecords(state, Options.Create(new McpTransportOptions()), NullLogger<SessionRecords>.Instance);
        var session = await sessions.FindAsync(golden.SessionId, Ct);
        Assert.NotNull(session);
        Assert.Equal("2025-11-25", session.Initialize.ProtocolVersion);
        Assert.Equal(("golden-client", "1.2.3"), (session.Initialize.ClientInfo.Name, session.Initialize.ClientInfo.Version));
#pragma warning disable MCP9005 // the capabilities the golden session declared, whatever the SDK thinks of them now
        Assert.NotNull(session.Initialize.Capabilities.Sampling);
        Assert.True(session.Initialize.Capabilities.Roots?.ListChanged);
#pragma warning restore MCP9005
        Assert.Null(session.OwnerId);
        Assert.Equal(["prynai://counter"], session.Subscriptions);
        Assert.Equal("debug", session.LogLevel);
        Assert.Null(session.Surface); // format 1 kept no lists: unknown, so the session's next request announces them all

        // The GET stream's log: where the stream started (an empty entry), then the two counter changes, in id order.
        var events = await state.ReadEventsAsync(golden.SessionId, 0, Ct);
        Assert.Equal(3, events.Count);
        Assert.Equal("", events[0].Data);
        Assert.All(events.Skip(1), e => Assert.Contains("\"notifications/resources/updated\"", e.Data));
        Assert.Equal(events.Select(e => e.Id).Order(), events.Select(e => e.Id));
        Assert.Equal(events.Skip(1).ToList(), await state.ReadEventsAsync(golden.SessionId, events[0].Id, Ct));

        var completed = await tasks.GetAsync(golden.Task("completed"), Ct);
        Assert.Equal(TaskStatuses.Completed, completed!.Status);
        Assert.Equal("done", completed.Result!.Value.GetProperty("structuredContent").GetProperty("status").GetString());
        var waiting = await tasks.GetAsync(golden.Task("inputRequired"), Ct);
        Assert.Equal(TaskStatuses.InputRequired, waiting!.Status);
        Assert.Equal("restart_confirmation", Assert.Single(waiting.InputRequests!).Value.Key);
        Assert.Equal("elicitation/create", waiting.InputRequests!.Single().Value.Request.GetProperty("method").GetString());
        var working = await tasks.GetAsync(golden.Task("working"), Ct);
        Assert.Equal(TaskStatuses.Working, working!.Status);
        Assert.NotNull(working.Owner);
        Assert.Equal(100, working.Arguments!.Value.GetProperty("steps").GetInt32());
        Assert.Equal(TaskStatuses.Cancelled, (await tasks.GetAsync(golden.Task("cancelled"), Ct))!.Status);
        var failed = await tasks.GetAsync(golden.Task("failed"), Ct);
        Assert.Equal(TaskStatuses.Failed, failed!.Status);
        Assert.Equal(-32603, failed.Error!.Value.GetProperty("code").GetInt32());

        var live = await tasks.ListLiveAsync(Ct);
        Assert.Equal(new[] { golden.Task("inputRequired"), golden.Task("working") }.Order(), live.Select(t => t.Id).Order());
        Assert.Equal(working.Owner, live.Single(t => t.Id == working.Id).Owner);

        // Still writable by this code: a transition of an old record, and a counter step. The new expiry is set from the
        // real clock: Redis expires a key against its own clock, which the pinned time does not move.
        var update = await tasks.UpdateAsync(working.Id, task => task with { StatusMessage = "step 9/100", ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) }, Ct);
        Assert.True(update is { Changed: true });
        Assert.Equal("step 9/100", (await tasks.GetAsync(working.Id, Ct))!.StatusMessage);
        Assert.Equal(43, await state.IncrementCounterAsync("prynai:counter", 1, Ct));
    }

    private async Task<(IStateStore State, ITaskStore Tasks)> OpenAsync(GoldenRecords golden, TimeProvider time)
    {
        switch (golden.Store)
        {
            case "sqlite":
            {
                var path = _directory.File("prynai.db");
                golden.WriteSqlite(path);
                var state = new SqliteStateStore(path, time, NullLogger<SqliteStateStore>.Instance);
                _owned.Add(state);
                return (state, new SqliteTaskStore(path, time));
            }
            case "redis":
            {
                var connection = await ConnectionMultiplexer.ConnectAsync(RedisConnection.Parse(redis.Server.Url));
                _owned.Add(connection);
                var db = connection.GetDatabase();
                await golden.WriteRedisAsync(db);
                return (new RedisStateStore(connection, new StoreAvailability(time, NullLogger<StoreAvailability>.Instance), NullLogger<RedisStateStore>.Instance), new RedisTaskStore(connection, time));
            }
            default:
            {
                var options = new CosmosStateOptions
                {
                    DatabaseName = $"golden-{Guid.NewGuid():N}",
                    ConnectionMode = "Gateway",
                    LimitToEndpoint = true,
                    EmulatorCompatibility = true,
                };
                var state = new CosmosStateStore(CosmosConnection.CreateClient(cosmos.Server.ConnectionString, options), options, time, NullLogger<CosmosStateStore>.Instance);
                _owned.Add(state);
                await state.StartAsync(Ct);
                await golden.WriteCosmosAsync(await state.ContainerAsync(Ct));
                return (state, new CosmosTaskStore(state.ContainerAsync, time));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
        _directory.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}
