namespace Shield.Core.Persistence;

/// <summary>
/// One ASP.NET Core Data Protection key, kept in the database so that sign-in cookies, API tokens and
/// encrypted upstream secrets survive restarts and are shared by every instance.
/// </summary>
public sealed class DataProtectionKey
{
    public int Id { get; set; }

    public string FriendlyName { get; set; } = "";

    public string Xml { get; set; } = "";
}
