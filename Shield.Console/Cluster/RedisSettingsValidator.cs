using Microsoft.Extensions.Options;
using Shield.Core.Cluster;
using StackExchange.Redis;

namespace Shield.Console.Cluster;

/// <summary>Checks at start that <c>ConnectionStrings:Redis</c>, when set, is a StackExchange.Redis configuration that names a server.</summary>
internal sealed class RedisSettingsValidator : IValidateOptions<ClusterOptions>
{
    private const string Example = "for example 'redis.internal:6379,password=…,ssl=true'";

    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Redis))
        {
            return ValidateOptionsResult.Success;
        }

        try
        {
            return ConfigurationOptions.Parse(options.Redis).EndPoints.Count > 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"ConnectionStrings:{ClusterOptions.RedisConnectionStringName} names no Redis server: give its host and port first, {Example}.");
        }
        catch (Exception error) when (error is ArgumentException or FormatException or NotSupportedException)
        {
            // The parser's message names the option it refused, never its value (a password stays out of the log).
            return ValidateOptionsResult.Fail($"ConnectionStrings:{ClusterOptions.RedisConnectionStringName} is not a Redis configuration string ({error.Message}); " +
                $"write it as host:port followed by options, {Example}.");
        }
    }
}
