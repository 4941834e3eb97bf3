using System.Data.Common;
using Azure.Identity;
using Microsoft.Azure.Cosmos;
using Prynai.McpServer.Configuration;

namespace Prynai.McpServer.State.Stores;

/// <summary>
/// A Cosmos DB client from <c>ConnectionStrings:cosmos</c> (Aspire's name): <c>AccountEndpoint=…;AccountKey=…</c>
/// uses the key; an endpoint alone (bare URL or <c>AccountEndpoint=…</c>) uses <see cref="DefaultAzureCredential"/>,
/// i.e. the managed identity on Azure Container Apps. Optional <c>Database=</c>/<c>Container=</c> override the options.
/// </summary>
internal static class CosmosConnection
{
    public static CosmosClient CreateClient(string connectionString, CosmosStateOptions options)
    {
        var (endpoint, key, database, container) = Parse(connectionString);
        options.DatabaseName = database ?? options.DatabaseName;
        options.ContainerName = container ?? options.ContainerName;

        var clientOptions = new CosmosClientOptions
        {
            ApplicationName = "prynai-mcp",
            ConnectionMode = options.ConnectionMode == "Gateway" ? ConnectionMode.Gateway : ConnectionMode.Direct,
            LimitToEndpoint = options.LimitToEndpoint,
            UseSystemTextJsonSerializerWithOptions = new System.Text.Json.JsonSerializerOptions(),
            RequestTimeout = TimeSpan.FromSeconds(10),
            MaxRetryAttemptsOnRateLimitedRequests = 5,
        };
        if (options.EmulatorCompatibility)
        {
            clientOptions.CustomHandlers.Add(new EmulatorReadCompatibilityHandler());
        }
        return key is null
            ? new CosmosClient(endpoint, new DefaultAzureCredential(), clientOptions)
            : new CosmosClient(endpoint, key, clientOptions);
    }

    public const string Setting = "ConnectionStrings:cosmos";

    /// <summary>The connection string's parts; <see cref="InvalidSettingException"/> when it cannot name an account.</summary>
    internal static (string Endpoint, string? Key, string? Database, string? Container) Parse(string connectionString)
    {
        if (Uri.TryCreate(connectionString.Trim(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            return (url.ToString(), null, null, null);
        }
        DbConnectionStringBuilder parts;
        try
        {
            parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        }
        catch (ArgumentException ex)
        {
            throw new InvalidSettingException(Setting,
                "is neither an account URL (https://<account>.documents.azure.com:443/) nor a connection string (AccountEndpoint=…;AccountKey=…;).", ex);
        }
        string? Get(string name) => parts.TryGetValue(name, out var value) && value is string text && text.Length > 0 ? text : null;
        var endpoint = Get("AccountEndpoint")
            ?? throw new InvalidSettingException(Setting, "needs AccountEndpoint=… (and AccountKey=… unless a managed identity is used).");
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var account) || account.Scheme is not ("http" or "https"))
        {
            throw new InvalidSettingException(Setting, $"AccountEndpoint '{endpoint}' is not an http(s) URL.");
        }
        return (endpoint, Get("AccountKey"), Get("Database"), Get("Container"));
    }

    /// <summary>See <see cref="CosmosStateOptions.EmulatorCompatibility"/>.</summary>
    private sealed class EmulatorReadCompatibilityHandler : RequestHandler
    {
        public override Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get)
            {
                request.Headers.Set("x-ms-documentdb-query-enablecrosspartition", "True");
            }
            return base.SendAsync(request, cancellationToken);
        }
    }
}
