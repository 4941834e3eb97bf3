using ModelContextProtocol.Client;
using Prynai.AppHost.Tests.Infrastructure;

namespace Prynai.AppHost.Tests;

/// <summary>
/// Two server processes behind Aspire's proxy sharing one Redis: nothing about a request depends on the replica that
/// serves it. Which replica served what is read from the spans each one exports (service.instance.id).
/// </summary>
[Collection(TwoReplicaCollection.Name)]
public sealed class ReplicaTests(TwoReplicaAppHost host)
{
    private const int Calls = 200;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConcurrentBumpCounterCallsOnBothReplicas_SumExactly()
    {
        await using var client = await McpClients.ConnectAsync(host.McpEndpoint, McpClients.Stateless, newConnectionPerRequest: true, cancellationToken: Cancellation);
        await client.CallToolAsync("set_counter", new Dictionary<string, object?> { ["value"] = 0 }, cancellationToken: Cancellation);

        var results = await Task.WhenAll(Enumerable.Range(0, Calls).Select(_ =>
            client.CallToolAsync("bump_counter", new Dictionary<string, object?> { ["step"] = 1 }, cancellationToken: Cancellation).AsTask()));

        Assert.All(results, result => Assert.NotEqual(true, result.IsError));
        // Every increment was atomic: the values returned are exactly 1..200, each once.
        Assert.Equal(Enumerable.Range(1, Calls).Select(value => (long)value),
            results.Select(result => result.StructuredContent!.Value.GetProperty("value").GetInt64()).Order());
        var counter = await client.ReadResourceAsync("prynai://counter", cancellationToken: Cancellation);
        Assert.Equal(Calls.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Assert.IsType<ModelContextProtocol.Protocol.TextResourceContents>(Assert.Single(counter.Contents)).Text);

        await AssertServedByEveryReplicaAsync("bump_counter");
    }

    [Fact]
    public async Task Session20251125_KeepsWorking_WhicheverReplicaServesIt()
    {
        await using var client = await McpClients.ConnectAsync(host.McpEndpoint, McpClients.Session, newConnectionPerRequest: true, cancellationToken: Cancellation);
        Assert.Equal(McpClients.Session, client.NegotiatedProtocolVersion);
        var session = client.SessionId!;

        for (var i = 0; i < 20; i++)
        {
            var sum = await client.CallToolAsync("add", new Dictionary<string, object?> { ["a"] = i, ["b"] = 1 }, cancellationToken: Cancellation);
            Assert.NotEqual(true, sum.IsError);
            Assert.Equal(i + 1, sum.StructuredContent!.Value.GetProperty("result").GetDouble());
            var tools = await client.ListToolsAsync(cancellationToken: Cancellation);
            Assert.Contains(tools, tool => tool.Name == "add");
        }

        await AssertServedByEveryReplicaAsync(session);
    }

    /// <summary>Each replica exported spans that carry the marker (a tool name, a session id).</summary>
    private async Task AssertServedByEveryReplicaAsync(string marker)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        var replicas = await host.ReplicaInstanceIdsAsync(timeout.Token);
        Assert.Equal(host.Replicas, replicas.Count);
        await Eventually.TrueAsync(
            () => replicas.All(replica => host.Telemetry.ExportsFrom(replica, "traces").Any(export => export.Contains(marker, StringComparison.Ordinal))),
            $"spans carrying '{marker}' from each of {string.Join(", ", replicas)}");
    }
}
