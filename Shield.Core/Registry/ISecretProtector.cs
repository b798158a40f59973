namespace Shield.Core.Registry;

/// <summary>Encrypts upstream secrets for storage and decrypts them only to connect.</summary>
public interface ISecretProtector
{
    string Protect(string secret);

    string Unprotect(string protectedSecret);
}
