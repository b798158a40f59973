using Microsoft.Extensions.Options;

namespace Shield.Core.Persistence;

/// <summary>Checks the database settings at start and says how to fix each problem.</summary>
internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        List<string> errors = [];
        if (!options.IsSqlite && !options.IsSqlServer)
        {
            errors.Add($"{DatabaseOptions.SectionName}:Provider is '{options.Provider}', which Shield does not support. " +
                $"Set it to '{DatabaseProviders.Sqlite}' (the embedded default) or '{DatabaseProviders.SqlServer}'.");
        }

        if (options.IsSqlServer && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add($"{DatabaseOptions.SectionName}:Provider is '{DatabaseProviders.SqlServer}' but " +
                $"ConnectionStrings:{DatabaseOptions.ConnectionStringName} is empty. Set it (environment variable " +
                $"ConnectionStrings__{DatabaseOptions.ConnectionStringName}) to the SQL Server connection string.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
