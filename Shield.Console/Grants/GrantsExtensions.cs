namespace Shield.Console.Grants;

internal static class GrantsExtensions
{
    /// <summary>The book of grants: which agent may call which tool, and how.</summary>
    public static void AddGrants(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GrantBook>();
    }
}
