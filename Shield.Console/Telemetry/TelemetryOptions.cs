using Microsoft.Extensions.Options;

namespace Shield.Console.Telemetry;

/// <summary><c>Shield:Telemetry</c>: where traces and metrics go.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Shield:Telemetry";

    /// <summary>An OTLP/gRPC collector, e.g. http://localhost:4317; empty to export nothing.</summary>
    public string? OtlpEndpoint { get; set; }

    internal Uri? OtlpUri =>
        Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;
}

internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options) =>
        string.IsNullOrWhiteSpace(options.OtlpEndpoint) || options.OtlpUri is not null
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{TelemetryOptions.SectionName}:OtlpEndpoint is '{options.OtlpEndpoint}', which is not an http(s) URL. " +
                "Set it to the OTLP/gRPC collector, e.g. http://localhost:4317, or remove it.");
}
