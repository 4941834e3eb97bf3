using System.ComponentModel;
using System.Text.RegularExpressions;
using Prynai.McpServer.Support.Data;

namespace Prynai.McpServer.Support;

/// <summary>
/// Okapi BM25 over the knowledge base's titles (counted twice) and bodies: a deterministic lexical ranking that needs
/// no model. Built from the store's articles on first use and kept (the catalog changes only when reseeded); read
/// through the desk, so a search before the data is in place is refused like every other read instead of caching an
/// empty index.
/// </summary>
public sealed partial class KnowledgeBaseIndex(SupportDesk desk)
{
    private const double K1 = 1.2;
    private const double B = 0.75;
    private static readonly HashSet<string> StopWords =
        ["a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how", "i", "if", "in", "is", "it", "my", "of", "on", "or", "the", "to", "what", "when", "why", "with", "you", "your"];

    private Task<Index>? _index;

    [GeneratedRegex("[\\p{L}\\p{N}]+")]
    private static partial Regex Word();

    public async Task<IReadOnlyList<KnowledgeHit>> SearchAsync(string query, int top, CancellationToken cancellationToken)
    {
        var building = _index ??= BuildAsync(cancellationToken);
        Index index;
        try
        {
            index = await building;
        }
        catch
        {
            // A failed build is not kept: the next search tries again.
            _ = Interlocked.CompareExchange(ref _index, null, building);
            throw;
        }
        var terms = Terms(query).Distinct().ToList();
        var hits = new List<KnowledgeHit>();
        foreach (var document in index.Documents)
        {
            var score = 0d;
            foreach (var term in terms)
            {
                if (document.Frequencies.TryGetValue(term, out var frequency))
                {
                    var idf = Math.Log(1 + (index.Documents.Count - index.DocumentFrequency[term] + 0.5) / (index.DocumentFrequency[term] + 0.5));
                    score += idf * frequency * (K1 + 1) / (frequency + K1 * (1 - B + B * document.Length / index.AverageLength));
                }
            }
            if (score > 0)
            {
                hits.Add(new KnowledgeHit(document.Article.Id, document.Article.Title, document.Article.Category, Math.Round(score, 4),
                    document.Article.Body.Length <= 160 ? document.Article.Body : document.Article.Body[..160] + "…"));
            }
        }
        return [.. hits.OrderByDescending(hit => hit.Score).ThenBy(hit => hit.ArticleId, StringComparer.Ordinal).Take(top)];
    }

    /// <summary>Forgets the index (after reseeding).</summary>
    public void Reset() => _index = null;

    private async Task<Index> BuildAsync(CancellationToken cancellationToken)
    {
        var articles = await desk.Repository.GetArticlesAsync(cancellationToken);
        var documents = articles.Select(article =>
        {
            var terms = Terms(article.Title).Concat(Terms(article.Title)).Concat(Terms(article.Body)).ToList();
            return new IndexedArticle(article, terms.Count, terms.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count()));
        }).ToList();
        var documentFrequency = documents.SelectMany(d => d.Frequencies.Keys).GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        return new Index(documents, documentFrequency, documents.Count == 0 ? 1 : documents.Average(d => d.Length));
    }

    private static IEnumerable<string> Terms(string text) =>
        Word().Matches(text.ToLowerInvariant()).Select(match => Stem(match.Value)).Where(term => !StopWords.Contains(term));

    /// <summary>A light plural/verb-ending stemmer, so "invoices" finds "invoice" and "locked" finds "lock".</summary>
    private static string Stem(string word) =>
        word.Length > 4 && word.EndsWith("ies", StringComparison.Ordinal) ? word[..^3] + "y"
        : word.Length > 4 && word.EndsWith("ing", StringComparison.Ordinal) ? word[..^3]
        : word.Length > 3 && word.EndsWith("ed", StringComparison.Ordinal) ? word[..^2]
        : word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) ? word[..^1]
        : word;

    private sealed record IndexedArticle(KnowledgeArticle Article, int Length, Dictionary<string, int> Frequencies);

    private sealed record Index(List<IndexedArticle> Documents, Dictionary<string, int> DocumentFrequency, double AverageLength);
}

/// <summary>A knowledge-base search result.</summary>
public sealed record KnowledgeHit(
    [property: Description("Article id; read it in full as kb://{id}.")] string ArticleId,
    [property: Description("Title.")] string Title,
    [property: Description("Category.")] string Category,
    [property: Description("BM25 relevance score; higher is better.")] double Score,
    [property: Description("The article's opening.")] string Snippet);
