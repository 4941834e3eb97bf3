using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Prynai.McpServer.Configuration;

/// <summary>
/// A server that cannot start says so in one line on stderr — which setting, what is wrong — and exits with 1,
/// instead of an unhandled exception (exit 134, the message twice among dozens of stack lines). A failure that is not
/// a configuration problem (a bug) still gets its line, followed by the exception for whoever debugs it.
/// </summary>
public static partial class StartupFailures
{
    public const int ExitCode = 1;

    /// <summary>Runs the host's whole life; a failure to start becomes one line and <see cref="ExitCode"/>.</summary>
    public static async Task<int> RunAsync(Func<Task> host)
    {
        try
        {
            await host();
            return 0;
        }
        // Only when this program is the process: a test host (WebApplicationFactory) runs the same entry point and
        // expects the exception itself — or stops the entry point with HostAbortedException.
        catch (Exception ex) when (Assembly.GetEntryAssembly() == typeof(StartupFailures).Assembly && ex is not HostAbortedException)
        {
            var (line, isConfiguration) = Describe(ex);
            await Console.Error.WriteLineAsync($"Prynai cannot start: {line}");
            if (!isConfiguration)
            {
                await Console.Error.WriteLineAsync(ex.ToString());
            }
            return ExitCode;
        }
    }

    /// <summary>The line to print, and whether the failure is a configuration problem (no stack needed).</summary>
    internal static (string Line, bool IsConfiguration) Describe(Exception exception)
    {
        switch (exception)
        {
            case AggregateException { InnerExceptions.Count: 1 } aggregate:
                return Describe(aggregate.InnerExceptions[0]);
            case InvalidSettingException setting:
                return (setting.Message, true);
            case OptionsValidationException validation:
                return (string.Join(" ", validation.Failures.Select(failure => Rephrase(validation.OptionsType, failure))), true);
            case IOException { InnerException: AddressInUseException } bind:
                return ($"{AddressOf(bind.Message)} is already in use by another process: stop it, or listen elsewhere with --urls or ASPNETCORE_URLS " +
                        "(e.g. --urls http://127.0.0.1:8001).", true);
            case IOException bind when bind.Message.StartsWith("Failed to bind", StringComparison.Ordinal):
                return ($"{bind.Message} Choose another address with --urls or ASPNETCORE_URLS.", true);
            case InvalidOperationException invalid:
                // Configuration binding ("Failed to convert configuration value 'abc' at 'Mcp:SessionIdleTimeout'…"),
                // Kestrel certificates, a Cosmos DB container that is missing: the message names the setting.
                return (FirstLine(invalid.Message), true);
            default:
                return ($"{exception.GetType().Name}: {FirstLine(exception.Message)}", false);
        }
    }

    /// <summary>
    /// "DataAnnotation validation failed for 'McpTransportOptions' members: 'MaxSessions' with the error: '…'." becomes
    /// "Mcp:MaxSessions: …" — the key a user sets. A validator's own message already names its settings.
    /// </summary>
    private static string Rephrase(Type optionsType, string failure)
    {
        var match = DataAnnotationFailure().Match(failure);
        if (!match.Success)
        {
            return failure;
        }
        var section = optionsType.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as string;
        var members = match.Groups["members"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(member => section is null ? member : $"{section}:{member}");
        return $"{string.Join(", ", members)}: {match.Groups["error"].Value}";
    }

    private static string AddressOf(string message) =>
        BindAddress().Match(message) is { Success: true } match ? match.Groups["address"].Value : "The address";

    private static string FirstLine(string message) => message.Split('\n', 2)[0].TrimEnd();

    [GeneratedRegex("^DataAnnotation validation failed for '[^']*' members: '(?<members>[^']*)' with the error: '(?<error>.*)'\\.$", RegexOptions.Singleline)]
    private static partial Regex DataAnnotationFailure();

    [GeneratedRegex("Failed to bind to address (?<address>\\S+?):? address already in use", RegexOptions.IgnoreCase)]
    private static partial Regex BindAddress();
}
