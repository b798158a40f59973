namespace Shield.Console.Hosting;

internal static class LogLevelDefaults
{
    /// <summary>
    /// The least level logged for one category unless configuration names the category itself
    /// (<c>Logging:LogLevel:&lt;category&gt;</c> still wins: the rule is put before those read from configuration).
    /// </summary>
    public static void DefaultLogLevel(this IServiceCollection services, string category, LogLevel level) =>
        services.Configure<LoggerFilterOptions>(options => options.Rules.Insert(0, new LoggerFilterRule(null, category, level, null)));
}
