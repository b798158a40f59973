using System.Net.Http.Headers;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Shield.Console.Demo;

/// <summary>
/// <c>simulate-agent</c>: what an agent does with Shield, step by step, printed as it goes. It mints a session for a
/// task with its key, lists its tools, makes an allowed call, a denied call and a call that needs approval (waiting
/// while a reviewer decides), then ends the session. Made for the demo's tools; any Shield with tools of those names works.
/// </summary>
public static class AgentSimulator
{
    public const string Usage = """
        Usage: dotnet run --project Shield.Console -- simulate-agent --key shk_… [--url http://localhost:5000] [--task "…"]
          --key   the agent's key (or set SHIELD_AGENT_KEY); demo mode prints support-bot's at start
          --url   where Shield runs (default http://localhost:5000)
          --task  the task the session is for
        """;

    private const string Allowed = "demo__lookup_customer";
    private const string Gated = "demo__send_email";
    private const string Denied = "demo__delete_record";

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken = default)
    {
        var options = Parse(args);
        var key = options.GetValueOrDefault("key") ?? Environment.GetEnvironmentVariable("SHIELD_AGENT_KEY");
        if (options.ContainsKey("help") || string.IsNullOrEmpty(key) || !Uri.TryCreate(options.GetValueOrDefault("url") ?? "http://localhost:5000", UriKind.Absolute, out var root))
        {
            await output.WriteLineAsync(Usage);
            return 2;
        }

        using var http = new HttpClient { BaseAddress = root };
        try
        {
            return await RunAsync(http, key, options.GetValueOrDefault("task") ?? "Answer customer C-1001 about their invoices", output, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            await output.WriteLineAsync($"✗ Shield at {root} could not be reached: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> RunAsync(HttpClient http, string key, string task, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"1. Minting a session for the task \"{task}\" with the agent's key…");
        using var mint = new HttpRequestMessage(HttpMethod.Post, "/api/sessions") { Content = JsonContent.Create(new { task, tools = new[] { Allowed, Gated, Denied }, ttlSeconds = 900 }) };
        mint.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var minted = await http.SendAsync(mint, cancellationToken);
        var session = await minted.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        if (!minted.IsSuccessStatusCode)
        {
            await output.WriteLineAsync($"✗ Shield refused the session ({(int)minted.StatusCode}): {Detail(session)}");
            return 1;
        }

        var (id, token) = (session.GetProperty("id").GetString()!, session.GetProperty("token").GetString()!);
        await output.WriteLineAsync($"   ✓ session {id}, expires {session.GetProperty("expiresAt").GetDateTime():u}, tools: {string.Join(", ", session.GetProperty("tools").EnumerateArray())}");
        foreach (var refused in session.GetProperty("refused").EnumerateArray())
        {
            await output.WriteLineAsync($"   – not in the session: {refused.GetProperty("tool").GetString()} ({refused.GetProperty("reason").GetString()})");
        }

        await using (var agent = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
        }), new McpClientOptions { ProtocolVersion = "2025-11-25" }, cancellationToken: cancellationToken))
        {
            await output.WriteLineAsync("2. Listing the tools this session may call…");
            var tools = await agent.ListToolsAsync(cancellationToken: cancellationToken);
            await output.WriteLineAsync($"   ✓ {string.Join(", ", tools.Select(t => t.Name))}");

            await output.WriteLineAsync($"3. An allowed call: {Allowed}…");
            await CallAsync(agent, Allowed, new() { ["customerId"] = "C-1001" }, null, output, cancellationToken);

            await output.WriteLineAsync($"4. A denied call: {Denied}…");
            await CallAsync(agent, Denied, new() { ["customerId"] = "C-1001", ["reason"] = "duplicate" }, null, output, cancellationToken);

            await output.WriteLineAsync($"5. A call that needs a person's approval: {Gated}. Sign in as a reviewer and open {new Uri(http.BaseAddress!, "/approvals")}…");
            await CallAsync(agent, Gated, new() { ["to"] = "ada.lovelace@example.com", ["subject"] = "Your invoices", ["body"] = "Two invoices are open; reply with password=hunter2 to pay." },
                new Progress(output), output, cancellationToken);
        }

        await output.WriteLineAsync("6. Ending the session…");
        using var end = new HttpRequestMessage(HttpMethod.Delete, $"/api/sessions/{id}");
        end.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var ended = await http.SendAsync(end, cancellationToken);
        await output.WriteLineAsync(ended.IsSuccessStatusCode ? "   ✓ ended: its token no longer works. Every step is in the audit trail." : $"   ✗ not ended ({(int)ended.StatusCode})");
        return ended.IsSuccessStatusCode ? 0 : 1;
    }

    private static async Task CallAsync(McpClient agent, string tool, Dictionary<string, object?> arguments, IProgress<ProgressNotificationValue>? progress, TextWriter output, CancellationToken cancellationToken)
    {
        try
        {
            var result = await agent.CallToolAsync(tool, arguments, progress, cancellationToken: cancellationToken);
            var text = string.Join(" ", result.Content.OfType<TextContentBlock>().Select(b => b.Text));
            await output.WriteLineAsync(result.IsError == true ? $"   ✗ the tool failed: {text}" : $"   ✓ {text}");
        }
        catch (McpProtocolException e)
        {
            const string RemotePrefix = "Request failed (remote): "; // the SDK's wording around Shield's own
            await output.WriteLineAsync($"   ✗ refused: {(e.Message.StartsWith(RemotePrefix, StringComparison.Ordinal) ? e.Message[RemotePrefix.Length..] : e.Message)}");
        }
    }

    private static string Detail(JsonElement problem) =>
        problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : problem.ToString();

    private static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--help" or "-h")
            {
                options["help"] = "";
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                options[args[i][2..]] = args[++i];
            }
        }

        return options;
    }

    private sealed class Progress(TextWriter output) : IProgress<ProgressNotificationValue>
    {
        private float _next;

        // The first report says why it waits; then one a minute is enough to show it still does.
        public void Report(ProgressNotificationValue value)
        {
            if (value.Progress < _next)
            {
                return;
            }

            _next = value.Progress + 60;
            lock (output)
            {
                output.WriteLine($"   … {value.Message}");
            }
        }
    }
}
