using MudBlazor.Services;
using Shield.Console.Agents;
using Shield.Console.Api;
using Shield.Console.Approvals;
using Shield.Console.Auditing;
using Shield.Console.Authentication;
using Shield.Console.Cluster;
using Shield.Console.Demo;
using Shield.Console.Governance;
using Shield.Console.Grants;
using Shield.Console.Policy;
using Shield.Console.Posture;
using Shield.Console.Redaction;
using Shield.Console.Registry;
using Shield.Console.Relay;
using Shield.Console.Security;
using Shield.Console.Sessions;
using Shield.Console.Siem;
using Shield.Console.Telemetry;
using Shield.Core;
using Shield.Core.Persistence;

namespace Shield.Console.Hosting;

public static class ShieldConsoleBuilderExtensions
{
    /// <summary>Everything the console needs: Core, sign-in, the Blazor UI, the API, health and telemetry.</summary>
    public static WebApplicationBuilder AddShieldConsole(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.UseDemoDatabase();
        services.AddShieldCore(builder.Configuration, builder.Environment.ContentRootPath);
        builder.AddCluster();
        // Right after the database: everything that changes governance while starting waits for the audit writer.
        builder.AddAuditing();
        builder.AddSiem();
        builder.AddShieldTelemetry();
        builder.AddShieldAuthentication();

        builder.AddKeyProtection();
        builder.AddAgents();
        builder.AddGrants();
        builder.AddRedaction();
        builder.AddSessions();
        builder.AddAccessControl();
        builder.AddRegistry();
        builder.AddGovernance();
        builder.AddPosture();
        builder.AddRelay();
        builder.AddApprovals();
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "shield.antiforgery";
            options.Cookie.SecurePolicy = CookieSecurity.SecurePolicy(builder.Environment);
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.SuppressXFrameOptionsHeader = true; // SecurityHeaders sends DENY on every response
        });

        services.AddRazorComponents().AddInteractiveServerComponents();
        // Notifications rise at the bottom left, away from the pages' action buttons (top right) and the dialogs' (centre).
        services.AddMudServices(mud => mud.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomLeft);
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(options => ApiJson.SpeakInNames(options.SerializerOptions));
        services.AddExceptionHandler<ApiExceptionHandler>();
        // A malformed request body is the caller's mistake: answer 400, never throw.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);
        services.AddOpenApi(options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            // Enums are names (ApiJson): say they are strings, for generators that need a type beside the names.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type.IsEnum)
                {
                    schema.Type = Microsoft.OpenApi.JsonSchemaType.String;
                }

                return Task.CompletedTask;
            });
        });
        services.AddHealthChecks().AddDbContextCheck<ShieldDbContext>("database");
        services.AddHostedService<StartupBanner>();
        builder.AddDemo();
        return builder;
    }
}
