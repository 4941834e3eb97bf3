using System.Text.RegularExpressions;
using ModelContextProtocol;

namespace Prynai.McpServer.Support.Data;

/// <summary>
/// The id formats. Everything a customer owns carries the customer id as its prefix: subscriptions
/// <c>C0042-S1</c>, invoices <c>C0042-INV-003</c>, payments <c>C0042-INV-003-P1</c>, tickets <c>C0042-T1</c>,
/// security-log entries <c>C0042-L1</c>. Bad ids are refused with a message saying what was expected.
/// </summary>
public static partial class SupportIds
{
    [GeneratedRegex("^C[0-9]{4}$")]
    private static partial Regex CustomerPattern();

    [GeneratedRegex("^(C[0-9]{4})-S[0-9]{1,4}$")]
    private static partial Regex SubscriptionPattern();

    [GeneratedRegex("^(C[0-9]{4})-INV-[0-9]{3,6}$")]
    private static partial Regex InvoicePattern();

    [GeneratedRegex("^KB-[0-9]{4}$")]
    private static partial Regex ArticlePattern();

    /// <summary>The id, trimmed and upper-cased, when it is a customer id; otherwise a tool error.</summary>
    public static string Customer(string? id) =>
        Normalize(id) is { } value && CustomerPattern().IsMatch(value)
            ? value
            : throw new McpException($"'{Shorten(id)}' is not a customer id; expected C followed by four digits, e.g. C0042.");

    /// <summary>The owning customer's id of a subscription id; otherwise a tool error.</summary>
    public static (string SubscriptionId, string CustomerId) Subscription(string? id) =>
        Normalize(id) is { } value && SubscriptionPattern().Match(value) is { Success: true } match
            ? (value, match.Groups[1].Value)
            : throw new McpException($"'{Shorten(id)}' is not a subscription id; expected the customer id, -S and a number, e.g. C0042-S1.");

    /// <summary>The owning customer's id of an invoice id; otherwise a tool error.</summary>
    public static (string InvoiceId, string CustomerId) Invoice(string? id) =>
        Normalize(id) is { } value && InvoicePattern().Match(value) is { Success: true } match
            ? (value, match.Groups[1].Value)
            : throw new McpException($"'{Shorten(id)}' is not an invoice id; expected the customer id, -INV- and a number, e.g. C0042-INV-003.");

    public static string Article(string? id) =>
        Normalize(id) is { } value && ArticlePattern().IsMatch(value)
            ? value
            : throw new McpException($"'{Shorten(id)}' is not a knowledge-base article id; expected KB- and four digits, e.g. KB-0006.");

    /// <summary>The next free <c>{customer}-T{n}</c> after <paramref name="existing"/>.</summary>
    public static string NextTicketId(string customerId, IEnumerable<string> existing) => Next(customerId, "-T", existing);

    /// <summary>The next free <c>{customer}-L{n}</c> after <paramref name="existing"/>.</summary>
    public static string NextLogId(string customerId, IEnumerable<string> existing) => Next(customerId, "-L", existing);

    private static string Next(string customerId, string infix, IEnumerable<string> existing)
    {
        var prefix = customerId + infix;
        var highest = existing
            .Select(id => id.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(id.AsSpan(prefix.Length), out var n) ? n : 0)
            .DefaultIfEmpty(0)
            .Max();
        return $"{prefix}{highest + 1}";
    }

    private static string? Normalize(string? id) => id?.Trim().ToUpperInvariant();

    internal static string Shorten(string? text) =>
        text is null ? "" : text.Length <= 40 ? text : text[..40] + "…";
}
