using System.CommandLine;
using Prynai.SmokeClient.Connection;
using Prynai.SmokeClient.Smoke;

namespace Prynai.SmokeClient;

/// <summary><c>smoke</c>: drives every capability of a Prynai server; exit code 1 on any failed check.</summary>
internal static class SmokeCommand
{
    public static Command Create()
    {
        var command = new Command("smoke", "Exercise every tool, resource and prompt of a Prynai server and check the answers.");
        var common = CommonOptions.AddTo(command);
        var noSampling = new Option<bool>("--no-sampling") { Description = "Do not offer sampling (the server must answer \"sampling unavailable\")." };
        command.Add(noSampling);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = await common.ResolveAsync(parse, sampling: !parse.GetValue(noSampling), cancellationToken);
            if (settings is null)
            {
                return 2;
            }
            return await new SmokeRun(settings, new SmokeReport(Console.Out, Console.Error)).RunAsync(cancellationToken);
        });
        return command;
    }
}
