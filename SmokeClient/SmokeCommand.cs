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
        var domain = new Option<bool>("--domain") { Description = "Instead, walk a scenario customer of the Contoso support desk end to end (writes one support ticket)." };
        var customer = new Option<string>("--customer") { Description = "The customer --domain walks.", DefaultValueFactory = _ => "C9003" };
        command.Add(domain);
        command.Add(customer);
        var tasks = new Option<bool>("--tasks")
        {
            Description = "Instead, exercise the tasks extension: a long_task followed to its result, a cancelled task, and a task that asks for input (declined).",
        };
        var subscription = new Option<string>("--subscription") { Description = "The subscription whose device --tasks diagnoses.", DefaultValueFactory = _ => "C9003-S1" };
        command.Add(tasks);
        command.Add(subscription);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = await common.ResolveAsync(parse, sampling: !parse.GetValue(noSampling), cancellationToken);
            if (settings is null)
            {
                return 2;
            }
            var report = new SmokeReport(Console.Out, Console.Error);
            if (parse.GetValue(tasks))
            {
                return await new TaskSmokeRun(settings, report, parse.GetValue(subscription)!).RunAsync(cancellationToken);
            }
            return parse.GetValue(domain)
                ? await new DomainSmokeRun(settings, report, parse.GetValue(customer)!).RunAsync(cancellationToken)
                : await new SmokeRun(settings, report).RunAsync(cancellationToken);
        });
        return command;
    }
}
