using System.Text.Json;
using CsCheck;
using Shield.Core.Redaction;

namespace Shield.Tests.Core.Redaction;

/// <summary>Secrets and personal data are masked, naming what was hidden; ordinary values are left alone.</summary>
public sealed class RedactorTests
{
    [Theory]
    [InlineData("""{"password":"hunter2"}""", """{"password":"[REDACTED:secret]"}""")]
    [InlineData("""{"db":{"Api-Key":"abc","host":"db1"}}""", """{"db":{"Api-Key":"[REDACTED:secret]","host":"db1"}}""")]
    [InlineData("""{"refresh_token":"r1","max_tokens":100}""", """{"refresh_token":"[REDACTED:secret]","max_tokens":100}""")]
    [InlineData("""{"headers":{"Authorization":"Basic dXNlcjpwYXNz","Cookie":"sid=1"}}""", """{"headers":{"Authorization":"[REDACTED:secret]","Cookie":"[REDACTED:secret]"}}""")]
    [InlineData("""{"client_secret":["a","b"]}""", """{"client_secret":["[REDACTED:secret]","[REDACTED:secret]"]}""")]
    [InlineData("""{"author":"Ada","pin":1234}""", """{"author":"Ada","pin":"[REDACTED:secret]"}""")]
    [InlineData("""{"to":"ada.lovelace@example.com"}""", """{"to":"[REDACTED:email]"}""")]
    [InlineData("""{"note":"call Ada at +44 20 7946 0958 today"}""", """{"note":"call Ada at [REDACTED:phone] today"}""")]
    [InlineData("""{"us":"(555) 123-4567","uk":"020 7946 0958"}""", """{"us":"[REDACTED:phone]","uk":"[REDACTED:phone]"}""")]
    [InlineData("""{"card":"4111 1111 1111 1111"}""", """{"card":"[REDACTED:card]"}""")]
    [InlineData("""{"card":4111111111111111}""", """{"card":"[REDACTED:card]"}""")]
    [InlineData("""{"order":"4111 1111 1111 1112"}""", """{"order":"4111 1111 1111 1112"}""")]
    [InlineData("""{"iban":"GB82 WEST 1234 5698 7654 32"}""", """{"iban":"[REDACTED:iban]"}""")]
    [InlineData("""{"ref":"GB82 WEST 1234 5698 7654 33"}""", """{"ref":"GB82 WEST 1234 5698 7654 33"}""")]
    [InlineData("""{"h":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"}""", """{"h":"[REDACTED:jwt]"}""")]
    [InlineData("""{"k":"use sk-proj-abcdefghijklmnop1234 here"}""", """{"k":"use [REDACTED:api-key] here"}""")]
    [InlineData("""{"k":"AKIAIOSFODNN7EXAMPLE"}""", """{"k":"[REDACTED:api-key]"}""")]
    [InlineData("""{"k":"ghp_abcdefghijklmnopqrstuvwxyz0123456789"}""", """{"k":"[REDACTED:api-key]"}""")]
    [InlineData("""{"k":"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"}""", """{"k":"[REDACTED:private-key]"}""")]
    [InlineData("""{"blob":"q8Zr2LpX9vKd3WmN7tYb5HcQ1sFj6GaE4uRo0PiT"}""", """{"blob":"[REDACTED:secret]"}""")]
    [InlineData("""{"date":"2026-11-24","ip":"192.168.100.200","id":"550e8400-e29b-41d4-a716-446655440000"}""", """{"date":"2026-11-24","ip":"192.168.100.200","id":"550e8400-e29b-41d4-a716-446655440000"}""")]
    [InlineData("""{"to":{"ada.lovelace@example.com":1}}""", """{"to":{"[REDACTED:email]":1}}""")]
    [InlineData("""{"k":"3f9a1c07be52d4e8a6b0c9d1e2f3a4b5c6d7e8f9"}""", """{"k":"[REDACTED:secret]"}""")]
    [InlineData("""{"text":"Pay the November invoices","count":3,"ok":true,"none":null}""", """{"text":"Pay the November invoices","count":3,"ok":true,"none":null}""")]
    [InlineData("""{"q":"login with password=hunter2 then"}""", """{"q":"login with password=[REDACTED:secret] then"}""")]
    [InlineData("""{"q":"api_key: 'a b c', host: db1"}""", """{"q":"api_key: [REDACTED:secret], host: db1"}""")]
    [InlineData("""{"q":"Authorization: Bearer abc.def"}""", """{"q":"Authorization: [REDACTED:secret]"}""")]
    [InlineData("""{"q":"max_tokens=100 at 10:30, see https://example.org/a"}""", """{"q":"max_tokens=100 at 10:30, see https://example.org/a"}""")]
    public void BuiltInDetectors(string arguments, string redacted) =>
        Assert.Equal(redacted, Redactor.Default.Redact(JsonDocument.Parse(arguments).RootElement));

    [Fact]
    public void AnAdministratorsKeysAndPatterns_AreMaskedToo()
    {
        var redactor = new Redactor(new RedactionRules(["patient"], [new RedactionPattern("employee-id", @"EMP-\d{6}")]));

        var redacted = redactor.Redact(JsonDocument.Parse("""{"patientName":"Ada","note":"ask EMP-123456 first"}""").RootElement);

        Assert.Equal("""{"patientName":"[REDACTED:secret]","note":"ask [REDACTED:employee-id] first"}""", redacted);
    }

    [Fact]
    public void AnAdministratorsPattern_NeverRewritesAMaskAlreadyMade()
    {
        var redactor = new Redactor(new RedactionRules([], [new RedactionPattern("caps", "[A-Z]{3,}"), new RedactionPattern("words", "[a-z]{4,}")]));

        var redacted = redactor.Redact(JsonDocument.Parse("""{"to":"ada@example.com, cc ABC","id":"XYZ"}""").RootElement);

        Assert.Equal("""{"to":"[REDACTED:email], cc [REDACTED:caps]","id":"[REDACTED:caps]"}""", redacted);
    }

    [Theory]
    [InlineData("eyJ-")]
    [InlineData("a@")]
    [InlineData("+1 ")]
    public void TextBuiltToSlowADetectorDown_IsMaskedOrLeftAlone_NeverThrows(string unit)
    {
        var hostile = string.Concat(Enumerable.Repeat(unit, 50_000));

        var redacted = Redactor.Default.RedactText(hostile);

        Assert.Contains(redacted, new[] { hostile, "[REDACTED:unchecked]" });
    }

    [Fact]
    public void NoArguments_StayNull() => Assert.Null(Redactor.Default.Redact(null));

    [Fact]
    public void Redacting_KeepsTheShape_AndIsIdempotent_AndNeverLetsASecretValueThrough()
    {
        var secrets = Gen.String[Gen.Char.AlphaNumeric, 8, 40];
        var names = Gen.Int[0, 5].Select(i => new[] { "password", "token", "apiKey", "note", "to", "items" }[i]);
        Gen.Select(names, secrets, Gen.Int[0, 3]).Sample((name, secret, depth) =>
        {
            var value = $$"""{"{{name}}":"{{secret}}","password":"{{secret}}"}""";
            for (var i = 0; i < depth; i++)
            {
                value = $$"""{"nested":[{{value}}]}""";
            }

            var once = Redactor.Default.Redact(JsonDocument.Parse(value).RootElement)!;
            var twice = Redactor.Default.Redact(JsonDocument.Parse(once).RootElement);

            Assert.Equal(once, twice);
            Assert.Equal(value.Count(c => c == '{'), once.Count(c => c == '{'));
            Assert.Contains("\"password\":\"[REDACTED:secret]\"", once, StringComparison.Ordinal);
        });
    }
}
