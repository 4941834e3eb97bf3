using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Prynai.AppHost;

/// <summary>How F5 runs Redis (AppHost setting <c>Cache:RunAs</c>).</summary>
internal enum RedisRunMode
{
    /// <summary>A container when the container runtime answers, else a local redis-server process.</summary>
    Auto,
    Container,
    Process,
}

internal static partial class LocalRedis
{
    /// <summary>
    /// Redis for a local run: Aspire's Redis container when the container runtime answers, else a local redis-server
    /// process, so F5 works on a machine without Docker instead of waiting forever for a container that cannot
    /// start. On a machine with neither, no Redis: a placeholder on the dashboard says why and how to get one, and
    /// null tells the caller the server keeps its state in its embedded SQLite file. Says which, and why, in the
    /// AppHost's log and in the resource's own log on the dashboard.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString>? AddLocalRedis(this IDistributedApplicationBuilder builder, string name)
    {
        var mode = builder.Configuration.GetValue("Cache:RunAs", RedisRunMode.Auto);
        var runtime = mode == RedisRunMode.Auto ? ContainerRuntime.Probe(builder.Configuration) : null;
        IResourceBuilder<IResourceWithConnectionString> redis;
        string choice;
        if (mode == RedisRunMode.Container || runtime is { Answers: true })
        {
            redis = builder.AddRedis(name);
            choice = mode == RedisRunMode.Container
                ? $"Redis '{name}' runs as a container (Cache:RunAs=Container)."
                : $"Redis '{name}' runs as a container: {runtime!.Detail}.";
        }
        else if (ExecutableSearch.Find("redis-server", builder.Configuration) is { } redisServer)
        {
            redis = builder.AddRedisServerProcess(name, redisServer);
            choice = runtime is null
                ? $"Redis '{name}' runs as a local process, {redisServer} (Cache:RunAs=Process)."
                : $"Redis '{name}' runs as a local process, {redisServer}: no container runtime answered ({runtime.Detail}).";
        }
        else if (runtime is null)
        {
            throw new AppHostSettingException($"Cache:RunAs=Process, but redis-server is not on PATH. {InstallRedis} Or remove the setting: " +
                "without Redis the server keeps its state in its embedded SQLite file.");
        }
        else
        {
            builder.AddUnavailable(name, "Redis", "Database",
                $"no container runtime answered ({runtime.Detail}) and redis-server is not on PATH; the server keeps its state in its " +
                $"embedded SQLite file and runs as one replica. {InstallRedis} Then restart the AppHost.");
            return null;
        }

        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Prynai.AppHost").RedisChoice(choice);
            return Task.CompletedTask;
        });
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(redis.Resource, (@event, _) =>
        {
            @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(redis.Resource).RedisChoice(choice);
            return Task.CompletedTask;
        });
        return redis;
    }

    private const string InstallRedis = "To run Redis, install it (apt install redis-server, brew install redis) or start Docker or Podman.";

    /// <summary>The server's state store on F5: Redis when it runs, else nothing (the server's embedded SQLite file).</summary>
    public static IResourceBuilder<ProjectResource> WithCache(this IResourceBuilder<ProjectResource> server, IResourceBuilder<IResourceWithConnectionString>? cache) =>
        cache is null ? server : server.WithReference(cache).WaitFor(cache);

    private static IResourceBuilder<RedisServerResource> AddRedisServerProcess(this IDistributedApplicationBuilder builder, string name, string redisServer)
    {
        // The password goes into a config file only this user can read, not onto the command line (visible to every
        // local user and on the dashboard). Written when the process is about to start, deleted when the AppHost stops.
        var directory = new DirectoryInfo(Path.Combine(Path.GetTempPath(), $"prynai-{name}-{Guid.NewGuid():N}"));
        var configFile = Path.Combine(directory.FullName, "redis.conf");
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var resource = new RedisServerResource(name, redisServer, directory.FullName, password);

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, (@event, _) =>
        {
            if (!File.Exists(configFile))
            {
                WriteConfigFile(directory, configFile, password);
                @event.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() => DeleteQuietly(directory));
            }
            return Task.CompletedTask;
        });

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(resource, async (_, cancellationToken) =>
            connectionString = await ((IResourceWithConnectionString)resource).GetConnectionStringAsync(cancellationToken).ConfigureAwait(false));
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(
            _ => connectionString ?? throw new InvalidOperationException($"The connection string of '{name}' is not known yet."),
            name: healthCheck);

        return builder.AddResource(resource)
            .WithEndpoint(name: RedisServerResource.EndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                context.Args.Add(configFile);
                context.Args.Add("--port");
                context.Args.Add(resource.Endpoint.Property(EndpointProperty.TargetPort));
            })
            .WithIconName("Database")
            .WithHealthCheck(healthCheck);
    }

    /// <summary>Loopback only, the password, no snapshots or append-only file: data lives as long as the process.</summary>
    private static void WriteConfigFile(DirectoryInfo directory, string configFile, string password)
    {
        if (OperatingSystem.IsWindows())
        {
            directory.Create();
        }
        else
        {
            Directory.CreateDirectory(directory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        File.WriteAllText(configFile, $"""
            bind 127.0.0.1
            protected-mode yes
            requirepass {password}
            save ""
            appendonly no
            dir {directory.FullName}
            """);
    }

    private static void DeleteQuietly(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A temporary directory; the OS cleans up what is left.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Choice}")]
    private static partial void RedisChoice(this ILogger logger, string choice);
}
