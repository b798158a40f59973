namespace Shield.Console.Agents;

internal static class AgentsExtensions
{
    /// <summary>The directory of agents and their keys.</summary>
    public static void AddAgents(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AgentDirectory>();
    }
}
