using System.Net;
using AmiPki.Coap.Dtls;
using AmiPki.Coap.Tests.Support;
using NUnit.Framework;

namespace AmiPki.Coap.Tests.Dtls;

[TestFixture]
public sealed class DtlsCookieFactoryTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("10.0.0.7"), 5684);

    [Test]
    public void A_cookie_verifies_for_its_address_only_and_survives_one_rotation()
    {
        var clock = new ManualClock();
        var cookies = new DtlsCookieFactory(clock, TimeSpan.FromMinutes(5));
        var cookie = new byte[DtlsCookieFactory.CookieLength];
        cookies.Generate(Peer, cookie);

        Assert.That(cookies.Verify(Peer, cookie), Is.True);
        Assert.That(cookies.Verify(new IPEndPoint(Peer.Address, 5685), cookie), Is.False, "another port");
        Assert.That(cookies.Verify(new IPEndPoint(IPAddress.Parse("10.0.0.8"), 5684), cookie), Is.False, "another address");
        Assert.That(cookies.Verify(Peer, cookie.AsSpan(1)), Is.False, "truncated");

        clock.Advance(TimeSpan.FromMinutes(6));
        cookies.Generate(Peer, new byte[DtlsCookieFactory.CookieLength]); // rotates
        Assert.That(cookies.Verify(Peer, cookie), Is.True, "the previous secret is still accepted");

        clock.Advance(TimeSpan.FromMinutes(6));
        cookies.Generate(Peer, new byte[DtlsCookieFactory.CookieLength]); // rotates again
        Assert.That(cookies.Verify(Peer, cookie), Is.False, "two rotations later the cookie is dead");
    }
}
