using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using Prynai.McpServer.Revisions;
using Prynai.McpServer.State;
using Prynai.McpServer.State.Stores;
using Prynai.McpServer.Tasks;
using Prynai.McpServer.Tasks.Stores;
using Prynai.McpServer.Transport;
using Prynai.McpServer.Transport.Sessions;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.State;

/// <summary>What this code writes carries its format number (docs/state.md, "Record formats"), and reads back whole.</summary>
public sealed class RecordFormatTests : IAsyncDisposable
{
    private readonly TempDirectory _directory = new("formats");
    private readonly SqliteStateStore _store;

    public RecordFormatTests() => _store = new SqliteStateStore(_directory.File("state.db"), TimeProvider.System, NullLogger<SqliteStateStore>.Instance);

    [Fact]
    public async Task ASessionRecord_IsFormat2_WithTheListsTheSessionWasShown()
    {
        var sessions = new SessionRecords(_store, Options.Create(new McpTransportOptions()), NullLogger<SessionRecords>.Instance);
        var surface = new SurfaceFingerprint("t1", "p1", "r1");
        var initialize = new InitializeRequestParams
        {
            ProtocolVersion = "2025-11-25",
            Capabilities = new ClientCapabilities(),
            ClientInfo = new Implementation { Name = "formats", Version = "1" },
        };
        Assert.True(await sessions.SaveAsync("s1", new SessionRecord(initialize, "owner", ["prynai://counter"], "info", surface), Ct));

        var stored = JsonNode.Parse((await _store.GetValueAsync("prynai:session:s1", Ct))!)!.AsObject();
        Assert.Equal(RecordFormats.Session, RecordFormats.Of(stored));
        Assert.Equal(2, stored["format"]!.GetValue<int>());
        var read = await sessions.FindAsync("s1", Ct);
        Assert.Equal(surface, read!.Surface);
        Assert.Equal(["prynai://counter"], read.Subscriptions);
    }

    [Fact]
    public async Task ATaskRecord_AndItsLiveEntry_AreFormat2()
    {
        var tasks = new SqliteTaskStore(_directory.File("state.db"), TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        var task = new TaskRecord
        {
            Id = "t-formats", Requester = "anonymous", Tool = "long_task", Status = TaskStatuses.Working,
            CreatedAt = now, LastUpdatedAt = now, Deadline = now.AddMinutes(5), ExpiresAt = now.AddMinutes(10), Owner = "replica-a", OwnerSince = now,
        };
        await tasks.CreateAsync(task, new TaskLimits(10, 10), Ct);

        Assert.Equal(RecordFormats.Task, (await tasks.GetAsync(task.Id, Ct))!.Format);
        var live = Assert.Single(await tasks.ListLiveAsync(Ct));
        Assert.Equal(TaskStatuses.Working, live.Status);
        Assert.False(live.AwaitsClaim);

        // Handed over by a draining replica: working, owned by nobody, claimable — and claimed once.
        await tasks.UpdateAsync(task.Id, t => TaskTransitions.HandedOver(t, "replica-a", DateTimeOffset.UtcNow), Ct);
        Assert.True(Assert.Single(await tasks.ListLiveAsync(Ct)).AwaitsClaim);
        Assert.True((await tasks.UpdateAsync(task.Id, t => TaskTransitions.Claimed(t, "replica-b", DateTimeOffset.UtcNow), Ct))!.Changed);
        Assert.False((await tasks.UpdateAsync(task.Id, t => TaskTransitions.Claimed(t, "replica-c", DateTimeOffset.UtcNow), Ct))!.Changed);
        Assert.Equal("replica-b", (await tasks.GetAsync(task.Id, Ct))!.Owner);
    }

    [Fact]
    public void TheFormatOfAJsonRecord_IsItsNumber_Or1WithoutOne()
    {
        Assert.Equal(1, RecordFormats.Of(new JsonObject { ["initialize"] = new JsonObject() }));
        Assert.Equal(7, RecordFormats.Of(RecordFormats.Stamp(new JsonObject(), 7)));
        Assert.Equal(1, RecordFormats.Of((int?)null));
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}
