namespace Prynai.Rehearsal;

/// <summary>What the rehearsal saw, and whether it is what a zero-downtime rollout promises.</summary>
public sealed class RehearsalReport
{
    public List<string> Timeline { get; } = [];

    public TimeSpan Duration { get; set; }

    public long RequestsSent { get; set; }

    public long ClientVisibleFailures { get; set; }

    public List<string> FailureSamples { get; } = [];

    public Dictionary<string, long> AnsweredBy { get; } = [];

    public long CounterBefore { get; set; }

    public long CounterAfter { get; set; }

    public long BumpsAcknowledged { get; set; }

    public long SmokeBumps { get; set; }

    public long BumpsUnknown { get; set; }

    public long CounterDelta => CounterAfter - CounterBefore;

    public int Sessions { get; set; }

    public int SessionStreamsEndedByDrains { get; set; }

    public int SessionStreamsResumed { get; set; }

    public int SessionStreamsCutUncleanly { get; set; }

    /// <summary>Notifications logged for a session after its stream started that its client never received.</summary>
    public int GapsFound { get; set; }

    /// <summary>Counter changes a session's client should have heard of but did not (beyond what the log shows).</summary>
    public long UpdatesMissing { get; set; }

    public int Listeners { get; set; }

    public int ListenStreamsEndedByDrains { get; set; }

    public int ListenStreamsReopened { get; set; }

    public int ListenStreamsCutUncleanly { get; set; }

    public int TasksStarted { get; set; }

    public int TasksCompleted { get; set; }

    public int TasksFailed { get; set; }

    public int TasksNotEnded { get; set; }

    /// <summary>Tasks a draining revision handed over at its deadline (its log says how many), and how many another revision claimed.</summary>
    public int TasksHandedOver { get; set; }

    public int TasksClaimed { get; set; }

    /// <summary>Tasks a draining revision failed at its deadline because their work cannot move.</summary>
    public int TasksFailedAtDeadline { get; set; }

    /// <summary>Completed tasks whose result, read through the surviving revision, is not what the call asked for.</summary>
    public int TaskResultsWrong { get; set; }

    public List<string> TaskFailures { get; } = [];

    /// <summary>How many times every client moved to a revision with another tool list (promotion, rollback).</summary>
    public int ToolSetChanges { get; set; }

    public int SessionsToldOfEveryMove { get; set; }

    public int ToolsListChangedToSessions { get; set; }

    public int OtherListChangedToSessions { get; set; }

    public int ListenersToldOfEveryMove { get; set; }

    public int ToolsListChangedToListeners { get; set; }

    public List<DrainTiming> Drains { get; } = [];

    public List<(string Revision, bool Passed, TimeSpan Took)> Smokes { get; } = [];

    /// <summary>Every promise that did not hold; empty when the rollout was seamless.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (ClientVisibleFailures > 0)
        {
            problems.Add($"{ClientVisibleFailures} client-visible failure(s)");
        }
        if (CounterDelta != BumpsAcknowledged + SmokeBumps || BumpsUnknown > 0)
        {
            problems.Add($"counter delta {CounterDelta} ≠ acknowledged bumps {BumpsAcknowledged + SmokeBumps} ({BumpsUnknown} bump(s) of unknown outcome)");
        }
        if (GapsFound > 0 || UpdatesMissing > 0)
        {
            problems.Add($"{GapsFound} gap(s) in resumed streams, {UpdatesMissing} counter update(s) never delivered");
        }
        if (TasksNotEnded > 0 || TasksFailed > 0 || TaskResultsWrong > 0 || TasksClaimed < TasksHandedOver)
        {
            problems.Add($"tasks: {TasksNotEnded} not ended, {TasksFailed} failed, {TaskResultsWrong} with a wrong result, {TasksHandedOver - TasksClaimed} handed over and never claimed");
        }
        if (SessionsToldOfEveryMove < Sessions || ListenersToldOfEveryMove < Listeners)
        {
            problems.Add($"list_changed: {SessionsToldOfEveryMove} of {Sessions} sessions and {ListenersToldOfEveryMove} of {Listeners} listeners told of every move");
        }
        if (Drains.Any(drain => !drain.WithinGracePeriod))
        {
            problems.Add("a drain did not finish by itself inside the grace period");
        }
        if (Smokes.Any(smoke => !smoke.Passed))
        {
            problems.Add("a smoke test failed");
        }
        return problems;
    }

    public void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("Zero-downtime rehearsal: Redis, revisions rev-a and rev-b of one build behind nginx, continuous load");
        foreach (var step in Timeline)
        {
            output.WriteLine($"  {step}");
        }
        output.WriteLine();
        output.WriteLine($"requests sent                  {RequestsSent:N0} (answered by {string.Join(", ", AnsweredBy.OrderBy(a => a.Key).Select(a => $"{a.Key} {a.Value:N0}"))} — server-info reads)");
        output.WriteLine($"client-visible failures        {ClientVisibleFailures}");
        foreach (var failure in FailureSamples)
        {
            output.WriteLine($"    {failure}");
        }
        output.WriteLine($"counter                        {CounterBefore} → {CounterAfter}: delta {CounterDelta}; acknowledged bumps {BumpsAcknowledged + SmokeBumps} " +
                         $"(load {BumpsAcknowledged}, smoke tests {SmokeBumps}); outcome unknown {BumpsUnknown}");
        output.WriteLine($"session GET streams            {Sessions}: ended by drains {SessionStreamsEndedByDrains}, resumed {SessionStreamsResumed} (Last-Event-ID), " +
                         $"cut uncleanly {SessionStreamsCutUncleanly}; gaps found {GapsFound}; counter updates never delivered {UpdatesMissing}");
        output.WriteLine($"listen streams (2026-07-28)    {Listeners}: ended by drains {ListenStreamsEndedByDrains}, listened again {ListenStreamsReopened}, cut uncleanly {ListenStreamsCutUncleanly}");
        output.WriteLine($"tasks                          started {TasksStarted}, completed {TasksCompleted}, failed {TasksFailed}, not ended {TasksNotEnded}; " +
                         $"results read through the surviving revision, wrong: {TaskResultsWrong}");
        output.WriteLine($"  at drain deadlines           handed over {TasksHandedOver} (claimed and restarted by the other revision {TasksClaimed}), " +
                         $"failed because their work cannot move {TasksFailedAtDeadline}");
        foreach (var failure in TaskFailures)
        {
            output.WriteLine($"    {failure}");
        }
        output.WriteLine($"list_changed on tool-set moves {ToolSetChanges} move(s) per client: {SessionsToldOfEveryMove}/{Sessions} sessions told of every move " +
                         $"({ToolsListChangedToSessions} tools/list_changed, {OtherListChangedToSessions} prompts/resources list_changed); " +
                         $"{ListenersToldOfEveryMove}/{Listeners} listeners ({ToolsListChangedToListeners} tools/list_changed)");
        foreach (var drain in Drains)
        {
            output.WriteLine($"drain of {drain.Revision,-21}  SIGTERM → unready {drain.Unready.TotalSeconds:0.00} s, → exit {drain.Exited.TotalSeconds:0.00} s " +
                             $"(exit code {drain.ExitCode}; grace period {drain.GracePeriod.TotalSeconds:0} s)");
        }
        foreach (var (revision, passed, took) in Smokes)
        {
            output.WriteLine($"smoke test of {revision,-17} {(passed ? "PASS" : "FAIL")} in {took.TotalSeconds:0.0} s, on its own port before it had traffic");
        }
        var problems = Problems();
        output.WriteLine();
        output.WriteLine(problems.Count == 0
            ? $"REHEARSAL: PASS in {Duration.TotalSeconds:0} s — no request failed, nothing lost, every stream resumed without a gap"
            : $"REHEARSAL: FAIL in {Duration.TotalSeconds:0} s — {string.Join("; ", problems)}");
    }
}
