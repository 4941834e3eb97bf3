namespace Prynai.Rehearsal;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // deploy/rehearse.sh builds the server and the smoke client, then runs this with their assemblies:
        //   Prynai.Rehearsal <Prynai.McpServer.dll> <Prynai.SmokeClient.dll> [--quick] [--phase SECONDS] [--work DIR]
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: Prynai.Rehearsal <Prynai.McpServer.dll> <Prynai.SmokeClient.dll> [--quick] [--phase SECONDS] [--work DIR]");
            return 2;
        }
        var options = new RehearsalOptions { ServerAssembly = Path.GetFullPath(args[0]), SmokeClientAssembly = Path.GetFullPath(args[1]) };
        for (var i = 2; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--quick" => options.Quick(),
                "--phase" when i + 1 < args.Length => options with { Phase = TimeSpan.FromSeconds(double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture)) },
                "--work" when i + 1 < args.Length => options with { WorkDirectory = Path.GetFullPath(args[++i]) },
                _ => throw new ArgumentException($"unknown argument {args[i]}"),
            };
        }

        using var interrupted = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            interrupted.Cancel();
        };
        var report = await Rehearsal.RunAsync(options, Console.Out, interrupted.Token);
        report.Print(Console.Out);
        return report.Problems().Count == 0 ? 0 : 1;
    }
}
