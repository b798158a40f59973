namespace Shield.Console.Posture;

internal static class PostureExtensions
{
    /// <summary>The governance posture report.</summary>
    public static void AddPosture(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PostureReporter>();
    }
}
