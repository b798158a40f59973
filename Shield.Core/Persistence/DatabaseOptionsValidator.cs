using Microsoft.Extensions.Options;

namespace Shield.Core.Persistence;

/// <summary>Checks the database settings at start and says how to fix each problem.</summary>
internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        List<string> errors = [];
        if (!options.IsSqlite && !options.IsSqlServer && !options.IsPostgreSql)
        {
            errors.Add($"{DatabaseOptions.SectionName}:Provider is '{options.Provider}', which Shield does not support. " +
                $"Set it to '{DatabaseProviders.Sqlite}' (the embedded default), '{DatabaseProviders.SqlServer}' or '{DatabaseProviders.PostgreSql}'.");
        }

        if ((options.IsSqlServer || options.IsPostgreSql) && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            var engine = options.IsSqlServer ? "SQL Server" : "PostgreSQL";
            errors.Add($"{DatabaseOptions.SectionName}:Provider is '{options.Provider}' but " +
                $"ConnectionStrings:{DatabaseOptions.ConnectionStringName} is empty. Set it (environment variable " +
                $"ConnectionStrings__{DatabaseOptions.ConnectionStringName}) to the {engine} connection string.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
