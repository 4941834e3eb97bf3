using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using Prynai.McpServer.Resources;

namespace Prynai.McpServer.Revisions;

public static class RevisionServiceCollectionExtensions
{
    /// <summary>
    /// This revision's name and served lists (<see cref="RevisionOptions"/>: hidden tools, prompts, resources), their
    /// fingerprint, and its announcement on the shared store.
    /// </summary>
    public static IHostApplicationBuilder AddPrynaiRevisions(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var containerAppsRevision = builder.Configuration["CONTAINER_APP_REVISION"];
        services.AddOptions<RevisionOptions>().BindConfiguration(RevisionOptions.SectionName)
            .PostConfigure(options => options.Name = options.Name is { Length: > 0 } name ? name : containerAppsRevision is { Length: > 0 } aca ? aca : "local");
        services.AddSingleton<IPostConfigureOptions<McpServerOptions>, HideConfiguredPrimitives>();
        services.AddSingleton<ServedSurface>();
        services.AddSingleton<RevisionRegistry>();
        services.AddHostedService(provider => provider.GetRequiredService<RevisionRegistry>());
        services.AddSingleton<IServerInfoContributor, RevisionInfo>();
        return builder;
    }

    /// <summary>Takes the tools, prompts and resources this revision hides out of what the server serves.</summary>
    private sealed class HideConfiguredPrimitives(IOptions<RevisionOptions> revision) : IPostConfigureOptions<McpServerOptions>
    {
        public void PostConfigure(string? name, McpServerOptions options)
        {
            var hidden = revision.Value;
            foreach (var tool in options.ToolCollection?.Where(t => hidden.HiddenTools.Contains(t.ProtocolTool.Name)).ToList() ?? [])
            {
                options.ToolCollection!.Remove(tool);
            }
            foreach (var prompt in options.PromptCollection?.Where(p => hidden.HiddenPrompts.Contains(p.ProtocolPrompt.Name)).ToList() ?? [])
            {
                options.PromptCollection!.Remove(prompt);
            }
            foreach (var resource in options.ResourceCollection?.Where(r => hidden.HiddenResources.Contains(r.ProtocolResourceTemplate.UriTemplate)).ToList() ?? [])
            {
                options.ResourceCollection!.Remove(resource);
            }
        }
    }

    /// <summary>prynai://server-info names the revision that answered.</summary>
    private sealed class RevisionInfo(IOptions<RevisionOptions> revision) : IServerInfoContributor
    {
        public void Contribute(ServerInfoDocument document) => document.Revision = revision.Value.Name;
    }
}
