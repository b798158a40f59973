namespace Shield.Console.Governance;

internal static class GovernanceExtensions
{
    /// <summary>The governance document: exported, imported, and applied from a policy file at start (after the audit trail is registered, which records it).</summary>
    public static void AddGovernance(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<GovernanceExporter>();
        services.AddSingleton<GovernanceImporter>();
        services.AddHostedService<PolicyFileImport>();
    }
}
