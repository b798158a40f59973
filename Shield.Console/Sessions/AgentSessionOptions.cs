using Microsoft.Extensions.Options;

namespace Shield.Console.Sessions;

/// <summary><c>Shield:Sessions</c>: how long agent session tokens live.</summary>
public sealed class AgentSessionOptions
{
    public const string SectionName = "Shield:Sessions";

    /// <summary>The lifetime of a session whose request names none.</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest lifetime an agent may ask for.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromHours(8);
}

internal sealed class AgentSessionOptionsValidator : IValidateOptions<AgentSessionOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentSessionOptions options)
    {
        List<string> errors = [];
        if (options.DefaultTtl <= TimeSpan.Zero)
        {
            errors.Add($"{AgentSessionOptions.SectionName}:DefaultTtl is {options.DefaultTtl}; give a positive duration such as 00:15:00.");
        }

        if (options.MaxTtl < options.DefaultTtl)
        {
            errors.Add($"{AgentSessionOptions.SectionName}:MaxTtl ({options.MaxTtl}) is shorter than DefaultTtl ({options.DefaultTtl}); raise it or lower DefaultTtl.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
