using AmiPki.Protocols.Ocsp;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Ocsp;

/// <summary>RFC 5019 §5 GET paths in the shapes real clients produce.</summary>
public sealed class OcspGetRequestDecoderTests
{
    // Bytes whose base64 holds '+', '/', '//' and padding: "MA+/" + "//8=" style content.
    private static readonly byte[] Payload = [0x30, 0x0F, 0xBF, 0xFF, 0xFF, 0xFF, 0xFB, 0xEF, 0xBE, 0x3E];
    private static readonly string Base64 = Convert.ToBase64String(Payload);

    [Test]
    public void The_test_payload_exercises_the_awkward_characters()
    {
        Assert.That(Base64, Does.Contain("+").And.Contain("//").And.EndWith("="));
    }

    [Test]
    public void Raw_base64_with_plus_and_slashes_decodes() => Assert.That(Decode("/ocsp/" + Base64), Is.EqualTo(Payload));

    [Test]
    public void Percent_encoded_base64_decodes() => Assert.That(Decode("/ocsp/" + Uri.EscapeDataString(Base64)), Is.EqualTo(Payload));

    [Test]
    public void Lower_case_escapes_decode() =>
        Assert.That(Decode("/ocsp/" + Uri.EscapeDataString(Base64).Replace("%2F", "%2f", StringComparison.Ordinal)), Is.EqualTo(Payload));

    [Test]
    public void A_double_slash_after_the_prefix_is_tolerated() => Assert.That(Decode("/ocsp//" + Base64), Is.EqualTo(Payload));

    [Test]
    public void Missing_padding_and_base64url_are_tolerated() =>
        Assert.That(Decode("/ocsp/" + Base64.TrimEnd('=').Replace('+', '-').Replace('/', '_')), Is.EqualTo(Payload));

    [Test]
    public void A_query_string_is_ignored() => Assert.That(Decode("/ocsp/" + Base64 + "?x=1"), Is.EqualTo(Payload));

    [TestCase("/ocsp/")]
    [TestCase("/ocsp/!!!!")]
    [TestCase("/ocsp/%ZZ")]
    [TestCase("/elsewhere/MAA=")]
    public void Garbage_is_null(string target) => Assert.That(OcspGetRequestDecoder.Decode(target, "/ocsp/", 4096), Is.Null);

    [Test]
    public void Overlong_paths_are_null() => Assert.That(OcspGetRequestDecoder.Decode("/ocsp/" + new string('A', 5000), "/ocsp/", 4096), Is.Null);

    private static byte[]? Decode(string target) => OcspGetRequestDecoder.Decode(target, "/ocsp/", 4096);
}
