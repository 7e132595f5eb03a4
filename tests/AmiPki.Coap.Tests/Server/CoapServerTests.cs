using System.Net;
using System.Text;
using AmiPki.Coap.BlockWise;
using AmiPki.Coap.Messages;
using AmiPki.Coap.Server;
using AmiPki.Coap.Tests.Support;
using NUnit.Framework;

namespace AmiPki.Coap.Tests.Server;

[TestFixture]
[CancelAfter(30_000)]
public sealed class CoapServerTests
{
    private static readonly IPEndPoint Client = new(IPAddress.Loopback, 40001);

    private InMemoryTransport _transport = null!;
    private CoapServer _server = null!;
    private int _echoCalls;

    private static CoapServerOptions FastOptions(TimeSpan? threshold = null, TimeSpan? ackTimeout = null) => new()
    {
        SeparateResponseThreshold = threshold ?? TimeSpan.FromSeconds(1),
        Transmission = new CoapTransmissionParameters { AckTimeout = ackTimeout ?? TimeSpan.FromSeconds(2) },
    };

    private void StartServer(CoapServerOptions? options = null, TimeProvider? time = null)
    {
        _echoCalls = 0;
        _transport = new InMemoryTransport();
        _server = new CoapServer(_transport, options ?? FastOptions(), time);
        _server.AddResource("/hello", (request, _) => Task.FromResult(CoapResponse.Content("world"u8.ToArray(), 0)),
            new CoapResourceDescription { ResourceTypes = ["greeting"] });
        _server.AddResource("/echo", (request, _) =>
        {
            Interlocked.Increment(ref _echoCalls);
            return Task.FromResult(CoapResponse.Changed(request.Payload, 42));
        });
        _server.AddResource("/big", (request, _) => Task.FromResult(CoapResponse.Content(BigBody, 42)));
        _server.AddResource("/boom", (_, _) => throw new InvalidOperationException("handler bug"));
        _server.AddResource("/slow", async (_, cancellationToken) =>
        {
            await Task.Delay(800, cancellationToken);
            return CoapResponse.Content("late"u8.ToArray(), 0);
        });
        _server.AddResource("/whoami", (request, _) => Task.FromResult(CoapResponse.Content(
            Encoding.UTF8.GetBytes($"{request.PeerCertificateChain?.Count ?? -1}"), 0)));
        _server.Start();
    }

    private static readonly byte[] BigBody = Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray();

    [TearDown]
    public async Task TearDown()
    {
        Assert.That(_server.UnhandledErrorCount, Is.Zero, "no internal error may be swallowed");
        await _server.DisposeAsync();
    }

    private static CoapMessage Request(CoapMessageType type, byte code, ushort messageId, string path, IEnumerable<CoapOption>? extra = null, byte[]? payload = null)
    {
        var options = path.Trim('/').Split('/').Select(segment => CoapOption.FromString(CoapOptionNumber.UriPath, segment)).ToList();
        options.AddRange(extra ?? []);
        return new CoapMessage(type, code, messageId, [0xC0, 0xFF, 0xEE], options, payload);
    }

    private async Task<CoapMessage> ExchangeAsync(CoapMessage request)
    {
        _transport.Deliver(Client, request.Encode());
        var (peer, data) = await _transport.NextSentAsync();
        Assert.That(peer, Is.EqualTo(Client));
        return CoapMessage.Decode(data);
    }

    [Test]
    public async Task A_confirmable_request_gets_a_piggybacked_ack()
    {
        StartServer();
        var response = await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Get, 100, "/hello"));

        Assert.Multiple(() =>
        {
            Assert.That(response.Type, Is.EqualTo(CoapMessageType.Acknowledgement));
            Assert.That(response.MessageId, Is.EqualTo(100));
            Assert.That(response.Token.ToArray(), Is.EqualTo(new byte[] { 0xC0, 0xFF, 0xEE }));
            Assert.That(response.Code, Is.EqualTo(CoapCode.Content));
            Assert.That(Encoding.UTF8.GetString(response.Payload.Span), Is.EqualTo("world"));
            Assert.That(response.FindOption(CoapOptionNumber.ContentFormat)!.GetUInt(), Is.Zero);
        });
    }

    [Test]
    public async Task A_non_confirmable_request_gets_a_non_confirmable_response()
    {
        StartServer();
        var response = await ExchangeAsync(Request(CoapMessageType.NonConfirmable, CoapCode.Get, 101, "/hello"));

        Assert.That(response.Type, Is.EqualTo(CoapMessageType.NonConfirmable));
        Assert.That(response.Token.ToArray(), Is.EqualTo(new byte[] { 0xC0, 0xFF, 0xEE }));
        Assert.That(response.Code, Is.EqualTo(CoapCode.Content));
    }

    [Test]
    public async Task Unknown_paths_are_4_04_and_handler_exceptions_5_00()
    {
        StartServer();
        Assert.That((await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Get, 1, "/nope"))).Code, Is.EqualTo(CoapCode.NotFound));
        Assert.That((await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Get, 2, "/boom"))).Code, Is.EqualTo(CoapCode.InternalServerError));
    }

    [Test]
    public async Task An_unknown_critical_option_is_4_02_in_a_con_and_rst_in_a_non_while_electives_are_ignored()
    {
        StartServer();
        var critical = new CoapOption(2051, [1]);
        var con = await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Get, 10, "/hello", [critical]));
        Assert.That((con.Type, con.Code), Is.EqualTo((CoapMessageType.Acknowledgement, CoapCode.BadOption)));

        var non = await ExchangeAsync(Request(CoapMessageType.NonConfirmable, CoapCode.Get, 11, "/hello", [critical]));
        Assert.That((non.Type, non.IsEmpty, non.MessageId), Is.EqualTo((CoapMessageType.Reset, true, (ushort)11)));

        var elective = await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Get, 12, "/hello", [new CoapOption(2050, [1])]));
        Assert.That(elective.Code, Is.EqualTo(CoapCode.Content));

        var repeatedAccept = await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Get, 13, "/hello",
            [CoapOption.FromUInt(CoapOptionNumber.Accept, 0), CoapOption.FromUInt(CoapOptionNumber.Accept, 40)]));
        Assert.That(repeatedAccept.Code, Is.EqualTo(CoapCode.BadOption), "a repeated non-repeatable critical option is unrecognised (RFC 7252 §5.4.5)");
    }

    [Test]
    public async Task A_duplicate_con_is_answered_from_the_cache_without_running_the_handler_again()
    {
        StartServer();
        var request = Request(CoapMessageType.Confirmable, CoapCode.Post, 500, "/echo", payload: [1, 2, 3]);
        _transport.Deliver(Client, request.Encode());
        var first = await _transport.NextSentAsync();
        _transport.Deliver(Client, request.Encode());
        var second = await _transport.NextSentAsync();

        Assert.That(second.Data, Is.EqualTo(first.Data));
        Assert.That(_echoCalls, Is.EqualTo(1));

        // The same id from another endpoint is another exchange.
        _transport.Deliver(new IPEndPoint(IPAddress.Loopback, 40002), request.Encode());
        await _transport.NextSentAsync();
        Assert.That(_echoCalls, Is.EqualTo(2));
    }

    [Test]
    public async Task Message_ids_are_forgotten_after_exchange_lifetime()
    {
        var clock = new ManualClock();
        StartServer(FastOptions(), clock);
        var request = Request(CoapMessageType.Confirmable, CoapCode.Post, 600, "/echo", payload: [1]);
        await ExchangeAsync(request);
        clock.Advance(TimeSpan.FromSeconds(246));
        await ExchangeAsync(request);
        Assert.That(_echoCalls, Is.EqualTo(1));

        clock.Advance(TimeSpan.FromSeconds(2));
        await ExchangeAsync(request);
        Assert.That(_echoCalls, Is.EqualTo(2));
    }

    [Test]
    public async Task A_duplicate_non_is_silently_ignored()
    {
        StartServer();
        var request = Request(CoapMessageType.NonConfirmable, CoapCode.Post, 700, "/echo", payload: [1]);
        await ExchangeAsync(request);
        _transport.Deliver(Client, request.Encode());
        Assert.That(await _transport.NothingSentWithinAsync(TimeSpan.FromMilliseconds(200)), Is.True);
        Assert.That(_echoCalls, Is.EqualTo(1));
    }

    [Test]
    public async Task A_con_ping_gets_a_reset_and_stray_acks_are_ignored()
    {
        StartServer();
        var reset = await ExchangeAsync(CoapMessage.CreateEmpty(CoapMessageType.Confirmable, 0x4242));
        Assert.That((reset.Type, reset.MessageId, reset.IsEmpty), Is.EqualTo((CoapMessageType.Reset, (ushort)0x4242, true)));

        _transport.Deliver(Client, CoapMessage.CreateEmpty(CoapMessageType.Acknowledgement, 1).Encode());
        _transport.Deliver(Client, CoapMessage.CreateEmpty(CoapMessageType.Reset, 2).Encode());
        Assert.That(await _transport.NothingSentWithinAsync(TimeSpan.FromMilliseconds(200)), Is.True);
    }

    [TestCase("42011234", "reset", TestName = "CON with truncated token → RST")]
    [TestCase("49011234", "reset", TestName = "CON with TKL 9 → RST")]
    [TestCase("41011234AAF0", "4.00", TestName = "CON request with nibble 15 → 4.00")]
    [TestCase("41011234AAFF", "4.00", TestName = "CON request with marker and no payload → 4.00")]
    [TestCase("40001234FF00", "reset", TestName = "CON empty message with bytes → RST")]
    [TestCase("51011234AAF0", "dropped", TestName = "malformed NON is dropped")]
    [TestCase("81011234", "dropped", TestName = "unknown version is dropped")]
    [TestCase("41", "dropped", TestName = "runt is dropped")]
    public async Task Malformed_datagrams_are_answered_or_dropped(string hex, string expected)
    {
        StartServer();
        _transport.Deliver(Client, Convert.FromHexString(hex));
        if (expected == "dropped")
        {
            Assert.That(await _transport.NothingSentWithinAsync(TimeSpan.FromMilliseconds(200)), Is.True);
            return;
        }

        var answer = CoapMessage.Decode((await _transport.NextSentAsync()).Data);
        Assert.That(answer.MessageId, Is.EqualTo(0x1234));
        if (expected == "reset")
        {
            Assert.That((answer.Type, answer.IsEmpty), Is.EqualTo((CoapMessageType.Reset, true)));
        }
        else
        {
            Assert.That((answer.Type, answer.Code, answer.Token.ToArray()), Is.EqualTo((CoapMessageType.Acknowledgement, CoapCode.BadRequest, new byte[] { 0xAA })));
        }
    }

    [Test]
    public async Task A_slow_handler_gets_an_empty_ack_then_a_separate_con_response()
    {
        StartServer(FastOptions(threshold: TimeSpan.FromMilliseconds(50)));
        var request = Request(CoapMessageType.Confirmable, CoapCode.Get, 800, "/slow");
        var ack = await ExchangeAsync(request);
        Assert.That((ack.Type, ack.IsEmpty, ack.MessageId), Is.EqualTo((CoapMessageType.Acknowledgement, true, (ushort)800)));

        // A duplicate meanwhile gets the empty ACK again.
        Assert.That((await ExchangeAsync(request)).IsEmpty, Is.True);

        var separate = CoapMessage.Decode((await _transport.NextSentAsync()).Data);
        Assert.That((separate.Type, separate.Code), Is.EqualTo((CoapMessageType.Confirmable, CoapCode.Content)));
        Assert.That(separate.Token.ToArray(), Is.EqualTo(request.Token.ToArray()));
        Assert.That(separate.MessageId, Is.Not.EqualTo(800));
        _transport.Deliver(Client, CoapMessage.CreateEmpty(CoapMessageType.Acknowledgement, separate.MessageId).Encode());
        Assert.That(await _transport.NothingSentWithinAsync(TimeSpan.FromMilliseconds(400)), Is.True);
    }

    [Test]
    public async Task An_unacknowledged_separate_response_is_retransmitted_with_the_same_message_id()
    {
        StartServer(FastOptions(threshold: TimeSpan.FromMilliseconds(50), ackTimeout: TimeSpan.FromMilliseconds(100)));
        await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Get, 900, "/slow"));

        var first = await _transport.NextSentAsync();
        var second = await _transport.NextSentAsync();
        Assert.That(second.Data, Is.EqualTo(first.Data));

        // A reset ends the retransmissions.
        _transport.Deliver(Client, CoapMessage.CreateEmpty(CoapMessageType.Reset, CoapMessage.Decode(first.Data).MessageId).Encode());
        await Task.Delay(50);
        while (await _transport.NothingSentWithinAsync(TimeSpan.FromMilliseconds(450)) is false)
        {
            await _transport.NextSentAsync();
            Assert.Fail("retransmitted after RST");
        }
    }

    [Test]
    public async Task Block1_transfers_continue_with_2_31_and_hand_the_whole_body_to_the_handler()
    {
        StartServer();
        var body = Enumerable.Range(0, 150).Select(i => (byte)i).ToArray();
        for (int number = 0; number < 3; number++)
        {
            bool more = number < 2;
            var chunk = body.Skip(number * 64).Take(64).ToArray();
            var response = await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Post, (ushort)(1000 + number), "/echo",
                [new BlockOptionValue(number, more, 2).ToOption(CoapOptionNumber.Block1)], chunk));
            BlockOptionValue.TryDecode(response.FindOption(CoapOptionNumber.Block1)!.Value.Span, out var echoed);
            Assert.That(echoed, Is.EqualTo(new BlockOptionValue(number, more, 2)));
            Assert.That(response.Code, Is.EqualTo(more ? CoapCode.Continue : CoapCode.Changed));
            if (!more)
            {
                Assert.That(response.Payload.ToArray(), Is.EqualTo(body));
            }
        }

        Assert.That(_echoCalls, Is.EqualTo(1));
    }

    [Test]
    public async Task Block1_out_of_order_is_4_08_and_an_oversized_body_4_13()
    {
        StartServer(new CoapServerOptions { BlockWise = new BlockWiseLimits { MaxBodySize = 1000 } });
        await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Post, 1, "/echo", [new BlockOptionValue(0, true, 2).ToOption(27)], new byte[64]));
        var gap = await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Post, 2, "/echo", [new BlockOptionValue(2, true, 2).ToOption(27)], new byte[64]));
        Assert.That(gap.Code, Is.EqualTo(CoapCode.RequestEntityIncomplete));

        var tooLarge = await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Post, 3, "/echo",
            [new BlockOptionValue(0, true, 2).ToOption(27), CoapOption.FromUInt(CoapOptionNumber.Size1, 5000)], new byte[64]));
        Assert.That(tooLarge.Code, Is.EqualTo(CoapCode.RequestEntityTooLarge));
        Assert.That(tooLarge.FindOption(CoapOptionNumber.Size1)!.GetUInt(), Is.EqualTo(1000));

        var reservedSzx = await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Post, 4, "/echo", [new CoapOption(27, [0x07])], new byte[1]));
        Assert.That(reservedSzx.Code, Is.EqualTo(CoapCode.BadRequest));
        Assert.That(_echoCalls, Is.Zero);
    }

    [TestCase(6, 1024)]
    [TestCase(2, 64)]
    public async Task Large_responses_go_out_in_block2_blocks_of_the_clients_size(int sizeExponent, int blockSize)
    {
        StartServer();
        var received = new List<byte>();
        for (int number = 0; ; number++)
        {
            var response = await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Get, (ushort)(2000 + number), "/big",
                number == 0 && sizeExponent == 6 ? [] : [new BlockOptionValue(number, false, sizeExponent).ToOption(CoapOptionNumber.Block2)]));
            Assert.That(BlockOptionValue.TryDecode(response.FindOption(CoapOptionNumber.Block2)!.Value.Span, out var block), Is.True);
            Assert.That((block.Number, block.Size), Is.EqualTo((number, blockSize)));
            if (number == 0)
            {
                Assert.That(response.FindOption(CoapOptionNumber.Size2)!.GetUInt(), Is.EqualTo(3000));
            }

            received.AddRange(response.Payload.ToArray());
            if (!block.More)
            {
                break;
            }
        }

        Assert.That(received, Is.EqualTo(BigBody));
        var beyond = await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Get, 3000, "/big", [new BlockOptionValue(100, false, 6).ToOption(23)]));
        Assert.That(beyond.Code, Is.EqualTo(CoapCode.BadOption));
    }

    [Test]
    public async Task Later_blocks_of_a_post_response_come_from_the_cache_not_the_handler()
    {
        StartServer();
        var body = new byte[2000];
        Random.Shared.NextBytes(body);
        var first = await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Post, 1, "/echo", payload: body));
        Assert.That(first.Payload.Length, Is.EqualTo(1024));
        var second = await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Post, 2, "/echo",
            [new BlockOptionValue(1, false, 6).ToOption(CoapOptionNumber.Block2)]));

        Assert.That(first.Payload.ToArray().Concat(second.Payload.ToArray()), Is.EqualTo(body));
        Assert.That(_echoCalls, Is.EqualTo(1));
    }

    [Test]
    public async Task Well_known_core_lists_and_filters_resources()
    {
        StartServer();
        var all = await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Get, 1, "/.well-known/core"));
        Assert.That(all.FindOption(CoapOptionNumber.ContentFormat)!.GetUInt(), Is.EqualTo(40));
        Assert.That(Encoding.UTF8.GetString(all.Payload.Span), Does.Contain("</hello>;rt=\"greeting\"").And.Contain("</echo>"));

        var filtered = await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Get, 2, "/.well-known/core",
            [CoapOption.FromString(CoapOptionNumber.UriQuery, "rt=greet*")]));
        Assert.That(Encoding.UTF8.GetString(filtered.Payload.Span), Is.EqualTo("</hello>;rt=\"greeting\""));

        var post = await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Post, 3, "/.well-known/core"));
        Assert.That(post.Code, Is.EqualTo(CoapCode.MethodNotAllowed));
    }

    [Test]
    public async Task The_peer_certificate_chain_reaches_the_handler()
    {
        StartServer();
        _transport.Deliver(Client, Request(CoapMessageType.Confirmable, CoapCode.Get, 1, "/whoami").Encode(), [[1], [2]]);
        Assert.That(Encoding.UTF8.GetString(CoapMessage.Decode((await _transport.NextSentAsync()).Data).Payload.Span), Is.EqualTo("2"));
        Assert.That(Encoding.UTF8.GetString((await ExchangeAsync(Request(CoapMessageType.Confirmable, CoapCode.Get, 2, "/whoami"))).Payload.Span), Is.EqualTo("-1"));
    }

    [Test]
    public async Task Ten_thousand_random_datagrams_never_break_the_server()
    {
        StartServer();
        int seed = Environment.TickCount;
        TestContext.Out.WriteLine($"random seed: {seed}");
        var random = new Random(seed);
        for (int i = 0; i < 10_000; i++)
        {
            _transport.Deliver(new IPEndPoint(IPAddress.Loopback, 1024 + random.Next(16)), RandomDatagrams.Next(random));
        }

        // Still serving afterwards, and no internal error was swallowed (checked in TearDown).
        await Task.Delay(200);
        var response = await ExchangeAndSkipNoiseAsync(Request(CoapMessageType.Confirmable, CoapCode.Get, 4242, "/hello"));
        Assert.That(response.Code, Is.EqualTo(CoapCode.Content));
    }

    private async Task<CoapMessage> ExchangeAndSkipNoiseAsync(CoapMessage request)
    {
        var client = new IPEndPoint(IPAddress.Loopback, 50000);
        _transport.Deliver(client, request.Encode());
        while (true)
        {
            var (peer, data) = await _transport.NextSentAsync();
            if (peer.Equals(client))
            {
                return CoapMessage.Decode(data);
            }
        }
    }
}
