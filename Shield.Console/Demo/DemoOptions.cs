using Microsoft.Extensions.Options;

namespace Shield.Console.Demo;

/// <summary><c>Shield:Demo</c> (or <c>--demo</c>): a built-in demo server, agents and accounts, on a database of its own.</summary>
public sealed class DemoOptions
{
    public const string SectionName = "Shield:Demo";

    public bool Enabled { get; set; }
}

internal sealed class DemoOptionsValidator(IHostEnvironment environment) : IValidateOptions<DemoOptions>
{
    public ValidateOptionsResult Validate(string? name, DemoOptions options) => !options.Enabled || environment.IsDevelopment()
        ? ValidateOptionsResult.Success
        : ValidateOptionsResult.Fail($"{DemoOptions.SectionName}:Enabled works only in the Development environment: demo mode prints the passwords of its accounts. " +
            "Run it with `dotnet run --project Shield.Console -- --demo`, or remove the setting.");
}
