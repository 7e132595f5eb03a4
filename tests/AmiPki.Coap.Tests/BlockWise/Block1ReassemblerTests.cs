using System.Net;
using AmiPki.Coap.BlockWise;
using AmiPki.Coap.Messages;
using AmiPki.Coap.Tests.Support;
using NUnit.Framework;

namespace AmiPki.Coap.Tests.BlockWise;

[TestFixture]
public sealed class Block1ReassemblerTests
{
    private static readonly IPEndPoint PeerA = new(IPAddress.Loopback, 1000);
    private static readonly IPEndPoint PeerB = new(IPAddress.Loopback, 2000);

    private static (Block1Reassembler Reassembler, ManualClock Clock) Setup(BlockWiseLimits? limits = null)
    {
        var clock = new ManualClock();
        return (new Block1Reassembler(limits ?? new BlockWiseLimits(), clock), clock);
    }

    private static BlockTransferKey Key(IPEndPoint peer, string request = "2|/sen?") => new(peer, request);

    private static byte[] Bytes(int count, byte fill) => Enumerable.Repeat(fill, count).ToArray();

    [Test]
    public void Reassembles_in_order_blocks_and_continues_until_the_last()
    {
        var (reassembler, _) = Setup();
        var key = Key(PeerA);

        Assert.That(reassembler.Offer(key, new(0, true, 2), Bytes(64, 1), null).Kind, Is.EqualTo(Block1OutcomeKind.Continue));
        Assert.That(reassembler.Offer(key, new(1, true, 2), Bytes(64, 2), null).Kind, Is.EqualTo(Block1OutcomeKind.Continue));
        var done = reassembler.Offer(key, new(2, false, 2), Bytes(10, 3), null);

        Assert.That(done.Kind, Is.EqualTo(Block1OutcomeKind.Complete));
        Assert.That(done.Body, Is.EqualTo(Bytes(64, 1).Concat(Bytes(64, 2)).Concat(Bytes(10, 3)).ToArray()));
        Assert.That(reassembler.ActiveCount, Is.Zero);
        Assert.That(reassembler.BufferedBytes, Is.Zero);
    }

    [Test]
    public void A_single_final_block_completes_without_state()
    {
        var (reassembler, _) = Setup();
        var done = reassembler.Offer(Key(PeerA), new(0, false, 6), Bytes(5, 9), null);
        Assert.That(done.Body, Is.EqualTo(Bytes(5, 9)));
        Assert.That(reassembler.ActiveCount, Is.Zero);
    }

    [Test]
    public void A_gap_is_answered_4_08_and_drops_the_transfer()
    {
        var (reassembler, _) = Setup();
        var key = Key(PeerA);
        reassembler.Offer(key, new(0, true, 2), Bytes(64, 1), null);

        var gap = reassembler.Offer(key, new(2, true, 2), Bytes(64, 1), null);

        Assert.That((gap.Kind, gap.ErrorCode), Is.EqualTo((Block1OutcomeKind.Failed, CoapCode.RequestEntityIncomplete)));
        Assert.That(reassembler.ActiveCount, Is.Zero);
    }

    [Test]
    public void A_block_without_block_zero_is_answered_4_08()
    {
        var (reassembler, _) = Setup();
        var outcome = reassembler.Offer(Key(PeerA), new(3, false, 2), Bytes(10, 1), null);
        Assert.That(outcome.ErrorCode, Is.EqualTo(CoapCode.RequestEntityIncomplete));
    }

    [Test]
    public void A_repeated_block_is_acknowledged_again_without_duplicating_data()
    {
        var (reassembler, _) = Setup();
        var key = Key(PeerA);
        reassembler.Offer(key, new(0, true, 2), Bytes(64, 1), null);
        reassembler.Offer(key, new(1, true, 2), Bytes(64, 2), null);

        Assert.That(reassembler.Offer(key, new(1, true, 2), Bytes(64, 2), null).Kind, Is.EqualTo(Block1OutcomeKind.Continue));
        Assert.That(reassembler.Offer(key, new(2, false, 2), Bytes(1, 3), null).Body, Has.Length.EqualTo(129));
    }

    [Test]
    public void Follows_a_block_size_change_by_byte_offset()
    {
        // RFC 7959 §2.5 figure 4: 128-byte block 0 taken whole, the client continues at NUM 4 with 32 bytes.
        var (reassembler, _) = Setup();
        var key = Key(PeerA);
        reassembler.Offer(key, new(0, true, 3), Bytes(128, 1), null);
        var done = reassembler.Offer(key, new(4, false, 1), Bytes(32, 2), null);
        Assert.That(done.Body, Has.Length.EqualTo(160));
    }

    [Test]
    public void A_short_non_final_block_is_a_bad_request()
    {
        var (reassembler, _) = Setup();
        Assert.That(reassembler.Offer(Key(PeerA), new(0, true, 2), Bytes(63, 1), null).ErrorCode, Is.EqualTo(CoapCode.BadRequest));
    }

    [Test]
    public void A_body_over_the_cap_is_answered_4_13_with_size1()
    {
        var (reassembler, _) = Setup(new BlockWiseLimits { MaxBodySize = 100 });
        var key = Key(PeerA);
        reassembler.Offer(key, new(0, true, 2), Bytes(64, 1), null);

        var tooBig = reassembler.Offer(key, new(1, true, 2), Bytes(64, 1), null);

        Assert.That((tooBig.ErrorCode, tooBig.Size1), Is.EqualTo((CoapCode.RequestEntityTooLarge, (uint?)100)));
        Assert.That(reassembler.ActiveCount, Is.Zero);
    }

    [Test]
    public void A_declared_size1_over_the_cap_is_refused_at_block_zero()
    {
        var (reassembler, _) = Setup(new BlockWiseLimits { MaxBodySize = 100 });
        var outcome = reassembler.Offer(Key(PeerA), new(0, true, 2), Bytes(64, 1), 5000);
        Assert.That((outcome.ErrorCode, outcome.Size1), Is.EqualTo((CoapCode.RequestEntityTooLarge, (uint?)100)));
    }

    [Test]
    public void A_peer_over_its_cap_loses_its_oldest_transfer_not_others()
    {
        var (reassembler, clock) = Setup(new BlockWiseLimits { MaxReassembliesPerPeer = 2 });
        reassembler.Offer(Key(PeerB, "b"), new(0, true, 0), Bytes(16, 1), null);
        reassembler.Offer(Key(PeerA, "first"), new(0, true, 0), Bytes(16, 1), null);
        clock.Advance(TimeSpan.FromMilliseconds(10));
        reassembler.Offer(Key(PeerA, "second"), new(0, true, 0), Bytes(16, 1), null);
        clock.Advance(TimeSpan.FromMilliseconds(10));
        reassembler.Offer(Key(PeerA, "third"), new(0, true, 0), Bytes(16, 1), null);

        Assert.That(reassembler.ActiveCount, Is.EqualTo(3));
        Assert.That(reassembler.Offer(Key(PeerA, "first"), new(1, false, 0), Bytes(1, 1), null).ErrorCode,
            Is.EqualTo(CoapCode.RequestEntityIncomplete));
        Assert.That(reassembler.Offer(Key(PeerB, "b"), new(1, false, 0), Bytes(1, 1), null).Kind, Is.EqualTo(Block1OutcomeKind.Complete));
    }

    [Test]
    public void The_global_caps_refuse_new_transfers_with_5_03()
    {
        var (reassembler, _) = Setup(new BlockWiseLimits { MaxReassemblies = 2 });
        reassembler.Offer(Key(PeerA, "1"), new(0, true, 0), Bytes(16, 1), null);
        reassembler.Offer(Key(PeerB, "2"), new(0, true, 0), Bytes(16, 1), null);

        var refused = reassembler.Offer(Key(new IPEndPoint(IPAddress.Loopback, 3000), "3"), new(0, true, 0), Bytes(16, 1), null);
        Assert.That(refused.ErrorCode, Is.EqualTo(CoapCode.ServiceUnavailable));

        var (bytesCapped, _) = Setup(new BlockWiseLimits { MaxBufferedBytes = 40 });
        bytesCapped.Offer(Key(PeerA, "1"), new(0, true, 0), Bytes(16, 1), null);
        bytesCapped.Offer(Key(PeerB, "2"), new(0, true, 0), Bytes(16, 1), null);
        Assert.That(bytesCapped.Offer(Key(PeerA, "1"), new(1, true, 0), Bytes(16, 1), null).ErrorCode, Is.EqualTo(CoapCode.ServiceUnavailable));
    }

    [Test]
    public void Stale_transfers_are_dropped_after_the_timeout()
    {
        var (reassembler, clock) = Setup(new BlockWiseLimits { ReassemblyTimeout = TimeSpan.FromSeconds(30) });
        var key = Key(PeerA);
        reassembler.Offer(key, new(0, true, 0), Bytes(16, 1), null);
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.That(reassembler.RemoveStale(), Is.Zero);
        clock.Advance(TimeSpan.FromSeconds(2));

        Assert.That(reassembler.RemoveStale(), Is.EqualTo(1));
        Assert.That(reassembler.BufferedBytes, Is.Zero);
        Assert.That(reassembler.Offer(key, new(1, false, 0), Bytes(1, 1), null).ErrorCode, Is.EqualTo(CoapCode.RequestEntityIncomplete));
    }
}
