using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ModelContextProtocol.Server;
using Prynai.McpServer.State;

namespace Prynai.McpServer.Tools;

/// <summary>bump_counter and set_counter: change the shared counter; subscribers of prynai://counter are notified.</summary>
[McpServerToolType]
public sealed class CounterTools
{
    public const long MaxStep = 1_000_000_000;

    [McpServerTool(Name = "bump_counter", Title = "Bump counter", Destructive = false, Idempotent = false, OpenWorld = false, UseStructuredContent = true)]
    [Description("Adds step to the shared counter (atomically, across replicas) and notifies subscribers of prynai://counter.")]
    public static async Task<CounterValue> BumpCounter(
        SharedCounter counter,
        [Description("How much to add; may be negative."), Range(-MaxStep, MaxStep)] long step = 1,
        CancellationToken cancellationToken = default) =>
        new(await counter.AddAsync(step, cancellationToken).ConfigureAwait(false));

    [McpServerTool(Name = "set_counter", Title = "Set counter", Destructive = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Sets the shared counter to value and notifies subscribers of prynai://counter.")]
    public static async Task<CounterValue> SetCounter(
        SharedCounter counter,
        [Description("The new value of the counter.")] long value,
        CancellationToken cancellationToken = default)
    {
        await counter.SetAsync(value, cancellationToken).ConfigureAwait(false);
        return new CounterValue(value);
    }
}

/// <summary>The shared counter's value after a change.</summary>
public sealed record CounterValue([property: Description("The counter's current value.")] long Value);
