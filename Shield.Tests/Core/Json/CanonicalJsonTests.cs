using System.Text.Json;
using Shield.Core.Json;

namespace Shield.Tests.Core.Json;

public sealed class CanonicalJsonTests
{
    [Theory]
    [InlineData("{ \"b\": 1, \"a\": [true, false, null] }", "{\"a\":[true,false,null],\"b\":1}")]
    [InlineData("{\"z\":{\"y\":2,\"x\":1},\"\u00e9\":0,\"A\":0}", "{\"A\":0,\"z\":{\"x\":1,\"y\":2},\"\u00e9\":0}")]
    [InlineData("\"line\\nbreak \\u0001 \\\"quoted\\\" / \\u00e9\"", "\"line\\nbreak \\u0001 \\\"quoted\\\" / \u00e9\"")]
    [InlineData("[1.0, 1e2, -0.5, 1.5e-7, 0.000001, 1e21, 123456789012345678]", "[1,100,-0.5,1.5e-7,0.000001,1e+21,123456789012345678]")]
    public void Serialize_MatchesJcs(string input, string expected) =>
        Assert.Equal(expected, CanonicalJson.Serialize(JsonDocument.Parse(input).RootElement));

    [Fact]
    public void EqualDocuments_GiveEqualText_WhateverTheirFormatting()
    {
        var compact = JsonDocument.Parse("{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}}").RootElement;
        var spaced = JsonDocument.Parse("{\n  \"properties\" : { \"q\" : { \"type\" : \"string\" } },\n  \"type\" : \"object\"\n}").RootElement;

        Assert.Equal(CanonicalJson.Serialize(compact), CanonicalJson.Serialize(spaced));
    }
}
