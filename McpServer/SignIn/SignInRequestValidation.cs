using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using Prynai.McpServer.SignIn.Clients;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Prynai.McpServer.SignIn;

/// <summary>
/// What OpenIddict's degraded mode leaves to the host (it has no application store): is this a known client, is the
/// redirect URI one it registered, does it authenticate as it must; and what only Prynai knows: the resource is this
/// MCP server. OpenIddict does the rest of the protocol (response type, PKCE S256, code and token binding, expiry).
/// </summary>
internal static class SignInRequestValidation
{
    /// <summary>The client found for this request, once its client_id and redirect URI checked out (HttpContext.Items key).</summary>
    public static readonly object VerifiedClient = new();

    /// <summary>Authorization requests: client, exact redirect URI (loopback port rule), resource.</summary>
    public sealed class Authorization(ClientDirectory clients, Microsoft.Extensions.Options.IOptions<SignInOptions> options) : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseScopedHandler<Authorization>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateClientIdParameter.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public async ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
        {
            var http = context.Transaction.GetHttpRequest()!;
            var lookup = await clients.FindAsync(context.ClientId, context.CancellationToken);
            if (lookup.Client is not { } client)
            {
                context.Reject(OpenIddictConstants.Errors.InvalidClient, lookup.Problem);
                return;
            }
            if (context.Request.RedirectUri is not { Length: > 0 } redirectUri)
            {
                context.Reject(OpenIddictConstants.Errors.InvalidRequest, "The request has no redirect_uri; this server requires one.");
                return;
            }
            if (!client.AcceptsRedirect(redirectUri))
            {
                context.Reject(OpenIddictConstants.Errors.InvalidRequest, $"The redirect_uri '{RedirectUriRules.Shorten(redirectUri)}' is not one the client registered.");
                return;
            }
            http.HttpContext.Items[VerifiedClient] = client;
            if (!client.IsConfidential && !options.Value.PublicClients)
            {
                context.Reject(OpenIddictConstants.Errors.UnauthorizedClient, "This server accepts only confidential clients (with a secret).");
                return;
            }
            var resources = context.Request.GetResources();
            var canonical = SignInUrls.Resource(http);
            if (resources.Length > 1 || (resources.Length == 1 && !string.Equals(resources[0], canonical, StringComparison.Ordinal)))
            {
                context.Reject(OpenIddictConstants.Errors.InvalidTarget, $"The resource must be this MCP server, {canonical}.");
            }
        }
    }

    /// <summary>Token requests: the client exists, a confidential one proves its secret, a public one sends none.</summary>
    public sealed class Token(ClientDirectory clients, Microsoft.Extensions.Options.IOptions<SignInOptions> options) : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseScopedHandler<Token>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateAuthentication.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public async ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            var lookup = await clients.FindAsync(context.ClientId, context.CancellationToken);
            if (lookup.Client is not { } client)
            {
                context.Reject(OpenIddictConstants.Errors.InvalidClient, lookup.Problem);
                return;
            }
            if (!client.IsConfidential && !options.Value.PublicClients)
            {
                context.Reject(OpenIddictConstants.Errors.InvalidClient, "This server accepts only confidential clients (with a secret).");
                return;
            }
            if (client.IsConfidential ? !client.SecretMatches(context.ClientSecret) : context.ClientSecret is { Length: > 0 })
            {
                context.Reject(OpenIddictConstants.Errors.InvalidClient, client.IsConfidential
                    ? "The client's secret is missing or wrong."
                    : "This client is public (PKCE only) and must not send a secret.");
                return;
            }
            context.Transaction.GetHttpRequest()!.HttpContext.Items[VerifiedClient] = client;
            var resources = context.Request.GetResources();
            var canonical = SignInUrls.Resource(context.Transaction.GetHttpRequest()!);
            if (resources.Any(resource => !string.Equals(resource, canonical, StringComparison.Ordinal)))
            {
                context.Reject(OpenIddictConstants.Errors.InvalidTarget, $"The resource must be this MCP server, {canonical}.");
            }
        }
    }

    /// <summary>Adds to OpenIddict's RFC 8414 metadata what it does not know: dynamic registration, metadata documents, public clients.</summary>
    public sealed class Metadata(Microsoft.Extensions.Options.IOptions<SignInOptions> options) : IOpenIddictServerHandler<HandleConfigurationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
            .UseSingletonHandler<Metadata>()
            .SetOrder(int.MaxValue - 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(HandleConfigurationRequestContext context)
        {
            var settings = options.Value;
            context.TokenEndpointAuthenticationMethods.Clear();
            if (settings.PublicClients)
            {
                context.TokenEndpointAuthenticationMethods.Add(OpenIddictConstants.ClientAuthenticationMethods.None);
            }
            context.TokenEndpointAuthenticationMethods.UnionWith([OpenIddictConstants.ClientAuthenticationMethods.ClientSecretBasic, OpenIddictConstants.ClientAuthenticationMethods.ClientSecretPost]);
            if (settings.DynamicRegistration.Enabled && context.Issuer is { } issuer)
            {
                context.Metadata["registration_endpoint"] = new Uri(issuer, ClientRegistrationEndpoint.Path.TrimStart('/')).AbsoluteUri;
            }
            // Metadata-document clients are public: offered only when public clients are.
            context.Metadata["client_id_metadata_document_supported"] = settings.ClientMetadataDocuments.Enabled && settings.PublicClients;
            return ValueTask.CompletedTask;
        }
    }
}
