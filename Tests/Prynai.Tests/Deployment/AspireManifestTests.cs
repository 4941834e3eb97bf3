using Prynai.McpServer.Configuration;
using Prynai.SmokeClient.Connection;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Deployment;

/// <summary>
/// The committed aspire-manifest.json matches the AppHost's model (resources, types, bindings) and gives the server
/// and the smoke job only variables they actually read. AspireManifestEnvironmentTests then runs both with it.
/// </summary>
public sealed class AspireManifestTests
{
    private readonly AspireManifest _manifest = AspireManifest.Load();

    [Fact]
    public void It_describes_the_AppHosts_resources_with_their_types()
    {
        Assert.Equal("azure.bicep.v0", _manifest.TypeOf("env"));
        Assert.Equal("azure.bicep.v0", _manifest.TypeOf("cache"));
        Assert.Equal("{cache-kv.secrets.connectionstrings--cache}", _manifest.Resource("cache")["connectionString"]!.GetValue<string>());
        Assert.Equal("project.v1", _manifest.TypeOf("mcp"));
        Assert.Equal("project.v1", _manifest.TypeOf("smoke"));
        Assert.Null(_manifest.Resources["cosmos"]); // Cosmos DB only with UseCosmos=true; the committed manifest is the default
        foreach (var parameter in new[] { "entra-tenant-id", "entra-audiences", "entra-required-app-roles", "entra-smoke-client-id", "entra-smoke-client-secret", "entra-server-app-id-uri" })
        {
            Assert.Equal("parameter.v0", _manifest.TypeOf(parameter));
        }
        Assert.Equal("true", _manifest.Resource("entra-smoke-client-secret")["inputs"]!["value"]!["secret"]!.ToString());
    }

    [Theory]
    [InlineData("mcp", "McpServer/McpServer.csproj")]
    [InlineData("smoke", "SmokeClient/SmokeClient.csproj")]
    public void Projects_point_at_the_projects_in_this_repository(string resource, string path)
    {
        Assert.Equal(path, _manifest.Resource(resource)["path"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, path)), path);
        Assert.Equal("azure.bicep.v0", _manifest.Resource(resource)["deployment"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void The_server_is_reachable_from_outside_over_http_and_https_and_the_smoke_job_listens_nowhere()
    {
        var bindings = _manifest.Resource("mcp")["bindings"]!.AsObject();
        Assert.Equal(["http", "https"], bindings.Select(pair => pair.Key).Order());
        foreach (var (scheme, binding) in bindings)
        {
            Assert.Equal(scheme, binding!["scheme"]!.GetValue<string>());
            Assert.Equal("http", binding["transport"]!.GetValue<string>());
            Assert.True(binding["external"]!.GetValue<bool>(), $"{scheme} binding is not external");
        }
        Assert.Null(_manifest.Resource("smoke")["bindings"]);
    }

    [Fact]
    public void Every_expression_refers_to_something_the_manifest_defines()
    {
        foreach (var (path, value) in _manifest.AllStrings())
        {
            foreach (var reference in AspireManifest.References(value))
            {
                var parts = reference.Split('.');
                var target = _manifest.Resources[parts[0]]?.AsObject();
                Assert.True(target is not null, $"{path}: {{{reference}}} names no resource");
                var type = target!["type"]!.GetValue<string>();
                switch (parts[1])
                {
                    case "connectionString":
                        Assert.True(target["connectionString"] is not null, $"{path}: {parts[0]} has no connection string");
                        break;
                    case "value" or "inputs":
                        Assert.True(type == "parameter.v0", $"{path}: {{{reference}}} reads a value from a {type}");
                        break;
                    case "bindings":
                        Assert.True(target["bindings"]?[parts[2]] is not null, $"{path}: {parts[0]} has no binding '{parts[2]}'");
                        break;
                    case "outputs" or "secrets":
                        Assert.True(type == "azure.bicep.v0", $"{path}: {{{reference}}} reads bicep outputs of a {type}");
                        break;
                    case "containerImage" or "containerPort":
                        Assert.True(type == "project.v1", $"{path}: {{{reference}}} on a {type}");
                        break;
                    default:
                        Assert.Fail($"{path}: unexpected expression {{{reference}}}");
                        break;
                }
            }
        }
    }

    [Fact]
    public void Every_variable_given_to_the_server_is_one_it_reads()
    {
        // Set by Aspire for every .NET project, read by the OpenTelemetry SDK and ASP.NET Core themselves.
        string[] platform = ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES", "OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES",
            "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "ASPNETCORE_FORWARDEDHEADERS_ENABLED", "HTTP_PORTS"];
        var original = LegacyEnvironmentVariables.Direct.Keys.Concat(LegacyEnvironmentVariables.Lists.Keys).ToHashSet();
        string[] stores = ["ConnectionStrings__cache", "ConnectionStrings__cosmos"];

        var environment = _manifest.Environment("mcp");
        foreach (var name in environment.Keys)
        {
            Assert.True(platform.Contains(name) || original.Contains(name) || stores.Contains(name) || name.StartsWith("State__Cosmos__", StringComparison.Ordinal),
                $"The manifest gives mcp {name}, which the server does not read.");
        }
        Assert.Equal("{cache.connectionString}", environment["ConnectionStrings__cache"]);
        Assert.Equal("true", environment["AUTH_REQUIRED"]);
        Assert.Equal("{entra-tenant-id.value}", environment["ENTRA_TENANT_ID"]);
        Assert.Equal("{entra-audiences.value}", environment["ENTRA_AUDIENCES"]);
        Assert.Equal("{entra-required-app-roles.value}", environment["ENTRA_REQUIRED_APP_ROLES"]);
        Assert.Equal("MCP.Access", _manifest.ParameterDefault("entra-required-app-roles"));
    }

    [Fact]
    public void The_smoke_job_gets_the_public_endpoint_and_client_credentials_under_the_names_the_client_reads()
    {
        Assert.Equal(["smoke", "--auth", "entra"], _manifest.Arguments("smoke"));
        var environment = _manifest.Environment("smoke");
        Assert.Equal("{mcp.bindings.https.url}/mcp", environment[ConnectionSettings.UrlVariable]);
        foreach (var variable in new[] { "ENTRA_TENANT_ID", "ENTRA_CLIENT_ID", "ENTRA_CLIENT_SECRET", "SERVER_APP_ID_URI" })
        {
            Assert.True(environment.ContainsKey(variable), $"smoke lacks {variable}");
        }
        Assert.Equal("{entra-smoke-client-secret.value}", environment["ENTRA_CLIENT_SECRET"]);
        foreach (var variable in ConnectionSettings.ServiceDiscoveryVariables)
        {
            Assert.True(environment.ContainsKey(variable), $"smoke lacks {variable}");
        }
    }
}
