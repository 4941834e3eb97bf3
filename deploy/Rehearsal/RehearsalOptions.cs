namespace Prynai.Rehearsal;

/// <summary>What the rehearsal runs and how long; the defaults are deploy/rehearse.sh's, <see cref="Quick"/> the test suite's.</summary>
public sealed record RehearsalOptions
{
    /// <summary>The built server (Prynai.McpServer.dll) both revisions run.</summary>
    public required string ServerAssembly { get; init; }

    /// <summary>The built smoke client (Prynai.SmokeClient.dll), run against each new revision on its own port.</summary>
    public required string SmokeClientAssembly { get; init; }

    /// <summary>Where logs and state go; a new temporary directory when null.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>How long the load runs between two steps of the rollout.</summary>
    public TimeSpan Phase { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Session clients (2025-11-25): a GET stream and a subscription to prynai://counter each.</summary>
    public int Sessions { get; init; } = 6;

    /// <summary>Stateless 2026-07-28 callers.</summary>
    public int StatelessCallers { get; init; } = 4;

    /// <summary>subscriptions/listen clients (2026-07-28) following the tool list and the counter.</summary>
    public int Listeners { get; init; } = 2;

    /// <summary>A task (long_task of 10, 40 or 100 steps, in turn) is started this often.</summary>
    public TimeSpan TaskEvery { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The revisions' Drain:GracePeriod (what the platform would give between SIGTERM and SIGKILL).</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The revisions' Drain:ExitMargin.</summary>
    public TimeSpan ExitMargin { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The revisions' Tools:StepDelay: long enough that the longest task, started on the outgoing revision just before
    /// a promotion, is still running at that revision's drain deadline (so each drain hands one over).
    /// </summary>
    public TimeSpan StepDelay => TimeSpan.FromMilliseconds(Math.Max(100, (Phase + GracePeriod - ExitMargin + TimeSpan.FromSeconds(1)).TotalMilliseconds / Load.TaskDriver.LongestTask));

    /// <summary>The tool revision A hides and B serves: B has one more tool.</summary>
    public string ToolOnlyInB { get; init; } = "ask_product_expert";

    /// <summary>The suite's settings: short phases, fewer clients, well inside its time budget.</summary>
    public RehearsalOptions Quick() => this with { Phase = TimeSpan.FromSeconds(3), Sessions = 4, StatelessCallers = 3, Listeners = 2, GracePeriod = TimeSpan.FromSeconds(8) };
}
