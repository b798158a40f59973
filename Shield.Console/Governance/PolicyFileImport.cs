using Shield.Core.Governance;

namespace Shield.Console.Governance;

/// <summary>
/// Imports the governance document named by <c>Shield:PolicyFile</c> at start, after the database is ready. A missing
/// or invalid file stops the start with every problem listed: Shield never runs on a policy it could not apply.
/// </summary>
internal sealed partial class PolicyFileImport(
    IConfiguration configuration,
    IHostEnvironment environment,
    GovernanceImporter importer,
    ILogger<PolicyFileImport> logger) : IHostedService
{
    public const string SettingName = "Shield:PolicyFile";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration[SettingName] is not { Length: > 0 } configured)
        {
            return;
        }

        var path = Path.GetFullPath(Path.Combine(environment.ContentRootPath, configured));
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{SettingName} names {path}, which does not exist. Fix the path or remove the setting.");
        }

        var result = await importer.ImportAsync(await File.ReadAllTextAsync(path, cancellationToken), Actor.Shield("policy file"), cancellationToken);
        if (!result.Applied)
        {
            throw new InvalidOperationException($"{SettingName} ({path}) was not applied, so Shield does not start: " +
                string.Join(" ", result.Errors.Select(e => $"{e.Path}: {e.Message}")));
        }

        LogImported(logger, path, result.ServersCreated.Count, result.ServersUpdated.Count, result.DecisionsDeclared);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied the policy file {Path}: {Created} server(s) created, {Updated} updated, {Decisions} tool decision(s) declared")]
    private static partial void LogImported(ILogger logger, string path, int created, int updated, int decisions);
}
