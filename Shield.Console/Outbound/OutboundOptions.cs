using Microsoft.Extensions.Options;

namespace Shield.Console.Outbound;

/// <summary>
/// <c>Shield:Outbound</c>: where Shield may connect to reach an upstream server. By default everything but link-local and
/// cloud metadata addresses and Shield's own endpoints; these lists widen or narrow that, the most specific entry deciding.
/// </summary>
public sealed class OutboundOptions
{
    public const string SectionName = "Shield:Outbound";

    /// <summary>Destinations allowed although the defaults refuse them, e.g. a server on a link-local address.</summary>
    public List<string> Allow { get; set; } = [];

    /// <summary>Destinations refused although the defaults allow them, e.g. 10.0.0.0/8, or 0.0.0.0/0 with allowed ones in <see cref="Allow"/>.</summary>
    public List<string> Deny { get; set; } = [];
}

internal sealed class OutboundOptionsValidator : IValidateOptions<OutboundOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboundOptions options)
    {
        List<string> errors = [];
        Check(nameof(options.Allow), options.Allow, errors);
        Check(nameof(options.Deny), options.Deny, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(string setting, List<string> entries, List<string> errors)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (OutboundRule.Problem(entries[i]) is { } problem)
            {
                errors.Add($"{OutboundOptions.SectionName}:{setting}:{i} is '{entries[i]}': {problem}");
            }
        }
    }
}
