using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.SignIn;

/// <summary>The consent page in a real browser (headless Chromium): it renders, approve and deny work, the CSRF check holds.</summary>
[Collection(SignInCollection.Name)]
public sealed class ConsentPageTests(SignInFixture fixture, SharedBrowser browser)
{
    [Fact]
    public async Task ConsentPage_ShowsTheClient_AndApproveSignsIn()
    {
        var redirect = "http://127.0.0.1:9/approve";
        var clientId = await fixture.RegisterAsync(redirect, name: "Playwright Approve Client");
        await using var context = await browser.NewContextAsync(SignInFixture.Bob.Id);
        var page = await context.NewPageAsync();
        var landed = WaitForRedirect(page, redirect);

        await page.GotoAsync(fixture.AuthorizeUrl(clientId, redirect, Pkce.New(), state: "pw"));
        Assert.StartsWith("Playwright Approve Client", await page.Locator("#client").TextContentAsync());
        Assert.Equal(redirect, await page.Locator("#redirect").TextContentAsync());
        Assert.Contains($"{SignInFixture.Audience}/.default", await page.Locator("#scopes").TextContentAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        var query = QueryHelpers.ParseQuery((await landed).Query);
        Assert.False(string.IsNullOrEmpty(query["code"]));
        Assert.Equal("pw", query["state"].ToString());
        Assert.Equal(fixture.Issuer, query["iss"].ToString());
    }

    [Fact]
    public async Task Deny_ReturnsAccessDenied()
    {
        var redirect = "http://127.0.0.1:9/pwdeny";
        var clientId = await fixture.RegisterAsync(redirect);
        await using var context = await browser.NewContextAsync(SignInFixture.Bob.Id);
        var page = await context.NewPageAsync();
        var landed = WaitForRedirect(page, redirect);

        await page.GotoAsync(fixture.AuthorizeUrl(clientId, redirect, Pkce.New()));
        await page.GetByRole(AriaRole.Button, new() { Name = "Deny" }).ClickAsync();

        Assert.Equal("access_denied", QueryHelpers.ParseQuery((await landed).Query)["error"].ToString());
    }

    [Fact]
    public async Task ApprovalWithoutItsCsrfToken_OrForAnotherRequest_IsRefused()
    {
        var redirect = "http://127.0.0.1:9/csrf";
        var clientId = await fixture.RegisterAsync(redirect);
        await using var context = await browser.NewContextAsync(SignInFixture.Bob.Id);
        var first = await context.NewPageAsync();
        await first.GotoAsync(fixture.AuthorizeUrl(clientId, redirect, Pkce.New()));
        var second = await context.NewPageAsync();
        await second.GotoAsync(fixture.AuthorizeUrl(clientId, redirect, Pkce.New()));
        var secondCsrf = await second.Locator("input[name=csrf]").GetAttributeAsync("value");

        // The form's token removed: refused.
        await first.Locator("input[name=csrf]").EvaluateAsync("e => e.value = ''");
        await first.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        Assert.Contains("was not accepted", await first.Locator("h1").TextContentAsync());

        // Another pending request's token: refused as well.
        await first.GoBackAsync();
        await first.ReloadAsync();
        await first.Locator("input[name=csrf]").EvaluateAsync($"e => e.value = '{secondCsrf}'");
        await first.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        Assert.Contains("was not accepted", await first.Locator("h1").TextContentAsync());

        // A cross-site form post carries no cookie of this browser's sign-in: refused.
        using var http = fixture.Http();
        using var forged = await http.PostAsync("/authorize/consent", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["request"] = await second.Locator("input[name=request]").GetAttributeAsync("value") ?? "",
            ["csrf"] = secondCsrf ?? "",
            ["decision"] = "approve",
        }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
    }

    /// <summary>The URL the browser is sent to under <paramref name="prefix"/> (the client's redirect URI; nothing listens there).</summary>
    private static Task<Uri> WaitForRedirect(IPage page, string prefix)
    {
        var landed = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        page.Context.RouteAsync(prefix + "**", async route =>
        {
            landed.TrySetResult(new Uri(route.Request.Url));
            await route.FulfillAsync(new() { Status = 200, Body = "client" });
        }).GetAwaiter().GetResult();
        return landed.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
