using System.Reflection;

namespace Prynai.AppHost;

/// <summary>A setting (or a machine) the AppHost cannot run with; the message says which and what to do.</summary>
internal sealed class AppHostSettingException(string message) : DistributedApplicationException(message);

internal static class AppHostStart
{
    /// <summary>
    /// Runs the AppHost; a refused setting becomes one line on stderr and exit code 1 instead of an unhandled
    /// exception with its stack trace. Only when the AppHost is the process: Aspire.Hosting.Testing runs the same
    /// entry point in a test process and gets the exception itself.
    /// </summary>
    public static int Run(Action run)
    {
        try
        {
            run();
            return 0;
        }
        catch (AppHostSettingException refused) when (Assembly.GetEntryAssembly() == typeof(AppHostStart).Assembly)
        {
            Console.Error.WriteLine($"Prynai AppHost cannot start: {refused.Message}");
            return 1;
        }
    }
}
