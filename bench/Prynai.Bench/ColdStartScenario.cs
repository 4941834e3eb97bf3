using System.Diagnostics;
using System.Reflection.PortableExecutable;

namespace Prynai.Bench;

/// <summary>
/// (g) Cold start of the published server, started as the container image starts it (its apphost, Production, auth
/// off, SQLite): process start → first <c>/healthz</c> 200, polled every 5 ms. Both publishes bench/run.sh made — the
/// ReadyToRun one the image ships and the same server as plain IL — start in turn, alternating which goes first. Each
/// start gets an empty state directory, as a new replica gets an empty /tmp (so the support data is seeded during
/// start-up); right after, the server starts once more on the state it left, which shows what a start costs without
/// the seeding. Right after the first 200 it asks the support desk (<c>get_customer_detail C9003</c>) and times its
/// answer too: readiness must not say yes before every tool can answer. Also the publish folder's size and how many
/// of its assemblies carry precompiled code.
/// </summary>
internal sealed class ColdStartScenario(BenchPaths paths, BenchResults results, BenchSettings settings, TextWriter progress)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var variants = new[] { Publish.Read(paths, readyToRun: true), Publish.Read(paths, readyToRun: false) };
        progress.WriteLine($"Published server, cold start: {settings.ColdStarts} start(s) of each publish on fresh state, each followed by one on the state it left");
        foreach (var publish in variants)
        {
            progress.WriteLine($"  {publish.Variant}: {publish.SizeMb:0.0} MB, {publish.ReadyToRunAssemblies} of {publish.Assemblies} assemblies ReadyToRun ({publish.Directory})");
        }
        await WarmUpPollingAsync(cancellationToken);

        var starts = variants.ToDictionary(publish => publish, _ => (Fresh: new List<StartSample>(), Kept: new List<StartSample>()));
        for (var round = 0; round < settings.ColdStarts; round++)
        {
            foreach (var publish in round % 2 == 0 ? variants : Enumerable.Reverse(variants))
            {
                var state = Directory.CreateTempSubdirectory("prynai-bench-coldstart-");
                try
                {
                    var fresh = await StartOnceAsync(publish, state.FullName, cancellationToken);
                    var kept = await StartOnceAsync(publish, state.FullName, cancellationToken);
                    starts[publish].Fresh.Add(fresh);
                    starts[publish].Kept.Add(kept);
                    progress.WriteLine($"  {publish.Variant}: {fresh.Milliseconds:0} ms on fresh state (support desk answered at {fresh.SupportAnswerMs:0} ms), " +
                                       $"{kept.Milliseconds:0} ms on kept state ({kept.SupportAnswerMs:0} ms)");
                }
                finally
                {
                    state.Delete(recursive: true);
                }
            }
        }

        foreach (var (publish, (fresh, kept)) in starts)
        {
            results.ColdStarts.Add(publish.Result(stateKept: false, fresh));
            results.ColdStarts.Add(publish.Result(stateKept: true, kept));
        }
        if (variants[0].ReadyToRunAssemblies == 0)
        {
            results.Failures.Add($"g cold start: no assembly in {variants[0].Directory} is ReadyToRun (is PublishReadyToRun honoured?)");
        }
    }

    private async Task<StartSample> StartOnceAsync(Publish publish, string stateDirectory, CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var start = publish.StartInfo();
        Targets.ConfigurePrynai(start, publish.Directory, new PrynaiMode(), port, stateDirectory);
        using var http = NewPollingClient();
        var clock = Stopwatch.StartNew();
        await using var server = await ServerProcess.StartAsync($"Prynai published ({publish.Variant})", start, port, HealthzOk(http),
            cancellationToken, pollInterval: PollInterval, keptOutputLines: Targets.KeptOutputLines);
        var elapsed = clock.Elapsed;
        var rss = server.Sample().RssMb;
        var request = McpRequests.StatelessToolCall("get_customer_detail", "{\"customer_id\":\"C9003\"}", "\"C9003\"", token: null);
        using var call = new HttpRequestMessage(HttpMethod.Post, new Uri(server.McpEndpoint.ToString())) { Content = new StringContent(request.Body, System.Text.Encoding.UTF8, "application/json") };
        foreach (var (name, value) in request.Headers.Where(header => header.Key != "Content-Type"))
        {
            call.Headers.TryAddWithoutValidation(name, value);
        }
        using var answer = await http.SendAsync(call, cancellationToken);
        var body = await answer.Content.ReadAsStringAsync(cancellationToken);
        var supportAnswered = clock.Elapsed;
        if (!answer.IsSuccessStatusCode || !body.Contains(request.Expect, StringComparison.Ordinal) || body.Contains("\"isError\":true", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The support desk did not answer right after /healthz said 200: HTTP {(int)answer.StatusCode} {body}");
        }
        return new StartSample(elapsed.TotalMilliseconds, rss, supportAnswered.TotalMilliseconds);
    }

    /// <summary>
    /// One refused poll before the first measured start, so this process's own first-request work (JIT, handler set-up)
    /// is not counted against the server.
    /// </summary>
    private static async Task WarmUpPollingAsync(CancellationToken cancellationToken)
    {
        using var http = NewPollingClient();
        await HealthzOk(http)(FreePort.Next(), cancellationToken);
    }

    private static HttpClient NewPollingClient() =>
        new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1) }) { Timeout = TimeSpan.FromSeconds(5) };

    private static Func<int, CancellationToken, Task<bool>> HealthzOk(HttpClient http) => async (port, cancellationToken) =>
    {
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    };

    private sealed record StartSample(double Milliseconds, double RssMb, double SupportAnswerMs);

    /// <summary>One publish folder: which variant, how big, how much of it is precompiled.</summary>
    private sealed record Publish(string Variant, bool ReadyToRun, string Directory, double SizeMb, int Assemblies, int ReadyToRunAssemblies)
    {
        public static Publish Read(BenchPaths paths, bool readyToRun)
        {
            var directory = paths.PublishedServer(readyToRun);
            var files = new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).ToList();
            var assemblies = 0;
            var precompiled = 0;
            foreach (var file in files.Where(file => file.Extension == ".dll"))
            {
                if (ReadyToRunState(file.FullName) is { } isReadyToRun)
                {
                    assemblies++;
                    precompiled += isReadyToRun ? 1 : 0;
                }
            }
            return new Publish(readyToRun ? "ReadyToRun" : "IL + JIT", readyToRun, directory, files.Sum(file => file.Length) / (1024.0 * 1024.0), assemblies, precompiled);
        }

        /// <summary>
        /// The apphost, as the image's entry point runs it (the same .NET the benchmark runs on, through DOTNET_ROOT);
        /// <c>dotnet the.dll</c> when the publish has no apphost.
        /// </summary>
        public ProcessStartInfo StartInfo()
        {
            var apphost = Path.Combine(Directory, Path.GetFileNameWithoutExtension(BenchPaths.ServerAssembly));
            if (!File.Exists(apphost))
            {
                return new ProcessStartInfo("dotnet", [Path.Combine(Directory, BenchPaths.ServerAssembly)]);
            }
            var start = new ProcessStartInfo(apphost);
            if (Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet")
            {
                start.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(host);
            }
            return start;
        }

        public ColdStartResult Result(bool stateKept, List<StartSample> starts) => new(
            Variant, ReadyToRun, stateKept, Math.Round(SizeMb, 1), Assemblies, ReadyToRunAssemblies,
            starts.Select(start => Math.Round(start.Milliseconds, 1)).ToList(), starts.Select(start => Math.Round(start.RssMb, 1)).ToList(),
            starts.Select(start => Math.Round(start.SupportAnswerMs, 1)).ToList());

        /// <summary>True when the assembly carries ReadyToRun code (a managed native header), false when IL only, null when not a .NET assembly.</summary>
        private static bool? ReadyToRunState(string path)
        {
            try
            {
                using var pe = new PEReader(File.OpenRead(path));
                return pe.PEHeaders.CorHeader is { } cor ? cor.ManagedNativeHeaderDirectory.Size > 0 : null;
            }
            catch (BadImageFormatException)
            {
                return null;
            }
        }
    }
}
