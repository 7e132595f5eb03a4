using System.Net;
using AmiPki.Coap.BlockWise;
using AmiPki.Coap.Tests.Support;
using NUnit.Framework;

namespace AmiPki.Coap.Tests.BlockWise;

[TestFixture]
public sealed class Block2ResponseCacheTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Loopback, 1000);

    [Test]
    public void Expires_entries_and_bounds_them_per_peer_and_globally()
    {
        var clock = new ManualClock();
        var cache = new Block2ResponseCache<string>(
            new BlockWiseLimits { MaxCachedResponsesPerPeer = 2, MaxCachedResponses = 3, CachedResponseLifetime = TimeSpan.FromSeconds(10) }, clock);

        cache.Store(new(Peer, "a"), "A");
        cache.Store(new(Peer, "b"), "B");
        cache.Store(new(Peer, "c"), "C");
        Assert.That(cache.TryGet(new(Peer, "a"), out _), Is.False, "per-peer cap evicts the oldest");
        Assert.That(cache.TryGet(new(Peer, "c"), out var c) && c == "C", Is.True);

        cache.Store(new(new IPEndPoint(IPAddress.Loopback, 2), "x"), "X");
        cache.Store(new(new IPEndPoint(IPAddress.Loopback, 3), "y"), "Y");
        Assert.That(cache.Count, Is.EqualTo(3));

        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.That(cache.TryGet(new(new IPEndPoint(IPAddress.Loopback, 3), "y"), out _), Is.False);
    }
}
