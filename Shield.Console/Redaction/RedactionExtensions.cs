namespace Shield.Console.Redaction;

internal static class RedactionExtensions
{
    /// <summary>The redaction rules as administrators keep them.</summary>
    public static void AddRedaction(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RedactionBook>();
    }
}
