using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Prynai.McpServer.State;
using Prynai.McpServer.State.Stores;
using Prynai.McpServer.Tasks;
using Prynai.McpServer.Tasks.Stores;
using Prynai.Tests.Infrastructure;
using Prynai.Tests.State;
using StackExchange.Redis;

namespace Prynai.Tests.Tasks;

/// <summary>
/// What every task store must do, run against each real backend (SQLite file, redis-server, Cosmos protocol server).
/// Two instances over one backend behave as two replicas. Each test uses its own callers, so the backend can be shared.
/// </summary>
public abstract class TaskStoreContract : IAsyncDisposable
{
    private static readonly TaskLimits Roomy = new(100, 10_000);
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly List<IAsyncDisposable> _owned = [];

    /// <summary>A new store instance over the shared backend.</summary>
    protected abstract Task<ITaskStore> OpenStoreAsync();

    protected void Own(IAsyncDisposable resource) => _owned.Add(resource);

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var resource in _owned)
        {
            await resource.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Create_ThenGet_RoundTripsTheRecord()
    {
        var store = await OpenStoreAsync();
        var task = NewTask("alice") with
        {
            Arguments = JsonSerializer.SerializeToElement(new Dictionary<string, int> { ["steps"] = 3 }),
            StatusMessage = "Working.",
        };

        await store.CreateAsync(task, Roomy, Ct);
        var read = await store.GetAsync(task.Id, Ct);

        Assert.NotNull(read);
        Assert.NotNull(read.Version);
        Assert.Equal((task.Id, task.Requester, task.Tool, task.Status, task.StatusMessage, task.Owner), (read.Id, read.Requester, read.Tool, read.Status, read.StatusMessage, read.Owner));
        Assert.Equal(task.CreatedAt.ToUnixTimeMilliseconds(), read.CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(task.Deadline.ToUnixTimeMilliseconds(), read.Deadline.ToUnixTimeMilliseconds());
        Assert.Equal(3, read.Arguments!.Value.GetProperty("steps").GetInt32());
        Assert.Null(await store.GetAsync("no-such-task-" + _run, Ct));
    }

    [Fact]
    public async Task Create_RefusesACallerBeyondItsLimit_CountingOnlyLiveTasks()
    {
        var store = await OpenStoreAsync();
        var limits = new TaskLimits(PerRequester: 2, Total: 10_000);
        var first = NewTask("bob");
        await store.CreateAsync(first, limits, Ct);
        await store.CreateAsync(NewTask("bob"), limits, Ct);

        var refused = await Assert.ThrowsAsync<TaskLimitExceededException>(() => store.CreateAsync(NewTask("bob"), limits, Ct));
        Assert.Contains("Tasks:MaxLiveTasksPerCaller = 2", refused.Message);
        await store.CreateAsync(NewTask("carol"), limits, Ct); // another caller has its own allowance

        await store.UpdateAsync(first.Id, t => t with { Status = TaskStatuses.Completed, Owner = null }, Ct);
        await store.CreateAsync(NewTask("bob"), limits, Ct); // an ended task no longer counts
    }

    [Fact]
    public async Task Create_RefusesBeyondTheTotalOfAllCallers()
    {
        var store = await OpenStoreAsync();
        var limits = new TaskLimits(PerRequester: 100, Total: (await store.ListLiveAsync(Ct)).Count + 1);
        await store.CreateAsync(NewTask("dave"), limits, Ct);

        var refused = await Assert.ThrowsAsync<TaskLimitExceededException>(() => store.CreateAsync(NewTask("erin"), limits, Ct));
        Assert.Contains($"Tasks:MaxLiveTasks = {limits.Total}", refused.Message);
    }

    [Fact]
    public async Task ConcurrentCreatesFromTwoInstances_NeverExceedTheLimit()
    {
        var (a, b) = (await OpenStoreAsync(), await OpenStoreAsync());
        var limits = new TaskLimits(PerRequester: 4, Total: 10_000);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            try
            {
                await (i % 2 == 0 ? a : b).CreateAsync(NewTask("frank"), limits, Ct);
                return true;
            }
            catch (TaskLimitExceededException)
            {
                return false;
            }
        }));

        Assert.Equal(4, attempts.Count(created => created));
        Assert.Equal(4, (await a.ListLiveAsync(Ct)).Count(t => t.Requester == Caller("frank")));
    }

    [Fact]
    public async Task ConcurrentUpdatesFromTwoInstances_LoseNothing()
    {
        var (a, b) = (await OpenStoreAsync(), await OpenStoreAsync());
        var task = NewTask("grace");
        await a.CreateAsync(task, Roomy, Ct);

        var updates = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? a : b).UpdateAsync(task.Id, t => t with
        {
            InputResponses = new Dictionary<string, JsonElement>(t.InputResponses ?? []) { [$"k{i}"] = JsonSerializer.SerializeToElement(i) },
        }, Ct)));

        Assert.All(updates, u => Assert.True(u!.Changed));
        var final = await b.GetAsync(task.Id, Ct);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"k{i}").Order(), final!.InputResponses!.Keys.Order());
    }

    [Fact]
    public async Task Update_SeesTheCurrentRecord_AndCanDecline()
    {
        var store = await OpenStoreAsync();
        var task = NewTask("heidi");
        await store.CreateAsync(task, Roomy, Ct);

        var declined = await store.UpdateAsync(task.Id, _ => null, Ct);
        var changed = await store.UpdateAsync(task.Id, t => t with { StatusMessage = "step 1/3" }, Ct);
        var missing = await store.UpdateAsync("no-such-task-" + _run, t => t, Ct);

        Assert.False(declined!.Changed);
        Assert.Equal(task.Id, declined.Task.Id);
        Assert.True(changed!.Changed);
        Assert.NotEqual(declined.Task.Version, changed.Task.Version);
        Assert.Equal("step 1/3", (await store.GetAsync(task.Id, Ct))!.StatusMessage);
        Assert.Null(missing);
    }

    [Fact]
    public async Task ListLive_ShowsWorkingAndWaitingTasks_WithTheirOwner_NotEndedOnes()
    {
        var (a, b) = (await OpenStoreAsync(), await OpenStoreAsync());
        var (working, waiting, ended) = (NewTask("ivan"), NewTask("ivan"), NewTask("ivan"));
        foreach (var task in new[] { working, waiting, ended })
        {
            await a.CreateAsync(task, Roomy, Ct);
        }
        await a.UpdateAsync(waiting.Id, t => t with { Status = TaskStatuses.InputRequired, Owner = null, OwnerSince = null }, Ct);
        await a.UpdateAsync(ended.Id, t => t with { Status = TaskStatuses.Failed, Owner = null }, Ct);
        await a.UpdateAsync(working.Id, t => t with { Owner = "replica-b" }, Ct);

        var live = (await b.ListLiveAsync(Ct)).Where(t => t.Requester == Caller("ivan")).ToDictionary(t => t.Id);

        Assert.Equal(new[] { working.Id, waiting.Id }.Order(), live.Keys.Order());
        Assert.Equal("replica-b", live[working.Id].Owner);
        Assert.Null(live[waiting.Id].Owner);
    }

    [Fact]
    public async Task Delete_RemovesTheTask_AndFreesItsSlot()
    {
        var store = await OpenStoreAsync();
        var limits = new TaskLimits(PerRequester: 1, Total: 10_000);
        var task = NewTask("judy");
        await store.CreateAsync(task, limits, Ct);

        await store.DeleteAsync(task.Id, Ct);

        Assert.Null(await store.GetAsync(task.Id, Ct));
        Assert.DoesNotContain(await store.ListLiveAsync(Ct), t => t.Id == task.Id);
        await store.CreateAsync(NewTask("judy"), limits, Ct);
    }

    [Fact]
    public async Task Task_IsGoneAfterItExpires()
    {
        var store = await OpenStoreAsync();
        var now = DateTimeOffset.UtcNow;
        var task = NewTask("mallory") with { Status = TaskStatuses.Completed, Owner = null, Deadline = now.AddSeconds(1), ExpiresAt = now.AddSeconds(1) };
        await store.CreateAsync(task, Roomy, Ct);
        Assert.NotNull(await store.GetAsync(task.Id, Ct));

        await Task.Delay(TimeSpan.FromSeconds(1.6), Ct);

        Assert.Null(await store.GetAsync(task.Id, Ct));
        Assert.Null(await store.UpdateAsync(task.Id, t => t with { StatusMessage = "too late" }, Ct));
    }

    private string Caller(string name) => $"https://issuer.test|tenant|{name}-{_run}";

    private TaskRecord NewTask(string caller)
    {
        var now = DateTimeOffset.UtcNow;
        return new TaskRecord
        {
            Id = Guid.NewGuid().ToString("N"),
            Requester = Caller(caller),
            Tool = "long_task",
            Status = TaskStatuses.Working,
            CreatedAt = now,
            LastUpdatedAt = now,
            Deadline = now.AddMinutes(10),
            ExpiresAt = now.AddMinutes(20),
            PollIntervalMs = 1000,
            Owner = "replica-a",
            OwnerSince = now,
        };
    }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;
}

public sealed class SqliteTaskStoreContractTests : TaskStoreContract, IDisposable
{
    private readonly TempDirectory _directory = new();

    protected override Task<ITaskStore> OpenStoreAsync() => Task.FromResult<ITaskStore>(new SqliteTaskStore(_directory.File("state.db"), TimeProvider.System));

    public void Dispose() => _directory.Dispose();
}

public sealed class RedisTaskStoreContractTests(RedisFixture redis) : TaskStoreContract, IClassFixture<RedisFixture>
{
    protected override async Task<ITaskStore> OpenStoreAsync()
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(RedisConnection.Parse(redis.Server.Url));
        Own(connection);
        return new RedisTaskStore(connection, TimeProvider.System);
    }
}

public sealed class CosmosTaskStoreContractTests(CosmosFixture cosmos) : TaskStoreContract, IClassFixture<CosmosFixture>
{
    protected override async Task<ITaskStore> OpenStoreAsync()
    {
        var options = new CosmosStateOptions { ConnectionMode = "Gateway", LimitToEndpoint = true, EmulatorCompatibility = true };
        var state = new CosmosStateStore(CosmosConnection.CreateClient(cosmos.Server.ConnectionString, options), options,
            TimeProvider.System, NullLogger<CosmosStateStore>.Instance);
        Own(state);
        await state.StartAsync(Ct);
        return new CosmosTaskStore(state.ContainerAsync, TimeProvider.System);
    }
}
