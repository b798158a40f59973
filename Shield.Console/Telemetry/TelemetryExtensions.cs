using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Shield.Console.Accounts;
using Shield.Core.Diagnostics;

namespace Shield.Console.Telemetry;

/// <summary>
/// OpenTelemetry traces and metrics for ASP.NET Core, HttpClient, database commands, the MCP SDK (the semantic
/// conventions for MCP, on both of the relay's hops) and Shield's own source.
/// Exported over OTLP when <c>Shield:Telemetry:OtlpEndpoint</c> (or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) is set.
/// </summary>
internal static class TelemetryExtensions
{
    public static void AddShieldTelemetry(this WebApplicationBuilder builder)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("shield-console"))
            .WithTracing(tracing => tracing
                .AddSource(ShieldTelemetry.Name, ShieldTelemetry.PersistenceName, ShieldTelemetry.McpName)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !context.Request.Path.StartsWithSegments("/_framework"))
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(ShieldTelemetry.Name, ShieldTelemetry.McpName, "Microsoft.EntityFrameworkCore")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation());

        var section = builder.Configuration.GetSection(TelemetryOptions.SectionName);
        builder.Services.AddOptions<TelemetryOptions>().Bind(section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        // The first start writes a generated administrator password to the log, once, for the operator at the
        // console; it must never travel to a telemetry collector.
        builder.Logging.AddFilter<OpenTelemetryLoggerProvider>(typeof(AdminBootstrapper).FullName, LogLevel.None);
        if (section.Get<TelemetryOptions>()?.OtlpUri is { } collector)
        {
            telemetry.UseOtlpExporter(OpenTelemetry.Exporter.OtlpExportProtocol.Grpc, collector);
        }
        else if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }
    }
}
