using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Server;
using Prynai.McpServer.Resources;
using Prynai.McpServer.Support.Data;
using ProtocolServer = ModelContextProtocol.Server.McpServer;

namespace Prynai.McpServer.Support.Tools;

/// <summary>customer://{id} (a JSON summary) and kb://{article_id} (the article as Markdown).</summary>
[McpServerResourceType]
public sealed class SupportResources
{
    [McpServerResource(UriTemplate = "customer://{id}", Name = "customer", Title = "Customer summary", MimeType = "application/json")]
    [Description("A customer's summary: profile, subscriptions, balance due, overdue invoices and open tickets.")]
    public static async Task<string> Customer(ProtocolServer server, SupportDesk desk, [Description("Customer id, e.g. C0042.")] string id, CancellationToken cancellationToken)
    {
        var uri = $"customer://{id}";
        try
        {
            var detail = await CustomerTools.GetCustomerDetail(desk, Uri.UnescapeDataString(id), cancellationToken);
            return JsonSerializer.Serialize(detail, SupportJson.Options);
        }
        catch (McpException ex) when (ex is not McpProtocolException)
        {
            throw ResourceNotFoundFilter.NotFound(server, uri, $"Resource not found: {uri}. {ex.Message}");
        }
    }

    [McpServerResource(UriTemplate = "kb://{article_id}", Name = "knowledge-article", Title = "Knowledge-base article", MimeType = "text/markdown")]
    [Description("A knowledge-base article in full. Find articles with search_knowledge_base.")]
    public static async Task<string> KnowledgeArticle(ProtocolServer server, SupportDesk desk, [Description("Article id, e.g. KB-0006.")] string article_id, CancellationToken cancellationToken)
    {
        var uri = $"kb://{article_id}";
        string id;
        try
        {
            id = SupportIds.Article(Uri.UnescapeDataString(article_id));
        }
        catch (McpException ex)
        {
            throw ResourceNotFoundFilter.NotFound(server, uri, $"Resource not found: {uri}. {ex.Message}");
        }
        var article = await desk.Repository.GetArticleAsync(id, cancellationToken)
            ?? throw ResourceNotFoundFilter.NotFound(server, uri, $"Resource not found: {uri}. No article has the id {id}.");
        return $"# {article.Title}\n\n*{article.Id} · {article.Category}*\n\n{article.Body}\n";
    }
}
