using Microsoft.Extensions.Options;
using Shield.Core.Siem;

namespace Shield.Console.Siem;

/// <summary>Checks <c>Shield:Siem</c> at start, every problem at once, each with what to write instead.</summary>
internal sealed class SiemOptionsValidator(IHostEnvironment environment) : IValidateOptions<SiemOptions>
{
    public ValidateOptionsResult Validate(string? name, SiemOptions options)
    {
        List<string> errors = [];
        const string section = SiemOptions.SectionName;
        if (options.PollInterval < TimeSpan.FromMilliseconds(50) || options.PollInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{section}:PollInterval is {options.PollInterval}; give a duration from 00:00:00.05 to 00:01:00 (default 00:00:01).");
        }

        if (options.MaxBackoff < TimeSpan.FromSeconds(1) || options.MaxBackoff > TimeSpan.FromHours(1))
        {
            errors.Add($"{section}:MaxBackoff is {options.MaxBackoff}; give a duration from 00:00:01 to 01:00:00 (default 00:01:00).");
        }

        foreach (var (sink, i) in options.Sinks.Select((s, i) => (s, i)))
        {
            var at = $"{section}:Sinks:{i}";
            if (sink.Name.Length is 0 or > SiemCursor.MaxNameLength || !sink.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                errors.Add($"{at}:Name '{sink.Name}' must be 1 to {SiemCursor.MaxNameLength} letters, digits, '-', '_' or '.', such as 'splunk': it keys the sink's cursor.");
            }
            else if (options.Sinks.Count(s => s.Name.Equals(sink.Name, StringComparison.OrdinalIgnoreCase)) > 1)
            {
                errors.Add($"{at}:Name '{sink.Name}' is used by another sink; give each sink its own name, since each keeps its own cursor.");
            }

            if (!sink.Enabled)
            {
                continue;
            }

            if (sink.Protocol == SiemProtocol.OtlpHttp)
            {
                if (!Uri.TryCreate(sink.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
                {
                    errors.Add($"{at}:Endpoint '{sink.Endpoint}' is not an http or https URL; give the collector's OTLP/HTTP logs URL, such as 'https://collector.example.com:4318/v1/logs'.");
                }
            }
            else if (!Enum.IsDefined(sink.Protocol))
            {
                errors.Add($"{at}:Protocol is {sink.Protocol}; say Syslog or OtlpHttp.");
            }
            else
            {
                if (Uri.CheckHostName(sink.Host) == UriHostNameType.Unknown)
                {
                    errors.Add($"{at}:Host '{sink.Host}' is not a host name or address; give the syslog receiver's, such as 'siem.example.com' or '10.0.0.5'.");
                }

                if (sink.Port is < 1 or > 65535)
                {
                    errors.Add($"{at}:Port is {sink.Port}; give the receiver's TCP port from 1 to 65535 (syslog over TLS is usually 6514).");
                }
            }

            if (!Enum.IsDefined(sink.Format))
            {
                errors.Add($"{at}:Format is {sink.Format}; say Ocsf or Cef.");
            }

            if (sink.MaxLag < 1)
            {
                errors.Add($"{at}:MaxLag is {sink.MaxLag}; give the number of records the sink may fall behind before health turns Degraded (default 10000).");
            }

            if (sink.ResendOnReconnect is < 0 or > 1_000_000)
            {
                errors.Add($"{at}:ResendOnReconnect is {sink.ResendOnReconnect}; give a number of records from 0 to 1000000 (default 1000).");
            }

            if (!string.IsNullOrWhiteSpace(sink.CaFile))
            {
                if (sink.Protocol == SiemProtocol.Syslog && !sink.Tls)
                {
                    errors.Add($"{at}:CaFile is set but Tls is false: set Tls to true to check the receiver's certificate against it, or remove CaFile.");
                }
                else if (SiemCertificates.Problem(SiemCertificates.Path(sink, environment.ContentRootPath)!) is { } problem)
                {
                    errors.Add($"{at}:CaFile '{sink.CaFile}' cannot be used: {problem}. Point it to a PEM file of the certificate authority that issued the receiver's certificate.");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
