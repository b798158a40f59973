namespace Shield.Console.Accounts;

/// <summary>
/// The first administrator, created on the first start when there are no local accounts:
/// <c>Shield:Bootstrap</c> (environment variables <c>Shield__Bootstrap__AdminEmail</c>, <c>Shield__Bootstrap__AdminPassword</c>).
/// </summary>
public sealed class BootstrapOptions
{
    public const string SectionName = "Shield:Bootstrap";
    public const string DefaultAdminEmail = "admin@shield.local";

    public string AdminEmail { get; set; } = DefaultAdminEmail;

    /// <summary>When empty, a password is generated and written once to the log.</summary>
    public string? AdminPassword { get; set; }
}
