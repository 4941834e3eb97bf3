using Microsoft.Extensions.Options;
using Prynai.McpServer.State;
using Prynai.McpServer.State.Stores;
using Prynai.McpServer.Support.Data;
using Prynai.McpServer.Support.Tools;

namespace Prynai.McpServer.Support;

public static class SupportServiceCollectionExtensions
{
    /// <summary>
    /// The Contoso support desk (seed 003): its repository — Cosmos DB when <c>ConnectionStrings:cosmos</c> is set,
    /// else the SQLite file <c>Support:SqlitePath</c> — seeding at startup, and its tools and resources.
    /// Off when <c>Support:Enabled</c> is false.
    /// </summary>
    public static IMcpServerBuilder AddSupportDesk(this IMcpServerBuilder mcp, IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SupportOptions>().BindConfiguration(SupportOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<SupportOptions>, SupportOptionsValidator>();
        if (!builder.Configuration.GetValue($"{SupportOptions.SectionName}:{nameof(SupportOptions.Enabled)}", true))
        {
            return mcp;
        }

        if (builder.Configuration.GetConnectionString("cosmos") is { Length: > 0 } cosmos)
        {
            services.AddSingleton<ISupportRepository>(provider =>
            {
                var stateOptions = provider.GetRequiredService<IOptions<CosmosStateOptions>>().Value;
                var support = provider.GetRequiredService<IOptions<SupportOptions>>().Value;
                // The account and connection settings are the state store's; the database is the support desk's own.
                var connection = new CosmosStateOptions
                {
                    ConnectionMode = stateOptions.ConnectionMode,
                    LimitToEndpoint = stateOptions.LimitToEndpoint,
                    EmulatorCompatibility = stateOptions.EmulatorCompatibility,
                };
                return new CosmosSupportRepository(CosmosConnection.CreateClient(cosmos, connection), support.CosmosDatabaseName, stateOptions.CreateIfMissing);
            });
        }
        else
        {
            services.AddSingleton<ISupportRepository>(provider =>
            {
                var path = provider.GetRequiredService<IOptions<SupportOptions>>().Value.SqlitePath;
                return new SqliteSupportRepository(Path.Combine(provider.GetRequiredService<IHostEnvironment>().ContentRootPath, path));
            });
        }
        services.AddSingleton<SupportDesk>();
        services.AddSingleton<KnowledgeBaseIndex>();
        services.AddHostedService<SupportDataInitializer>();
        services.AddHealthChecks().AddCheck<SupportDataReadiness>("support", tags: [Extensions.ReadyTag]);

        return mcp
            .WithTools<CustomerTools>()
            .WithTools<BillingTools>()
            .WithTools<PrivilegedTools>()
            .WithTools<TroubleshootTools>()
            .WithTools<ExpertTools>()
            .WithResources<SupportResources>();
    }
}
