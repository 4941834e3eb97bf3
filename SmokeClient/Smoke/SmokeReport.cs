using Spectre.Console;

namespace Prynai.SmokeClient.Smoke;

/// <summary>
/// Prints the smoke run's lines (the original system's "KEY: value" format) and counts failed checks.
/// Lines go to stdout unstyled so scripts can grep them; failures are also written to stderr.
/// </summary>
public sealed class SmokeReport(TextWriter output, TextWriter errors)
{
    private int _checks;
    private readonly List<string> _failures = [];

    public IReadOnlyList<string> Failures => _failures;

    public int Checks => _checks;

    public void Line(string key, object? value) => output.WriteLine($"{key}: {value}");

    /// <summary>Records a check; a failed one is reported with what was expected.</summary>
    public bool Check(bool passed, string name, string expectation)
    {
        _checks++;
        if (!passed)
        {
            _failures.Add($"{name}: {expectation}");
            errors.WriteLine($"FAILED {name}: {expectation}");
        }
        return passed;
    }

    public void Fail(string name, Exception exception) =>
        Check(false, name, $"{exception.GetType().Name}: {exception.Message}");

    public int Finish()
    {
        if (_failures.Count == 0)
        {
            output.WriteLine($"SMOKE: PASS ({_checks} checks)");
            return 0;
        }
        output.WriteLine($"SMOKE: FAIL ({_failures.Count} of {_checks} checks failed)");
        return 1;
    }

    /// <summary>
    /// A live progress bar when a person is watching, one line per update otherwise. Notifications can arrive out of
    /// order (the client runs their handlers concurrently) and the last can arrive after the result: an update older
    /// than the one shown is skipped, so the label always belongs to the percentage beside it, and the finished bar
    /// says "done". Until the first update the bar is indeterminate, with a label saying what it waits for.
    /// </summary>
    public async Task<T> WithProgressAsync<T>(string title, Func<IProgress<ProgressUpdate>, Task<T>> work)
    {
        var shown = double.NegativeInfinity;
        bool IsNewer(ProgressUpdate update)
        {
            if (update.Value < shown)
            {
                return false;
            }
            shown = update.Value;
            return true;
        }

        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await work(new SynchronousProgress<ProgressUpdate>(p =>
            {
                if (IsNewer(p))
                {
                    output.WriteLine($"  {title}: {p.Message ?? $"{p.Value}/{p.Total}"}");
                }
            }));
        }

        T result = default!;
        await AnsiConsole.Progress().AutoClear(true).StartAsync(async context =>
        {
            var task = context.AddTask($"{title}: started, waiting for its first step", maxValue: 1);
            task.IsIndeterminate = true;
            result = await work(new SynchronousProgress<ProgressUpdate>(p =>
            {
                lock (task)
                {
                    if (!IsNewer(p))
                    {
                        return;
                    }
                    task.IsIndeterminate = false;
                    if (p.Total is > 0)
                    {
                        task.MaxValue = p.Total.Value;
                    }
                    task.Value = p.Value;
                    task.Description = $"{title}: {p.Message ?? $"{p.Value}/{p.Total}"}";
                }
            }));
            lock (task)
            {
                task.IsIndeterminate = false;
                task.Value = task.MaxValue;
                task.Description = $"{title}: done";
            }
        });
        return result;
    }
}

/// <summary>One progress notification as the display shows it.</summary>
public sealed record ProgressUpdate(double Value, double? Total, string? Message);
