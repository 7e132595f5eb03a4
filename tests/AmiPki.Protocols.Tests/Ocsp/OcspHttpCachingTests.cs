using AmiPki.Core.Revocation;
using AmiPki.Protocols.Ocsp;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Ocsp;

/// <summary>
/// The HTTP caching rules (RFC 5019 §6.2) bounded by how long an answer stays true: a good answer may be revoked at any
/// moment, so caches keep it at most HttpMaxAgeSeconds; a revoked one (other than certificateHold) until its nextUpdate.
/// </summary>
public sealed class OcspHttpCachingTests
{
    private static readonly DateTimeOffset ThisUpdate = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NextUpdate = ThisUpdate.AddHours(4);
    private static readonly DateTimeOffset Now = ThisUpdate.AddMinutes(10).AddMilliseconds(700);

    [TestCase(CertificateStatus.Good)]
    [TestCase(CertificateStatus.Unknown)]
    public void A_good_or_unknown_answer_is_cached_at_most_the_configured_bound_though_nextUpdate_is_hours_away(CertificateStatus status)
    {
        var caching = OcspHttpCaching.For(Reply(status), Now, httpMaxAgeSeconds: 60);
        Assert.That(caching.MaxAgeSeconds, Is.EqualTo(60));
        Assert.That(caching.Expires, Is.LessThanOrEqualTo(Now.AddSeconds(60)).And.GreaterThan(Now.AddSeconds(59)));
        Assert.That(caching.CacheControl, Is.EqualTo("max-age=60, public, no-transform, must-revalidate"));
    }

    [Test]
    public void The_bound_never_exceeds_what_is_left_until_nextUpdate()
    {
        var late = NextUpdate.AddSeconds(-20.5);
        var caching = OcspHttpCaching.For(Reply(CertificateStatus.Good), late, httpMaxAgeSeconds: 60);
        Assert.That(caching.MaxAgeSeconds, Is.EqualTo(20));
        Assert.That(caching.Expires, Is.LessThanOrEqualTo(NextUpdate));
        var past = OcspHttpCaching.For(Reply(CertificateStatus.Good), NextUpdate.AddSeconds(5), httpMaxAgeSeconds: 60);
        Assert.That(past.MaxAgeSeconds, Is.Zero);
    }

    [Test]
    public void A_revoked_answer_may_be_cached_until_its_nextUpdate()
    {
        var revoked = Reply(CertificateStatus.Revoked, new RevocationInfo(RevocationReason.KeyCompromise, ThisUpdate.AddDays(-1), null));
        var caching = OcspHttpCaching.For(revoked, Now, httpMaxAgeSeconds: 60);
        Assert.That(caching.MaxAgeSeconds, Is.EqualTo((long)(NextUpdate - Now).TotalSeconds));
        Assert.That(caching.Expires, Is.EqualTo(NextUpdate));
    }

    [Test]
    public void A_certificateHold_may_be_released_so_it_is_bounded_like_good()
    {
        var held = Reply(CertificateStatus.Revoked, new RevocationInfo(RevocationReason.CertificateHold, ThisUpdate.AddDays(-1), null));
        Assert.That(OcspHttpCaching.For(held, Now, httpMaxAgeSeconds: 60).MaxAgeSeconds, Is.EqualTo(60));
    }

    [Test]
    public void Several_certificates_in_one_answer_are_bounded()
    {
        var several = OcspReply.Signed([0x30, 0x00], null, ThisUpdate, NextUpdate, ThisUpdate.AddHours(1), cacheable: true, default);
        Assert.That(OcspHttpCaching.For(several, Now, httpMaxAgeSeconds: 60).MaxAgeSeconds, Is.EqualTo(60));
    }

    [TestCase(0, 0)]
    [TestCase(-5, 0)]
    [TestCase(30, 30)]
    public void The_bound_is_whatever_is_configured_and_never_negative(int configured, long expected)
    {
        Assert.That(OcspHttpCaching.For(Reply(CertificateStatus.Good), Now, configured).MaxAgeSeconds, Is.EqualTo(expected));
    }

    private static OcspReply Reply(CertificateStatus status, RevocationInfo? revocation = null) =>
        OcspReply.Signed([0x30, 0x00], status, ThisUpdate, NextUpdate, ThisUpdate.AddHours(1), cacheable: true, new byte[] { 0x30, 0x00 }, revocation);
}
