using Microsoft.Extensions.Options;

namespace Shield.Console.Relay;

/// <summary><c>Shield:Relay</c>: the limits of the MCP endpoint, each answered with an error that names the setting.</summary>
public sealed class RelayOptions
{
    public const string SectionName = "Shield:Relay";

    /// <summary>The largest JSON-RPC request body <c>/mcp</c> accepts.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1_048_576;

    /// <summary>The largest <c>arguments</c> object of one tools/call, as UTF-8 JSON.</summary>
    public int MaxArgumentBytes { get; set; } = 262_144;

    /// <summary>
    /// The most one answer of an upstream server may hold, in bytes: a tool's result, a resource's contents, a prompt,
    /// or any other message it sends the relay.
    /// </summary>
    public long MaxResultBytes { get; set; } = 8_388_608;

    /// <summary>How many tools/call requests one session may have in flight at once.</summary>
    public int MaxCallsInFlightPerSession { get; set; } = 16;

    /// <summary>How long connecting to an upstream server may take.</summary>
    public TimeSpan UpstreamConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The first wait before reconnecting to an upstream that failed; it doubles with each failure in a row.</summary>
    public TimeSpan UpstreamRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait before reconnecting to an upstream that keeps failing.</summary>
    public TimeSpan UpstreamMaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When a session's tools all come from one server, list them under their own names instead of
    /// <c>&lt;server&gt;__&lt;tool&gt;</c>. Off by default.
    /// </summary>
    public bool UnqualifiedNamesForSingleServer { get; set; }

    /// <summary>
    /// Web origins (<c>https://agents.example.com</c>) whose pages may call <c>/mcp</c> from a browser, besides Shield's
    /// own. A request that carries any other <c>Origin</c> is refused with 403; one without <c>Origin</c> (not from a
    /// browser) is not affected.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    internal Registry.AnswerCap ResultCap => new(MaxResultBytes, $"{SectionName}:MaxResultBytes");
}

internal sealed class RelayOptionsValidator : IValidateOptions<RelayOptions>
{
    public ValidateOptionsResult Validate(string? name, RelayOptions options)
    {
        List<string> errors = [];
        if (options.MaxRequestBodyBytes < 1_024)
        {
            errors.Add($"{RelayOptions.SectionName}:MaxRequestBodyBytes is {options.MaxRequestBodyBytes}; use at least 1024.");
        }

        if (options.MaxArgumentBytes < 2 || options.MaxArgumentBytes > options.MaxRequestBodyBytes)
        {
            errors.Add($"{RelayOptions.SectionName}:MaxArgumentBytes is {options.MaxArgumentBytes}; use between 2 and MaxRequestBodyBytes ({options.MaxRequestBodyBytes}).");
        }

        if (options.MaxResultBytes < 1_024)
        {
            errors.Add($"{RelayOptions.SectionName}:MaxResultBytes is {options.MaxResultBytes}; use at least 1024.");
        }

        if (options.MaxCallsInFlightPerSession < 1)
        {
            errors.Add($"{RelayOptions.SectionName}:MaxCallsInFlightPerSession is {options.MaxCallsInFlightPerSession}; it must be at least 1.");
        }

        if (options.UpstreamConnectTimeout < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{RelayOptions.SectionName}:UpstreamConnectTimeout is {options.UpstreamConnectTimeout}; use at least 00:00:01.");
        }

        if (options.UpstreamRetryDelay <= TimeSpan.Zero || options.UpstreamMaxRetryDelay < options.UpstreamRetryDelay)
        {
            errors.Add($"{RelayOptions.SectionName}:UpstreamRetryDelay must be positive and at most UpstreamMaxRetryDelay.");
        }

        for (var i = 0; i < options.AllowedOrigins.Length; i++)
        {
            if (RelayOrigins.Normalize(options.AllowedOrigins[i]) is null)
            {
                errors.Add($"{RelayOptions.SectionName}:AllowedOrigins:{i} is '{options.AllowedOrigins[i]}'; give an origin as a browser sends it: http:// or https://, a host and, if not the default, a port (https://agents.example.com:8443), nothing more.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
