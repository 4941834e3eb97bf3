using Microsoft.Data.Sqlite;

namespace Prynai.McpServer.Support.Data;

/// <summary>
/// The support desk's default data set, generated once when the server is published (a SQLite file beside the
/// server, named after its seed and size) instead of on every new replica: a replica whose SQLite support store does
/// not exist yet starts from a copy of it — milliseconds instead of the second generating and writing it takes — when
/// its seed settings are the published ones. Any other setting seeds at start as before.
/// </summary>
internal static class PrebuiltSupportData
{
    /// <summary><c>Prynai.McpServer --write-support-seed DIR</c>: the publish step (McpServer.csproj) that writes the file.</summary>
    public const string Switch = "--write-support-seed";

    public static string FileName(int seed, int customerCount) => $"support-seed-{seed}-{customerCount}.db";

    /// <summary>Writes the default data set (<see cref="SupportOptions"/>' defaults) into the directory after <see cref="Switch"/>.</summary>
    public static async Task WriteAsync(string[] args)
    {
        var at = Array.IndexOf(args, Switch);
        var directory = at + 1 < args.Length ? args[at + 1] : throw new ArgumentException($"{Switch} needs the directory to write into.");
        var defaults = new SupportOptions();
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName(defaults.GeneratorSeed, defaults.CustomerCount));
        var writing = path + ".writing";
        File.Delete(writing);
        var repository = new SqliteSupportRepository(writing);
        await repository.InitializeAsync(CancellationToken.None);
        var data = SupportDataSeeder.Generate(defaults.CustomerCount, defaults.GeneratorSeed);
        await repository.ReplaceAllAsync(data, new SeedMarker(defaults.GeneratorSeed, defaults.CustomerCount, SupportDataSeeder.Digest(data), DateTimeOffset.UtcNow),
            CancellationToken.None);
        // Everything into the one file: no -wal beside it when it is copied.
        await using (var connection = new SqliteConnection($"Data Source={writing};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await checkpoint.ExecuteNonQueryAsync();
        }
        SqliteConnection.ClearAllPools();
        File.Move(writing, path, overwrite: true);
        File.Delete(writing + "-wal");
        File.Delete(writing + "-shm");
        Console.WriteLine($"Wrote {path}: {data.Customers.Count} customers, seed {defaults.GeneratorSeed}.");
    }

    /// <summary>
    /// Puts a copy of the published data set at <paramref name="target"/> when nothing is there yet and the settings
    /// ask for exactly that data set; false (and nothing changes) otherwise.
    /// </summary>
    public static bool TryInstall(string target, SupportOptions options)
    {
        var prebuilt = Path.Combine(AppContext.BaseDirectory, FileName(options.GeneratorSeed, options.CustomerCount));
        if (options.ForceSeed || !options.SeedOnStartup || File.Exists(target) || !File.Exists(prebuilt))
        {
            return false;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var copying = $"{target}.{Environment.ProcessId}.copying";
        File.Copy(prebuilt, copying, overwrite: true);
        try
        {
            // Not over a store another process created meanwhile (replicas sharing a volume): that one stays.
            File.Move(copying, target, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(target))
        {
            File.Delete(copying);
            return false;
        }
    }
}
