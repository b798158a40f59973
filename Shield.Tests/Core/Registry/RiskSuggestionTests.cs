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

    [Theory]
    [InlineData("Prints all environment variables, helpful for debugging MCP server configuration", RiskLevel.High)]
    [InlineData("Returns the env vars of the process", RiskLevel.High)]
    [InlineData("Reads a secret from the vault", RiskLevel.High)]
    [InlineData("Lists the stored credentials", RiskLevel.High)]
    [InlineData("Shows the API key in use", RiskLevel.High)]
    [InlineData("Deletes a record by id", RiskLevel.High)]
    [InlineData("Deletion of old invoices", RiskLevel.High)]
    [InlineData("Echoes back the input", RiskLevel.Low)]
    [InlineData("Adds two numbers", RiskLevel.Low)]
    public void ADescriptionOfSecretsOrDeletion_IsNeverSuggestedAsLow_WhateverTheAnnotationsClaim(string description, RiskLevel expected) =>
        Assert.Equal(expected, RiskSuggestion.From(JsonDocument.Parse("{\"readOnlyHint\":true,\"openWorldHint\":false}").RootElement, description));
}
