using System.Globalization;
using System.Security;
using System.Text;

namespace Prynai.Bench;

/// <summary>
/// The run's targets (and the ratios no target covers) as a small hand-written SVG: one horizontal bar per row on its
/// own scale, the goal drawn as a marker across it, the figure and the verdict beside it; green met, red not met, blue
/// a ratio without a target, an empty track for what did not run.
/// </summary>
internal static class RatioChart
{
    private const double Width = 980;
    private const double LabelRight = 260;
    private const double TrackLeft = 272;
    private const double TrackWidth = 420;
    private const double ValueLeft = TrackLeft + TrackWidth + 14;
    private const double RowHeight = 28;
    private const double Top = 96;

    private const string Met = "#2e7d32";
    private const string NotMet = "#c62828";
    private const string Neutral = "#1565c0";
    private const string Track = "#eceff3";
    private const string Ink = "#1f2328";
    private const string Muted = "#6e7781";

    /// <summary>One bar: the figure (null when not run), the goal it has (null for a plain ratio: 1× is drawn instead), how it reads.</summary>
    private sealed record Row(string Label, double? Value, double? Goal, string Measured, string Verdict, string Colour)
    {
        public double? Parity => Goal is null ? 1 : null;
    }

    public static async Task WriteAsync(BenchResults results, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, Render(results), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), cancellationToken);
    }

    public static string Render(BenchResults results)
    {
        var rows = Rows(results);
        var height = Top + rows.Count * RowHeight + 56;
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture,
            $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width:0}" height="{height:0}" viewBox="0 0 {Width:0} {height:0}" font-family="Segoe UI, Helvetica, Arial, sans-serif" font-size="13">""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect width="{Width:0}" height="{height:0}" fill="#ffffff"/>""");
        Text(svg, 16, 28, "Prynai benchmark: issue 16 targets", size: 18, weight: "600");
        Text(svg, 16, 50, Subtitle(results), colour: Muted);
        var measured = results.Targets.Count(target => target.Status != TargetStatus.NotRun);
        var met = results.Targets.Count(target => target.Status == TargetStatus.Met);
        Text(svg, 16, 72, $"{met} of {measured} measured targets met, {results.Targets.Count - measured} not run", weight: "600");

        for (var i = 0; i < rows.Count; i++)
        {
            DrawRow(svg, rows[i], Top + i * RowHeight);
        }

        var legend = Top + rows.Count * RowHeight + 24;
        var x = 16.0;
        foreach (var (colour, label) in new[] { (Met, "met"), (NotMet, "not met"), (Neutral, "ratio without a target") })
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect x="{x:0.#}" y="{legend - 10:0.#}" width="12" height="12" fill="{colour}"/>""");
            Text(svg, x + 17, legend, label, colour: Muted);
            x += 34 + label.Length * 7;
        }
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{x + 6:0.#}" y1="{legend - 12:0.#}" x2="{x + 6:0.#}" y2="{legend + 3:0.#}" stroke="{Ink}" stroke-width="2"/>""");
        Text(svg, x + 14, legend, "goal", colour: Muted);
        x += 52;
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{x:0.#}" y1="{legend - 12:0.#}" x2="{x:0.#}" y2="{legend + 3:0.#}" stroke="{Ink}" stroke-width="1.5" stroke-dasharray="3 2"/>""");
        Text(svg, x + 8, legend, "1× (even); each bar has its own scale: its track ends at 1.2 × the larger of figure and goal", colour: Muted);
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static List<Row> Rows(BenchResults results)
    {
        var rows = results.Targets.Select(target => new Row(
            target.Name, target.Value, target.Threshold, target.Value is null ? "" : target.Measured,
            target.Status switch { TargetStatus.Met => $"{target.Goal}: met", TargetStatus.NotMet => $"{target.Goal}: NOT met", _ => $"{target.Goal}: not run" },
            target.Status == TargetStatus.Met ? Met : NotMet)).ToList();
        var covered = results.Targets.Select(target => target.Source).ToHashSet();
        rows.AddRange(results.Ratios.Where(ratio => !covered.Contains(ratio.Name)).Select(ratio => new Row(
            ratio.Name, ratio.Value, null, ratio.Value is { } value ? TargetChecks.Number(value, "×", goal: false) : "", ratio.Value is null ? "not run" : "no target", Neutral)));
        return rows;
    }

    private static void DrawRow(StringBuilder svg, Row row, double y)
    {
        var middle = y + RowHeight / 2;
        Text(svg, LabelRight, middle + 4, row.Label, anchor: "end");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect x="{TrackLeft:0.#}" y="{y + 5:0.#}" width="{TrackWidth:0.#}" height="{RowHeight - 10:0.#}" rx="2" fill="{Track}"/>""");
        var scale = Math.Max(row.Value ?? 0, row.Goal ?? row.Parity ?? 0) * 1.2;
        if (row.Value is { } value && scale > 0)
        {
            var bar = Math.Max(1, Math.Max(0, value) / scale * TrackWidth);
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect x="{TrackLeft:0.#}" y="{y + 5:0.#}" width="{bar:0.#}" height="{RowHeight - 10:0.#}" rx="2" fill="{row.Colour}"/>""");
        }
        else
        {
            Text(svg, TrackLeft + TrackWidth / 2, middle + 4, "not run", anchor: "middle", colour: Muted, italic: true);
        }
        if (row.Goal is { } goal && row.Value is not null && scale > 0)
        {
            var marker = TrackLeft + goal / scale * TrackWidth;
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{marker:0.#}" y1="{y + 1:0.#}" x2="{marker:0.#}" y2="{y + RowHeight - 1:0.#}" stroke="{Ink}" stroke-width="2"/>""");
        }
        if (row.Parity is { } parity && row.Value is not null && scale > 0)
        {
            var even = TrackLeft + parity / scale * TrackWidth;
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{even:0.#}" y1="{y + 1:0.#}" x2="{even:0.#}" y2="{y + RowHeight - 1:0.#}" stroke="{Ink}" stroke-width="1.5" stroke-dasharray="3 2"/>""");
        }
        var measuredColour = row.Value is null ? Muted : row.Colour;
        Text(svg, ValueLeft, middle + 4, row.Measured, colour: measuredColour, weight: "600");
        Text(svg, ValueLeft + 78, middle + 4, row.Verdict, colour: row.Value is null ? Muted : row.Colour == Neutral ? Muted : row.Colour);
    }

    private static string Subtitle(BenchResults results)
    {
        var parts = new List<string> { results.Started.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) };
        if (results.Machine is { } machine)
        {
            parts.Add($"{machine.Cores} cores, {machine.CpuModel}, {machine.DotNet}");
        }
        if (results.Settings is { } settings)
        {
            parts.Add($"wrk -t{settings.Threads} -c{settings.Connections} -d{settings.DurationSeconds}s");
            if (settings.Smoke)
            {
                parts.Add("SMOKE RUN: figures mean nothing");
            }
        }
        return string.Join("; ", parts);
    }

    private static void Text(StringBuilder svg, double x, double y, string text, string anchor = "start", string? colour = null, double size = 0,
        string? weight = null, bool italic = false)
    {
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{x:0.#}" y="{y:0.#}" fill="{colour ?? Ink}" text-anchor="{anchor}" """);
        if (size > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""font-size="{size:0.#}" """);
        }
        if (weight is not null)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""font-weight="{weight}" """);
        }
        if (italic)
        {
            svg.Append("""font-style="italic" """);
        }
        svg.Append('>').Append(SecurityElement.Escape(text)).AppendLine("</text>");
    }
}
