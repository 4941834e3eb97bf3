using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Prynai.McpServer.Drain;

/// <summary>How a replica told to stop (SIGTERM) drains (section <c>Drain</c>); see docs/deployment.md.</summary>
public sealed class DrainOptions
{
    public const string SectionName = "Drain";

    /// <summary>
    /// The time the platform gives between SIGTERM and SIGKILL: Azure Container Apps' termination grace period,
    /// 30 s unless the app sets another (the AppHost's Azure flavour sets it from this value).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Kept unused at the end of the grace period: work still running at <see cref="GracePeriod"/> − this is handed
    /// to another replica (or failed with a clear status), open requests are cut, and the process exits.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ExitMargin { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the listener keeps accepting new requests after SIGTERM (while readiness already says no), for the
    /// requests a load balancer still routes here before it notices.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan AcceptFor { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The SSE <c>retry</c> hint sent on the streams a drain ends: when the client should reconnect.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ReconnectAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long, at most, the replica keeps recording the notifications of the GET streams it ended until each
    /// client has resumed on another replica (which then records them); a client slower than this may miss what
    /// happened in between.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan StreamHandoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>From SIGTERM to the moment running work is handed over and open requests are cut.</summary>
    public TimeSpan Deadline => GracePeriod - ExitMargin;
}

/// <summary>Cross-field rules of <see cref="DrainOptions"/>, checked at start.</summary>
internal sealed class DrainOptionsValidator : IValidateOptions<DrainOptions>
{
    public ValidateOptionsResult Validate(string? name, DrainOptions options)
    {
        if (options.ExitMargin >= options.GracePeriod)
        {
            return ValidateOptionsResult.Fail($"Drain:ExitMargin ({options.ExitMargin}) must be shorter than Drain:GracePeriod ({options.GracePeriod}).");
        }
        if (options.AcceptFor > options.Deadline || options.StreamHandoff > options.Deadline)
        {
            return ValidateOptionsResult.Fail(
                $"Drain:AcceptFor ({options.AcceptFor}) and Drain:StreamHandoff ({options.StreamHandoff}) must fit in Drain:GracePeriod − Drain:ExitMargin ({options.Deadline}).");
        }
        return ValidateOptionsResult.Success;
    }
}
