namespace Prynai.AppHost;

internal static class DevelopmentCertificate
{
    /// <summary>
    /// The project serves plain HTTP on F5, so it needs no HTTPS developer certificate. Aspire 13.6 gives every project
    /// a callback that would configure one and, finding no trusted certificate, shows a red "No trusted development
    /// certificate" banner on the dashboard; this says the project has no use for it (Aspire's
    /// <c>WithoutHttpsCertificate</c>, experimental in 13.6: ASPIRECERTIFICATES001).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithoutDevelopmentCertificate(this IResourceBuilder<ProjectResource> project)
    {
#pragma warning disable ASPIRECERTIFICATES001
        return project.WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001
    }
}
