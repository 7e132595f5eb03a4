using AmiPki.Protocols.Scep;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Scep;

/// <summary>Small pieces: challenge format, cipher policy (RFC 8894 §3.5.2), CertRep failInfo mapping, hostile input.</summary>
public sealed class ScepCodecTests
{
    [Test]
    public void A_generated_challenge_parses_back_and_other_strings_do_not()
    {
        var (id, secret, password) = ScepChallenge.Generate();
        Assert.That(ScepChallenge.TryParse(password, out var parsedId, out var parsedSecret), Is.True);
        Assert.That((parsedId, parsedSecret), Is.EqualTo((id, secret)));
        Assert.That(ScepChallenge.Generate().Password, Is.Not.EqualTo(password));
        foreach (var other in new[] { "", "static-secret", "ABCDEF0123.0123456789abcdef0123456789abcdef", id + "." + secret + "0", id + secret })
        {
            Assert.That(ScepChallenge.TryParse(other, out _, out _), Is.False, other);
        }
    }

    [Test]
    public void Aes_is_always_accepted_des3_and_des_only_when_enabled()
    {
        var strict = new ScepOptions();
        Assert.That(ScepEnvelope.Accepts("2.16.840.1.101.3.4.1.2", strict), Is.True);
        Assert.That(ScepEnvelope.Accepts("2.16.840.1.101.3.4.1.42", strict), Is.True);
        Assert.That(ScepEnvelope.Accepts("1.2.840.113549.3.7", strict), Is.False);
        Assert.That(ScepEnvelope.Accepts("1.3.14.3.2.7", strict), Is.False);
        Assert.That(ScepEnvelope.Accepts("1.2.840.113549.3.2", strict), Is.False, "RC2");
        var legacy = new ScepOptions { EnableDes3 = true, AcceptSingleDesRequests = true };
        Assert.That(ScepEnvelope.Accepts("1.2.840.113549.3.7", legacy), Is.True);
        Assert.That(ScepEnvelope.Accepts("1.3.14.3.2.7", legacy), Is.True);
    }

    [Test]
    public void Refusal_kinds_map_to_fail_info()
    {
        Assert.That(ScepService.FailInfoOf(Core.Issuance.RefusalKind.BadProofOfPossession), Is.EqualTo(ScepFailInfo.BadMessageCheck));
        Assert.That(ScepService.FailInfoOf(Core.Issuance.RefusalKind.KeyNotAllowed), Is.EqualTo(ScepFailInfo.BadAlg));
        Assert.That(ScepService.FailInfoOf(Core.Issuance.RefusalKind.ProfileViolation), Is.EqualTo(ScepFailInfo.BadRequest));
        Assert.That(ScepService.FailInfoOf(Core.Issuance.RefusalKind.NotAuthorized), Is.EqualTo(ScepFailInfo.BadRequest));
    }

    [Test]
    public void Truncated_and_random_messages_are_format_errors_never_other_exceptions()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            if (bytes.Length > 0 && i % 2 == 0)
            {
                bytes[0] = 0x30;
            }
            Assert.That(() => ScepMessageDecoder.Decode(bytes), Throws.TypeOf<ScepFormatException>(), $"seed {seed}, case {i}");
        }
        Assert.That(() => ScepIssuerAndSerial.Decode(new byte[] { 0x30, 0x05, 0x30 }), Throws.TypeOf<ScepFailure>());
        Assert.That(() => ScepIssuerAndSubject.Decode(new byte[] { 0x04, 0x00 }), Throws.TypeOf<ScepFailure>());
    }
}
