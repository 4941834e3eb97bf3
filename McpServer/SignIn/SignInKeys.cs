using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Prynai.McpServer.SignIn;

/// <summary>
/// The key material every replica shares (configuration; in Azure, Key Vault secrets given to the container app):
/// RSA keys that sign access tokens — the first signs, all are published, so a new key is added first and the old one
/// kept until its tokens expired — and symmetric keys that encrypt codes, refresh tokens and the upstream tokens.
/// In Development without configured keys it makes ephemeral ones (one replica, lost on restart) and says so.
/// </summary>
internal sealed partial class SignInKeys
{
    public SignInKeys(IOptions<SignInOptions> options, IHostEnvironment environment, ILogger<SignInKeys> logger)
    {
        var settings = options.Value;
        SigningKeys = settings.SigningKeys.Select(ReadRsa).ToList();
        EncryptionKeyBytes = settings.EncryptionKeys.Select(Convert.FromBase64String).ToList();
        if (SigningKeys.Count == 0 || EncryptionKeyBytes.Count == 0)
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException("Auth:SignIn:SigningKeys and Auth:SignIn:EncryptionKeys are required outside Development.");
            }
            LogEphemeral(logger);
            if (SigningKeys.Count == 0)
            {
                SigningKeys = [WithKeyId(new RsaSecurityKey(RSA.Create(2048)))];
            }
            if (EncryptionKeyBytes.Count == 0)
            {
                EncryptionKeyBytes = [RandomNumberGenerator.GetBytes(32)];
            }
        }
        EncryptionKeys = EncryptionKeyBytes.Select((bytes, i) => new SymmetricSecurityKey(bytes) { KeyId = "enc-" + Base64UrlEncoder.Encode(SHA256.HashData(bytes))[..12] }).ToList();
    }

    public IReadOnlyList<RsaSecurityKey> SigningKeys { get; }

    public IReadOnlyList<byte[]> EncryptionKeyBytes { get; }

    public IReadOnlyList<SymmetricSecurityKey> EncryptionKeys { get; }

    /// <summary>Why a configured key cannot be used, for start-up validation; null when all can.</summary>
    public static string? Problem(SignInOptions options)
    {
        for (var i = 0; i < options.SigningKeys.Count; i++)
        {
            try
            {
                using var rsa = RSA.Create();
                rsa.ImportFromPem(options.SigningKeys[i]);
                if (rsa.KeySize < 2048)
                {
                    return $"Auth:SignIn:SigningKeys:{i} is a {rsa.KeySize}-bit RSA key; use 2048 bits or more.";
                }
            }
            catch (Exception ex) when (ex is ArgumentException or CryptographicException)
            {
                return $"Auth:SignIn:SigningKeys:{i} is not an RSA private key in PEM (-----BEGIN PRIVATE KEY----- or RSA PRIVATE KEY).";
            }
        }
        for (var i = 0; i < options.EncryptionKeys.Count; i++)
        {
            var ok = true;
            try
            {
                ok = Convert.FromBase64String(options.EncryptionKeys[i]).Length == 32;
            }
            catch (FormatException)
            {
                ok = false;
            }
            if (!ok)
            {
                return $"Auth:SignIn:EncryptionKeys:{i} must be 32 random bytes in base64 (openssl rand -base64 32).";
            }
        }
        return null;
    }

    private static RsaSecurityKey ReadRsa(string pem)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return WithKeyId(new RsaSecurityKey(rsa));
    }

    /// <summary>The key id is the key's JWK thumbprint, the same on every replica that has the same key.</summary>
    private static RsaSecurityKey WithKeyId(RsaSecurityKey key)
    {
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint())[..16];
        return key;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in uses ephemeral keys (Development, none configured): tokens die with this process and no other replica accepts them. Set Auth:SignIn:SigningKeys and Auth:SignIn:EncryptionKeys to share them.")]
    private static partial void LogEphemeral(ILogger logger);
}
