using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using ModelContextProtocol;
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
        CancellationToken cancellationToken = default)
    {
        try
        {
            return new(await counter.AddAsync(step, cancellationToken).ConfigureAwait(false));
        }
        catch (CounterOverflowException ex)
        {
            throw new McpException($"bump_counter refused: {ex.Message}", ex);
        }
    }

    [McpServerTool(Name = "set_counter", Title = "Set counter", Destructive = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Sets the shared counter to value (within ±9007199254740991) and notifies subscribers of prynai://counter.")]
    public static async Task<CounterValue> SetCounter(
        SharedCounter counter,
        [Description("The new value of the counter."), Range(-CounterRange.Limit, CounterRange.Limit)] long value,
        CancellationToken cancellationToken = default)
    {
        try
        {
            await counter.SetAsync(value, cancellationToken).ConfigureAwait(false);
        }
        catch (CounterOverflowException ex)
        {
            throw new McpException($"set_counter refused: {ex.Message}", ex);
        }
        return new CounterValue(value);
    }
}

/// <summary>reset_counter: sets the shared counter back to 0; only callers holding the app role Mcp.Admin see or run it.</summary>
[McpServerToolType]
public sealed class CounterAdminTools
{
    public const string AdminRole = "Mcp.Admin";

    [McpServerTool(Name = "reset_counter", Title = "Reset counter", Destructive = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Authorize(Roles = AdminRole)]
    [Description("Resets the shared counter to 0 and notifies subscribers of prynai://counter. Requires the app role Mcp.Admin.")]
    public static async Task<CounterValue> ResetCounter(SharedCounter counter, CancellationToken cancellationToken = default)
    {
        await counter.SetAsync(0, cancellationToken).ConfigureAwait(false);
        return new CounterValue(0);
    }
}

/// <summary>The shared counter's value after a change.</summary>
public sealed record CounterValue([property: Description("The counter's current value.")] long Value);
