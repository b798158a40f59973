using System.Text.Json;
using Shield.Core.Registry;

namespace Shield.Tests.Core.Registry;

public sealed class RiskSuggestionTests
{
    [Theory]
    [InlineData("{\"destructiveHint\":true}", RiskLevel.High)]
    [InlineData("{\"destructiveHint\":true,\"readOnlyHint\":true}", RiskLevel.High)]
    [InlineData("{\"openWorldHint\":true}", RiskLevel.Medium)]
    [InlineData("{\"readOnlyHint\":true}", RiskLevel.Low)]
    [InlineData("{\"readOnlyHint\":true,\"openWorldHint\":false}", RiskLevel.Low)]
    [InlineData("{\"readOnlyHint\":true,\"openWorldHint\":true}", RiskLevel.Medium)]
    [InlineData("{\"destructiveHint\":false,\"openWorldHint\":false}", RiskLevel.Medium)]
    [InlineData("{\"title\":\"no hints\"}", RiskLevel.High)]
    [InlineData("{\"readOnlyHint\":\"yes\"}", RiskLevel.High)]
    [InlineData(null, RiskLevel.High)]
    public void Annotations_SuggestARisk_AndSilenceMeansMcpDefaults(string? annotations, RiskLevel expected) =>
        Assert.Equal(expected, RiskSuggestion.From(annotations is null ? null : JsonDocument.Parse(annotations).RootElement));
}
