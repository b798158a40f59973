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

    [Theory]
    [InlineData("""{"pw":"hunter2","pass":"x1","cvv":"123","cvv2":987,"PIN":"0000","userPin":1234,"pinned":true,"spinner":"dots"}""",
        """{"pw":"[REDACTED:secret]","pass":"[REDACTED:secret]","cvv":"[REDACTED:secret]","cvv2":"[REDACTED:secret]","PIN":"[REDACTED:secret]","userPin":"[REDACTED:secret]","pinned":true,"spinner":"dots"}""")]
    [InlineData("""{"tokens":["a1","b2"],"id_token":"c3","maxTokens":512,"tokenCount":9}""",
        """{"tokens":["[REDACTED:secret]","[REDACTED:secret]"],"id_token":"[REDACTED:secret]","maxTokens":512,"tokenCount":9}""")]
    [InlineData("""{"x-api-key":"k1","API KEY":"k2","api.key":"k3","api$key":"k4","APIKey":"k5","key":"k6"}""",
        """{"x-api-key":"[REDACTED:secret]","API KEY":"[REDACTED:secret]","api.key":"[REDACTED:secret]","api$key":"[REDACTED:secret]","APIKey":"[REDACTED:secret]","key":"k6"}""")]
    [InlineData("""{"auth":{"user":"ada","scheme":"basic"},"author":"Ada"}""", """{"auth":{"user":"[REDACTED:secret]","scheme":"[REDACTED:secret]"},"author":"Ada"}""")]
    public void ShortAndVariantSecretKeyNames_AreSecret_LookAlikesAreNot(string arguments, string redacted) =>
        Assert.Equal(redacted, Redactor.Default.Redact(JsonDocument.Parse(arguments).RootElement));

    [Theory]
    [InlineData("""{"payload":"{\"password\":\"hunter2\",\"to\":\"ada@example.com\",\"n\":1}"}""",
        """{"payload":"{\"password\":\"[REDACTED:secret]\",\"to\":\"[REDACTED:email]\",\"n\":1}"}""")]
    [InlineData("""{"items":" [ {\"token\": \"abc\"} ] "}""", """{"items":"[{\"token\":\"[REDACTED:secret]\"}]"}""")]
    [InlineData("""{"outer":"{\"inner\":\"{\\\"pw\\\":\\\"x1\\\"}\"}"}""", """{"outer":"{\"inner\":\"{\\\"pw\\\":\\\"[REDACTED:secret]\\\"}\"}"}""")]
    [InlineData("""{"note":"{not json, password=hunter2}"}""", """{"note":"{not json, password=[REDACTED:secret]"}""")]
    [InlineData("""{"note":"see {\"api_key\": \"abc\"} below"}""", """{"note":"see {\"api_key\": [REDACTED:secret]} below"}""")]
    public void JsonInsideAStringValue_IsRedactedAsJson(string arguments, string redacted) =>
        Assert.Equal(redacted, Redactor.Default.Redact(JsonDocument.Parse(arguments).RootElement));

    [Theory]
    [InlineData("fetch https://bob:hunter2@db.internal/x now", "fetch https://[REDACTED:credentials]@db.internal/x now")]
    [InlineData("postgres://app:s3cret@10.0.0.5:5432/shop", "postgres://[REDACTED:credentials]@10.0.0.5:5432/shop")]
    [InlineData("redis://:p4ss@localhost", "redis://[REDACTED:credentials]@localhost")]
    [InlineData("HTTPS://tok123@git.example.com/org/repo.git", "HTTPS://[REDACTED:credentials]@git.example.com/org/repo.git")]
    [InlineData("https://bob:p@ss:w@rd@host/a@b", "https://[REDACTED:credentials]@host/a@b")]
    [InlineData("https://example.org/a?b=c and http://[::1]:8080/", "https://example.org/a?b=c and http://[::1]:8080/")]
    [InlineData("https://h.example/cb?access_token=YWJj&state=1", "https://h.example/cb?access_token=[REDACTED:secret]&state=1")]
    public void CredentialsInUrls_AreMasked_WhateverTheHost(string text, string redacted) => Assert.Equal(redacted, Redactor.Default.RedactText(text));

    [Theory]
    [InlineData("SSN 123-45-6789 on file", "SSN [REDACTED:ssn] on file")]
    [InlineData("ssn: 123 45 6789", "ssn: [REDACTED:secret]")]
    [InlineData("no. 123 45 6789.", "no. [REDACTED:ssn].")]
    [InlineData("000-12-3456, 666-12-3456, 912-12-3456, 123-00-4567, 123-45-0000", "000-12-3456, 666-12-3456, 912-12-3456, 123-00-4567, 123-45-0000")]
    [InlineData("part 123-45-67890 or 1123-45-6789 or 123-45 6789", "part 123-45-67890 or 1123-45-6789 or 123-45 6789")]
    public void SocialSecurityNumbers_AreMasked(string text, string redacted) => Assert.Equal(redacted, Redactor.Default.RedactText(text));

    [Theory]
    [InlineData("GB82 WEST 1234 5698 7654 32", "[REDACTED:iban]")]
    [InlineData("gb82 west 1234 5698 7654 32", "[REDACTED:iban]")]
    [InlineData("to gb82west12345698765432.", "to [REDACTED:iban].")]
    [InlineData("De89370400440532013000", "[REDACTED:iban]")]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00 from Ada", "IBAN [REDACTED:iban] from Ada")]
    [InlineData("pay FR76 3000 6000 0112 3456 7890 189 then", "pay [REDACTED:iban] then")]
    [InlineData("ZZ82 WEST 1234 5698 7654 32", "ZZ82 WEST 1234 5698 7654 32")]
    [InlineData("gb82 west 1234 5698 7654 33", "gb82 west 1234 5698 7654 33")]
    public void Ibans_AreMasked_InAnyCase(string text, string redacted) => Assert.Equal(redacted, Redactor.Default.RedactText(text));

    [Theory]
    [InlineData("4111111111111111")]
    [InlineData("4.111111111111111e15")]
    [InlineData("4.111111111111111E+15")]
    [InlineData("4111111111111111.0")]
    [InlineData("41111111111111110e-1")]
    [InlineData("0.4111111111111111e16")]
    [InlineData("-4111111111111111")]
    [InlineData("5500000000000004")]
    public void CardNumbersAsJsonNumbers_AreMasked_InAnyNotation(string number) =>
        Assert.Equal("""{"n":"[REDACTED:card]"}""", Redactor.Default.Redact(JsonDocument.Parse($$"""{"n":{{number}}}""").RootElement));

    [Theory]
    [InlineData("4111111111111112")]
    [InlineData("4.1111111111111111e15")]
    [InlineData("1250.5")]
    [InlineData("1e400")]
    [InlineData("12")]
    public void OtherNumbers_StayNumbers(string number) =>
        Assert.Equal($$"""{"n":{{number}}}""", Redactor.Default.Redact(JsonDocument.Parse($$"""{"n":{{number}}}""").RootElement));

    [Theory]
    [InlineData("""{"pw":"YWJj"}""", """{"pw":"[REDACTED:secret]"}""")]
    [InlineData("""{"pin":"MTIzNA=="}""", """{"pin":"[REDACTED:secret]"}""")]
    [InlineData("""{"q":"token: YWJj"}""", """{"q":"token: [REDACTED:secret]"}""")]
    [InlineData("""{"q":"cvv=MTIz;"}""", """{"q":"cvv=[REDACTED:secret];"}""")]
    [InlineData("""{"q":"api-key: 'YW Jj'"}""", """{"q":"api-key: [REDACTED:secret]"}""")]
    [InlineData("""{"q":"\"secret\": \"YWJj\", \"n\": 1"}""", """{"q":"\"secret\": [REDACTED:secret], \"n\": 1"}""")]
    [InlineData("""{"q":"{\"pw\":\"YWJj\"}"}""", """{"q":"{\"pw\":\"[REDACTED:secret]\"}"}""")]
    public void ShortBase64Secrets_UnderASecretKey_AreMasked(string arguments, string redacted) =>
        Assert.Equal(redacted, Redactor.Default.Redact(JsonDocument.Parse(arguments).RootElement));

    [Theory]
    [InlineData("a=password=hunter2", "a=password=[REDACTED:secret]")]
    [InlineData("my API Key: abc123 and the rest", "my API Key: [REDACTED:secret] and the rest")]
    [InlineData("credentials: {\"user\": \"ada\", \"x\": [1, \"}\"]} done", "credentials: [REDACTED:secret] done")]
    [InlineData("password = \"open \\\" quote\" next", "password = [REDACTED:secret] next")]
    [InlineData("password: \"never closed\nnext line", "password: [REDACTED:secret]\nnext line")]
    [InlineData("{\\\"pw\\\":\\\"YWJj\\\"}", "{\\\"pw\\\":[REDACTED:secret]}")]
    [InlineData("secret => 's1', pin := 1234", "secret => [REDACTED:secret], pin := [REDACTED:secret]")]
    [InlineData("Authorization: Digest   abc, Subject line: hello", "Authorization: [REDACTED:secret], Subject line: hello")]
    public void SecretValuesInText_AreMaskedToTheirRealEnd(string text, string redacted) =>
        Assert.Equal(redacted, Redactor.Default.RedactText(text));

    [Theory]
    [InlineData("password=", "", 5_000)]
    [InlineData("password: \"", "\" after", 5_000)]
    [InlineData("{\"token\":\"", "\"}", 20_000)]
    [InlineData("Authorization: Bearer ", " ok", 3_000)]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\n", "\n-----END RSA PRIVATE KEY-----", 40_000)]
    [InlineData("-----BEGIN PRIVATE KEY-----\n", "", 40_000)]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.", ".c2lnbmF0dXJl", 20_000)]
    [InlineData("glpat-", "", 500)]
    [InlineData("AKIAIOSFODNN7", "", 500)]
    [InlineData("https://user:", "@host/", 5_000)]
    public void SecretsLongerThanAnyWindow_AreMaskedWhole(string before, string after, int length)
    {
        var secret = string.Concat(Enumerable.Range(0, length).Select(i => (char)('A' + (i * 7 % 26))));

        var redacted = Redactor.Default.RedactText(before + secret + after);

        Assert.DoesNotContain(secret[^40..], redacted, StringComparison.Ordinal);
        Assert.DoesNotContain(secret[(length / 2)..((length / 2) + 40)], redacted, StringComparison.Ordinal);
    }

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
    [InlineData("a: ")]
    [InlineData("a=\"")]
    [InlineData("http://a")]
    [InlineData("gb82 ")]
    [InlineData("123-45-")]
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

    // Secret key names as people write them: a secret word or pair, maybe after another word, in any case and joined by
    // any separator (camelCase too).
    private static readonly Gen<string> SecretKeys =
        Gen.Select(
            Gen.OneOf<string[]>(["password"], ["pass"], ["pw"], ["pwd"], ["pin"], ["cvv"], ["cvc"], ["otp"], ["ssn"], ["tokens"], ["token"],
                ["access", "token"], ["api", "key"], ["client", "secret"], ["private", "key"], ["session", "id"], ["auth"], ["passphrase"],
                ["card", "number"], ["authorization"], ["cookie"], ["credentials"]),
            Gen.OneOf("", "user", "db", "x", "new", "my"),
            Gen.OneOf("_", "-", ".", " ", "__", "camel"),
            Gen.OneOf("lower", "upper", "title"))
        .Select((words, prefix, separator, casing) =>
        {
            string[] all = prefix.Length == 0 ? words : [prefix, .. words];
            if (separator == "camel")
            {
                return all[0] + string.Concat(all.Skip(1).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
            }

            var joined = string.Join(separator, all);
            return casing switch
            {
                "upper" => joined.ToUpperInvariant(),
                "title" => string.Join(separator, all.Select(w => char.ToUpperInvariant(w[0]) + w[1..])),
                _ => joined,
            };
        });

    // Secrets of every length, short base64 included, with digits so that no mask or key can contain them by chance.
    private static readonly Gen<string> Secrets =
        Gen.Select(Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"], 4, 12], Gen.Int[0, 9], Gen.Int[0, 2],
                Gen.Frequency((6, Gen.Const(0)), (1, Gen.Int[100, 20_000])))
            .Select((body, digit, padding, extra) => body + digit + new string('x', extra) + "7" + new string('=', padding));

    [Fact]
    public void ASecretUnderASecretKey_IsNeverVisible_WhateverItsShape()
    {
        Gen.Select(SecretKeys, Secrets, Gen.Int[0, 8]).Sample((key, secret, shape) =>
        {
            var arguments = shape switch
            {
                0 => Object(key, Json(secret)),
                1 => Object("outer", Object("list", "[" + Object(key, Json(secret)) + "]")),
                2 => Object(key, Object("nested", "[" + Json(secret) + "," + Object("deeper", Json(secret)) + "]")),
                3 => Object("payload", Json(Object(key, Json(secret)))),
                4 => Object("text", Json($"{key}={secret}")),
                5 => Object("text", Json($"before {key}: '{secret}' after")),
                6 => Object("text", Json($"log {Object(key, Json(secret))[..^1]}, \"n\": 1}}")),
                7 => Object("url", Json($"https://api.example.com/v1?{key.Replace(' ', '_')}={secret}&page=2")),
                _ => Object(key, "1" + new string([.. secret.Where(char.IsAsciiDigit)])),
            };

            var redacted = Redactor.Default.Redact(JsonDocument.Parse(arguments).RootElement)!;

            string[] visible = shape == 8
                ? [arguments[(arguments.LastIndexOf(':') + 1)..^1]]
                : [secret, secret[..Math.Min(secret.Length, 24)], secret[^Math.Min(secret.Length, 24)..]];
            Assert.All(visible, part => Assert.DoesNotContain(part, redacted, StringComparison.Ordinal));
        }, iter: 2_000);
    }

    private static string Json(string text) => JsonSerializer.Serialize(text, Relaxed);

    private static string Object(string key, string valueJson) => "{" + Json(key) + ":" + valueJson + "}";

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
