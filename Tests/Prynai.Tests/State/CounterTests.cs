using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Prynai.McpServer.State;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.State;

/// <summary>The shared counter over the embedded SQLite store: atomic, durable, announced.</summary>
public sealed class CounterTests
{
    [Fact]
    public async Task TwoHundredConcurrentBumps_SumExactly()
    {
        using var server = new PrynaiServerFactory();
        await using var client = await server.ConnectAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ =>
            client.CallToolAsync("bump_counter", new Dictionary<string, object?> { ["step"] = 1 }, cancellationToken: Ct).AsTask()));

        Assert.All(results, result => Assert.NotEqual(true, result.IsError));
        var values = results.Select(r => r.StructuredContent!.Value.GetProperty("value").GetInt64()).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), values);
        Assert.Equal("200", await McpClientCalls.ReadTextAsync(client, "prynai://counter"));
    }

    [Fact]
    public async Task Counter_SurvivesARestart()
    {
        using var state = new TempDirectory();
        using (var first = new PrynaiServerFactory(stateDirectory: state.Path))
        {
            await using var client = await first.ConnectAsync();
            await client.CallToolAsync("set_counter", new Dictionary<string, object?> { ["value"] = 40 }, cancellationToken: Ct);
            await client.CallToolAsync("bump_counter", new Dictionary<string, object?> { ["step"] = 2 }, cancellationToken: Ct);
        }

        using var second = new PrynaiServerFactory(stateDirectory: state.Path);
        await using var again = await second.ConnectAsync("2025-11-25");
        Assert.Equal("42", await McpClientCalls.ReadTextAsync(again, "prynai://counter"));
    }

    [Fact]
    public async Task BumpPastTheLargestValue_IsAClearToolError_AndChangesNothing()
    {
        using var server = new PrynaiServerFactory();
        await using var client = await server.ConnectAsync();

        var tooLarge = await client.CallToolAsync("set_counter", new Dictionary<string, object?> { ["value"] = long.MaxValue }, cancellationToken: Ct);
        Assert.True(tooLarge.IsError);
        Assert.Equal("Invalid arguments for tool 'set_counter': 'value' must be at most 9007199254740991.", Text(tooLarge));

        await client.CallToolAsync("set_counter", new Dictionary<string, object?> { ["value"] = CounterRange.Limit }, cancellationToken: Ct);
        var bump = await client.CallToolAsync("bump_counter", new Dictionary<string, object?> { ["step"] = 1 }, cancellationToken: Ct);

        Assert.True(bump.IsError);
        Assert.Equal("bump_counter refused: Adding 1 to counter 'prynai:counter' would take it beyond ±9007199254740991, the largest value a counter holds; " +
                     "the counter is unchanged.", Text(bump));
        Assert.Equal("9007199254740991", await McpClientCalls.ReadTextAsync(client, "prynai://counter"));
        var down = await client.CallToolAsync("bump_counter", new Dictionary<string, object?> { ["step"] = -1 }, cancellationToken: Ct);
        Assert.Equal(CounterRange.Limit - 1, down.StructuredContent!.Value.GetProperty("value").GetInt64());
    }

    [Fact]
    public async Task ACounterLeftAsAFloatByAnEarlierOverflow_IsRepairedAtStart()
    {
        using var state = new TempDirectory();
        using (var first = new PrynaiServerFactory(stateDirectory: state.Path))
        {
            await using var client = await first.ConnectAsync();
            await client.CallToolAsync("set_counter", new Dictionary<string, object?> { ["value"] = 1 }, cancellationToken: Ct);
        }
        // What SQLite stored when an unbounded bump overflowed: 9223372036854775807 + 1 as a float.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={state.File("prynai.db")};Pooling=false"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE counters SET value = 9223372036854775807 + 1";
            await command.ExecuteNonQueryAsync(Ct);
        }

        using var second = new PrynaiServerFactory(stateDirectory: state.Path);
        await using var again = await second.ConnectAsync();
        Assert.Equal(CounterRange.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture), await McpClientCalls.ReadTextAsync(again, "prynai://counter"));
        var bump = await again.CallToolAsync("bump_counter", new Dictionary<string, object?> { ["step"] = -1 }, cancellationToken: Ct);
        Assert.Equal(CounterRange.Limit - 1, bump.StructuredContent!.Value.GetProperty("value").GetInt64());
    }

    private static string Text(CallToolResult result) => ((TextContentBlock)result.Content[0]).Text;

    [Fact]
    public async Task SessionSubscriber_HearsEveryChange_MadeByAnyClient()
    {
        using var server = new PrynaiServerFactory();
        await using var subscriber = await server.ConnectAsync("2025-11-25");
        var updates = 0;
        await using var subscription = await subscriber.SubscribeToResourceAsync("prynai://counter", (notification, _) =>
        {
            Assert.Equal("prynai://counter", notification.Uri);
            Interlocked.Increment(ref updates);
            return default;
        }, cancellationToken: Ct);

        await using var other = await server.ConnectAsync();
        await other.CallToolAsync("bump_counter", cancellationToken: Ct);
        await other.CallToolAsync("set_counter", new Dictionary<string, object?> { ["value"] = 7 }, cancellationToken: Ct);

        await Eventually.TrueAsync(() => Volatile.Read(ref updates) == 2);
    }

    [Fact]
    public async Task SessionSubscriber_AfterUnsubscribe_HearsNothing()
    {
        using var server = new PrynaiServerFactory();
        await using var subscriber = await server.ConnectAsync("2025-11-25");
        // Counted by a raw handler: the subscription's own handler stops on unsubscribe whatever the server sends.
        var updates = 0;
        await using var counting = subscriber.RegisterNotificationHandler(NotificationMethods.ResourceUpdatedNotification, (_, _) =>
        {
            Interlocked.Increment(ref updates);
            return default;
        });
        await using (await subscriber.SubscribeToResourceAsync("prynai://counter", (_, _) => default, cancellationToken: Ct))
        {
            await subscriber.CallToolAsync("bump_counter", cancellationToken: Ct);
            await Eventually.TrueAsync(() => Volatile.Read(ref updates) == 1);
        }

        await subscriber.CallToolAsync("bump_counter", cancellationToken: Ct);
        await Task.Delay(300, Ct);
        Assert.Equal(1, Volatile.Read(ref updates));
    }

    [Fact]
    public async Task Subscribe_ToAnUnknownResource_IsRefused()
    {
        using var server = new PrynaiServerFactory();
        await using var client = await server.ConnectAsync("2025-11-25");

        var error = await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(() =>
            client.SubscribeToResourceAsync("prynai://nope", cancellationToken: Ct));
        Assert.Equal(ModelContextProtocol.McpErrorCode.ResourceNotFound, error.ErrorCode);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}
