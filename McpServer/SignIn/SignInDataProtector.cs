using System.Security.Cryptography;
using System.Text;

namespace Prynai.McpServer.SignIn;

/// <summary>
/// Encrypts what sign-in hands to the store or the browser that must stay secret or unforgeable — the upstream tokens,
/// the remembered-user cookie — with AES-256-GCM under a key derived per purpose from the first sign-in encryption key,
/// and decrypts with any configured key, so a key rotation keeps what exists readable. Every replica has the keys.
/// </summary>
internal sealed class SignInDataProtector(SignInKeys keys)
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    public string Protect(string purpose, byte[] plain)
    {
        var output = new byte[NonceBytes + TagBytes + plain.Length];
        RandomNumberGenerator.Fill(output.AsSpan(0, NonceBytes));
        using var aes = new AesGcm(Derive(keys.EncryptionKeyBytes[0], purpose), TagBytes);
        aes.Encrypt(output.AsSpan(0, NonceBytes), plain, output.AsSpan(NonceBytes + TagBytes), output.AsSpan(NonceBytes, TagBytes));
        return Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(output);
    }

    /// <summary>The plain bytes, or null when the value is not one this server protected for this purpose.</summary>
    public byte[]? Unprotect(string purpose, string value)
    {
        byte[] input;
        try
        {
            input = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(value);
        }
        catch (FormatException)
        {
            return null;
        }
        if (input.Length < NonceBytes + TagBytes)
        {
            return null;
        }
        var plain = new byte[input.Length - NonceBytes - TagBytes];
        foreach (var key in keys.EncryptionKeyBytes)
        {
            try
            {
                using var aes = new AesGcm(Derive(key, purpose), TagBytes);
                aes.Decrypt(input.AsSpan(0, NonceBytes), input.AsSpan(NonceBytes + TagBytes), input.AsSpan(NonceBytes, TagBytes), plain);
                return plain;
            }
            catch (AuthenticationTagMismatchException)
            {
            }
        }
        return null;
    }

    private static byte[] Derive(byte[] key, string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, salt: [], info: Encoding.ASCII.GetBytes("prynai-signin:" + purpose));
}
