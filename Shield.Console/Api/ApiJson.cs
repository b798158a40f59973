using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shield.Console.Api;

/// <summary>
/// How <c>/api</c> and <c>/hubs</c> write and read JSON: enums by name, in lower camel case like the governance
/// document (<c>"approved"</c>, <c>"high"</c>, <c>"http"</c>), and never by number. OpenAPI describes them so.
/// </summary>
internal static class ApiJson
{
    public static void SpeakInNames(JsonSerializerOptions options) =>
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
}
