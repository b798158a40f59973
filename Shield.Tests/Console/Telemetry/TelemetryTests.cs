using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Shield.Core.Diagnostics;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Telemetry;

public sealed class TelemetryTests
{
    [Fact]
    public async Task ARequest_IsTraced_WithItsDatabaseCommandsAsChildSpans()
    {
        var serverSpan = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
        var databaseSpans = new List<Activity>();
        await using var app = new ShieldAppFactory
        {
            TestServices = services => services.ConfigureOpenTelemetryTracerProvider(tracing =>
                tracing.AddProcessor(new Recorder(serverSpan, databaseSpans))),
        };

        await ConsoleSignIn.LoginAsync(app.CreateBrowserLikeClient(), ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);
        var request = await serverSpan.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(ActivityKind.Server, request.Kind);
        lock (databaseSpans)
        {
            Assert.Contains(databaseSpans, span => span.TraceId == request.TraceId && span.GetTagItem("db.system.name") as string == "sqlite");
        }
    }

    /// <summary>Collects finished spans and signals when the sign-in request's server span ends.</summary>
    private sealed class Recorder(TaskCompletionSource<Activity> serverSpan, List<Activity> databaseSpans) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            if (data.Source.Name == ShieldTelemetry.PersistenceName)
            {
                lock (databaseSpans)
                {
                    databaseSpans.Add(data);
                }
            }
            else if (data.Kind == ActivityKind.Server && data.GetTagItem("url.path") as string == "/api/auth/login")
            {
                serverSpan.TrySetResult(data);
            }
        }
    }
}
