using System.Text;
using System.Text.Encodings.Web;

namespace Prynai.McpServer.SignIn.Authorization;

/// <summary>
/// The two pages sign-in shows a person: the consent page (which client, where it sends them back, what it asks for;
/// approve or deny) and the error page for what cannot go back to a client. Plain server-rendered HTML that works
/// without JavaScript, never framed, never cached.
/// </summary>
internal static class SignInPages
{
    private const string Style = "body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}" +
        "h1{font-size:1.4rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem}dt{font-weight:600}dd{margin:0;word-break:break-all}" +
        "button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.6rem;border-radius:.3rem;border:1px solid #555;cursor:pointer}" +
        "button[value=approve]{background:#0b5cad;color:#fff;border-color:#0b5cad}.note{color:#555;font-size:.9rem}";

    public static IResult Consent(ConsentView view)
    {
        var html = new StringBuilder();
        html.Append("<h1>Allow ").Append(Encode(view.ClientName)).Append(" to use Prynai MCP as you?</h1>");
        if (view.UserName is { Length: > 0 } user)
        {
            html.Append("<p>Signed in as <strong>").Append(Encode(user)).Append("</strong>.</p>");
        }
        html.Append("<dl><dt>Client</dt><dd id=\"client\">").Append(Encode(view.ClientName));
        if (view.ClientName != view.ClientId)
        {
            html.Append(" <span class=\"note\">(").Append(Encode(view.ClientId)).Append(")</span>");
        }
        html.Append("</dd><dt>Returns you to</dt><dd id=\"redirect\">").Append(Encode(view.RedirectUri))
            .Append("</dd><dt>Asks for</dt><dd id=\"scopes\">").Append(Encode(string.Join(", ", view.Scopes)))
            .Append("</dd><dt>Resource</dt><dd>").Append(Encode(view.Resource)).Append("</dd></dl>");
        if (view.ClientSource == Clients.ClientSource.MetadataDocument || view.ClientSource == Clients.ClientSource.Registered)
        {
            html.Append("<p class=\"note\">This client registered itself; its name is what it says about itself. Approve only if you started this sign-in.</p>");
        }
        html.Append("<form method=\"post\" action=\"").Append(Encode(view.FormAction)).Append("\">")
            .Append("<input type=\"hidden\" name=\"request\" value=\"").Append(Encode(view.RequestId)).Append("\"/>")
            .Append("<input type=\"hidden\" name=\"csrf\" value=\"").Append(Encode(view.CsrfToken)).Append("\"/>")
            .Append("<button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>")
            .Append("<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>")
            .Append("<p class=\"note\">Approving lets this client call Prynai with your identity and roles until you sign out of it or the approval expires.</p>");
        return Page("Sign in to Prynai MCP", html.ToString(), StatusCodes.Status200OK);
    }

    public static IResult Error(string title, string message, int status = StatusCodes.Status400BadRequest) =>
        Page(title, $"<h1>{Encode(title)}</h1><p id=\"error\">{Encode(message)}</p><p class=\"note\">You can close this window and start the sign-in again from your client.</p>", status);

    private static IResult Page(string title, string body, int status) => new PageResult(
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">" +
        $"<meta name=\"referrer\" content=\"no-referrer\"><title>{Encode(title)}</title><style>{Style}</style></head><body>{body}</body></html>", status);

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);

    private sealed class PageResult(string html, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            var headers = context.Response.Headers;
            headers.CacheControl = "no-store";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";
            headers["Referrer-Policy"] = "no-referrer";
            context.Response.StatusCode = status;
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync(html, context.RequestAborted);
        }
    }
}

/// <summary>What the consent page shows and posts back.</summary>
internal sealed record ConsentView(
    string ClientId, string ClientName, Clients.ClientSource ClientSource, string RedirectUri, IReadOnlyList<string> Scopes, string Resource,
    string? UserName, string RequestId, string CsrfToken, string FormAction);
