using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Tasks;

namespace Prynai.McpServer.Tools;

/// <summary>long_task and slow_square: tools that take a while and report progress as they go.</summary>
[McpServerToolType]
public sealed class ProgressTools
{
    public const int MaxSteps = 100;

    [McpServerTool(Name = "long_task", Title = "Long task", ReadOnly = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Runs a simulated multi-step job, sending a progress notification (\"step i/n\") and a log message per step. A task for clients that support the tasks extension.")]
    [RunsAsTask(Restartable = true)]
    public static async Task<LongTaskResult> LongTask(
        RequestContext<CallToolRequestParams> request,
        IOptions<ToolOptions> options,
        [Description("How many steps to run (1-100)."), Range(1, MaxSteps)] int steps = 3,
        CancellationToken cancellationToken = default)
    {
        await request.InfoAsync($"long_task: starting {steps} steps", cancellationToken);
        for (var step = 1; step <= steps; step++)
        {
            await Task.Delay(options.Value.StepDelay, cancellationToken);
            var message = $"step {step}/{steps}";
            await request.ReportProgressAsync(step, steps, message, cancellationToken);
            await request.DebugAsync($"long_task: {message}", cancellationToken);
        }
        await request.InfoAsync("long_task: done", cancellationToken);
        return new LongTaskResult("done", steps);
    }

    [McpServerTool(Name = "slow_square", Title = "Slow square", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Squares a number slowly, reporting progress in three steps. A task for clients that support the tasks extension.")]
    [RunsAsTask(Restartable = true)]
    public static async Task<ArithmeticResult> SlowSquare(
        RequestContext<CallToolRequestParams> request,
        IOptions<ToolOptions> options,
        [Description("The number to square.")] double n,
        CancellationToken cancellationToken = default)
    {
        const int steps = 3;
        for (var step = 1; step <= steps; step++)
        {
            await Task.Delay(options.Value.StepDelay, cancellationToken);
            await request.ReportProgressAsync(step, steps, $"step {step}/{steps}", cancellationToken);
        }
        var square = n * n;
        return double.IsFinite(square)
            ? new ArithmeticResult(square)
            : throw new McpException("The square is outside the range of a double-precision number.");
    }
}

/// <summary>The outcome of long_task.</summary>
public sealed record LongTaskResult(
    [property: Description("\"done\" when every step ran.")] string Status,
    [property: Description("How many steps ran.")] int Steps);
