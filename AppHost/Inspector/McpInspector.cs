using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Prynai.AppHost;

/// <summary>The MCP Inspector's web UI, run by Node from this folder's package-lock.json, pointed at one MCP server.</summary>
internal sealed class McpInspectorResource(string name, string node, string packageDirectory)
    : ExecutableResource(name, node, packageDirectory)
{
    public const string EndpointName = "http";

    /// <summary>The Inspector's own API token (MCP_INSPECTOR_API_TOKEN): the page's URL carries it, its API wants it.</summary>
    public string ApiToken { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    public string PackageDirectory { get; } = packageDirectory;

    /// <summary>The launcher of @modelcontextprotocol/inspector (its <c>mcp-inspector</c> bin).</summary>
    public string Launcher => Path.Combine(PackageDirectory, "node_modules", "@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js");
}

internal static class McpInspector
{
    /// <summary>Sent as a bearer token to the server (AppHost setting, user secrets): for a server that requires one.</summary>
    public const string TokenSetting = "Inspector:Token";

    /// <summary>
    /// The MCP Inspector (F5 only: a development tool, never published), started from the dashboard: it installs
    /// itself with <c>npm ci</c> on its first start (or when the lock file changed), then serves its web UI with
    /// <paramref name="server"/>'s /mcp as its one server — with <c>Inspector:Token</c> as a bearer token when set.
    /// Without Node.js 22.19+ and npm, a placeholder on the dashboard says why and nothing else is held up.
    /// </summary>
    public static void AddMcpInspector(this IDistributedApplicationBuilder builder, string name, IResourceBuilder<ProjectResource> server)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return;
        }
        var node = NodeRuntime.Find(builder.Configuration);
        if (node.Problem is { } problem)
        {
            builder.AddUnavailable(name, "MCP Inspector", "Search",
                $"{problem}. Install Node.js {NodeRuntime.Required} or later (with npm), then restart the AppHost; the Inspector " +
                "installs itself from AppHost/Inspector/package-lock.json on its first start.");
            return;
        }

        var package = Path.Combine(builder.AppHostDirectory, "Inspector");
        var inspector = new McpInspectorResource(name, node.Node!, package);
        var session = new DirectoryInfo(Path.Combine(Path.GetTempPath(), $"prynai-{name}-{Guid.NewGuid():N}"));
        var sessionConfig = Path.Combine(session.FullName, "servers.json");
        var token = builder.Configuration[TokenSetting];
        var searchPath = Path.GetDirectoryName(node.Node!) + Path.PathSeparator + ExecutableSearch.SearchPath(builder.Configuration);

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(inspector, async (@event, cancellationToken) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(inspector);
            await InspectorPackages.EnsureInstalledAsync(package, node.Npm!, searchPath, logger, cancellationToken).ConfigureAwait(false);
            var mcp = await server.GetEndpoint("http").GetValueAsync(cancellationToken).ConfigureAwait(false);
            WriteSessionConfig(session, sessionConfig, $"{mcp}/mcp", token);
            @event.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() => DeleteQuietly(session));
        });

        builder.AddResource(inspector)
            .WithIconName("Search")
            .WithArgs(inspector.Launcher, "--web", "--config", sessionConfig)
            .WithHttpEndpoint(name: McpInspectorResource.EndpointName, env: "CLIENT_PORT", isProxied: false)
            .WithUrlForEndpoint(McpInspectorResource.EndpointName, url =>
            {
                url.Url = $"{url.Url.TrimEnd('/')}/?MCP_INSPECTOR_API_TOKEN={inspector.ApiToken}";
                url.DisplayText = "MCP Inspector";
            })
            .WithEnvironment("MCP_INSPECTOR_API_TOKEN", inspector.ApiToken)
            .WithEnvironment("HOST", "127.0.0.1")
            // Its MCP Apps sandbox and app origin on free ports (their defaults are fixed: two AppHosts would collide).
            .WithEnvironment("MCP_SANDBOX_PORT", "0")
            .WithEnvironment("MCP_APP_ORIGIN_PORT", "0")
            .WithEnvironment("MCP_AUTO_OPEN_ENABLED", "false")
            // Secrets (OAuth tokens it obtains) in memory, its storage beside the session file: a run leaves nothing behind.
            .WithEnvironment("MCP_INSPECTOR_SECRET_STORE", "memory")
            .WithEnvironment("MCP_STORAGE_DIR", Path.Combine(session.FullName, "storage"))
            .WithEnvironment("PATH", searchPath)
            .WithRelationship(server.Resource, "Inspects")
            .WaitFor(server)
            .WithExplicitStart();
    }

    /// <summary>
    /// The Inspector's read-only session file: one server, and the bearer token in a file only this user can read,
    /// not on the command line (visible to every local user and on the dashboard).
    /// </summary>
    private static void WriteSessionConfig(DirectoryInfo session, string path, string mcpUrl, string? token)
    {
        if (OperatingSystem.IsWindows())
        {
            session.Create();
        }
        else
        {
            Directory.CreateDirectory(session.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var prynai = new JsonObject { ["type"] = "streamable-http", ["url"] = mcpUrl };
        if (token is { Length: > 0 })
        {
            prynai["headers"] = new JsonObject { ["Authorization"] = $"Bearer {token}" };
        }
        var config = new JsonObject { ["mcpServers"] = new JsonObject { ["prynai"] = prynai } };
        File.WriteAllText(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
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
}
