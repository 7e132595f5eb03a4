using AmiPki.Coap.Messages;
using AmiPki.Coap.Tests.Support;
using NUnit.Framework;

namespace AmiPki.Coap.Tests.Messages;

[TestFixture]
public sealed class CoapMessageCodecTests
{
    [Test]
    public void Encodes_a_known_get_request_byte_for_byte()
    {
        // RFC 7252 §3: 0x41 = Ver 1, CON, TKL 1; 0x01 GET; MID 0x1234; token AB; option delta 11 len 4 "test".
        var message = new CoapMessage(CoapMessageType.Confirmable, CoapCode.Get, 0x1234, [0xAB],
            [CoapOption.FromString(CoapOptionNumber.UriPath, "test")]);

        Assert.That(Convert.ToHexString(message.Encode()), Is.EqualTo("41011234AB" + "B4" + "74657374"));
    }

    [Test]
    public void Round_trips_header_token_options_and_payload()
    {
        var original = new CoapMessage(CoapMessageType.NonConfirmable, CoapCode.Post, 65535, [1, 2, 3, 4, 5, 6, 7, 8],
            [
                CoapOption.FromString(CoapOptionNumber.UriPath, ".well-known"),
                CoapOption.FromString(CoapOptionNumber.UriPath, "est"),
                CoapOption.FromString(CoapOptionNumber.UriPath, "sen"),
                CoapOption.FromUInt(CoapOptionNumber.ContentFormat, 286),
                CoapOption.FromUInt(CoapOptionNumber.Accept, 281),
                CoapOption.FromUInt(CoapOptionNumber.Size1, 70000),
            ],
            "hello"u8);

        var decoded = CoapMessage.Decode(original.Encode());

        Assert.Multiple(() =>
        {
            Assert.That(decoded.Type, Is.EqualTo(CoapMessageType.NonConfirmable));
            Assert.That(decoded.Code, Is.EqualTo(CoapCode.Post));
            Assert.That(decoded.MessageId, Is.EqualTo(65535));
            Assert.That(decoded.Token.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
            Assert.That(decoded.GetUriPath(), Is.EqualTo("/.well-known/est/sen"));
            Assert.That(decoded.FindOption(CoapOptionNumber.ContentFormat)!.GetUInt(), Is.EqualTo(286));
            Assert.That(decoded.FindOption(CoapOptionNumber.Accept)!.GetUInt(), Is.EqualTo(281));
            Assert.That(decoded.FindOption(CoapOptionNumber.Size1)!.GetUInt(), Is.EqualTo(70000));
            Assert.That(decoded.Payload.ToArray(), Is.EqualTo("hello"u8.ToArray()));
            Assert.That(decoded.Encode(), Is.EqualTo(original.Encode()));
        });
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(12)]
    [TestCase(13)]
    [TestCase(14)]
    [TestCase(268)]
    [TestCase(269)]
    [TestCase(270)]
    [TestCase(1034)]
    [TestCase(65535 + 269)]
    public void Round_trips_every_option_length_form(int length)
    {
        var value = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        var message = new CoapMessage(CoapMessageType.Confirmable, CoapCode.Put, 7, [], [new CoapOption(CoapOptionNumber.ProxyUri, value)]);

        byte[] encoded = message.Encode();
        var decoded = CoapMessage.Decode(encoded);

        int expectedNibble = length < 13 ? length : length < 269 ? 13 : 14;
        Assert.That(encoded[4] & 0x0F, Is.EqualTo(expectedNibble));
        Assert.That(decoded.Options.Single().Value.ToArray(), Is.EqualTo(value));
    }

    [TestCase(1)]
    [TestCase(12)]
    [TestCase(13)]
    [TestCase(268)]
    [TestCase(269)]
    [TestCase(2049)]
    [TestCase(65535)]
    public void Round_trips_every_option_delta_form(int number)
    {
        var message = new CoapMessage(CoapMessageType.Confirmable, CoapCode.Get, 7, [],
            [new CoapOption(number, [0x42]), new CoapOption(number, [0x43])]);

        byte[] encoded = message.Encode();
        var decoded = CoapMessage.Decode(encoded);

        int expectedNibble = number < 13 ? number : number < 269 ? 13 : 14;
        Assert.That(encoded[4] >> 4, Is.EqualTo(expectedNibble));
        Assert.That(decoded.Options.Select(option => (option.Number, option.Value.Span[0])),
            Is.EqualTo(new[] { (number, (byte)0x42), (number, (byte)0x43) }));
    }

    [Test]
    public void Keeps_repeated_options_in_order_when_sorting()
    {
        var message = new CoapMessage(CoapMessageType.Confirmable, CoapCode.Get, 1, [],
            [
                CoapOption.FromString(CoapOptionNumber.UriQuery, "q"),
                CoapOption.FromString(CoapOptionNumber.UriPath, "a"),
                CoapOption.FromString(CoapOptionNumber.UriPath, "b"),
            ]);

        var decoded = CoapMessage.Decode(message.Encode());

        Assert.That(decoded.GetUriPath(), Is.EqualTo("/a/b"));
        Assert.That(decoded.GetUriQueries(), Is.EqualTo(new[] { "q" }));
    }

    [Test]
    public void Round_trips_an_empty_message()
    {
        var ack = CoapMessage.CreateEmpty(CoapMessageType.Acknowledgement, 0xBEEF);

        Assert.That(Convert.ToHexString(ack.Encode()), Is.EqualTo("6000BEEF"));
        Assert.That(CoapMessage.Decode(ack.Encode()).IsEmpty, Is.True);
    }

    [TestCase("40", TestName = "shorter than the header")]
    [TestCase("", TestName = "empty datagram")]
    [TestCase("81011234", TestName = "version 2")]
    [TestCase("01011234", TestName = "version 0")]
    [TestCase("49011234", TestName = "TKL 9 reserved")]
    [TestCase("4F011234", TestName = "TKL 15 reserved")]
    [TestCase("42011234AB", TestName = "token truncated")]
    [TestCase("40011234F0", TestName = "option delta nibble 15")]
    [TestCase("400112340F", TestName = "option length nibble 15")]
    [TestCase("40011234D1", TestName = "13-form delta missing its extra byte")]
    [TestCase("40011234E100", TestName = "14-form delta missing a byte")]
    [TestCase("40011234B5616263", TestName = "option value truncated")]
    [TestCase("40011234FF", TestName = "payload marker with empty payload")]
    [TestCase("41001234AB", TestName = "empty message with a token")]
    [TestCase("40001234FF00", TestName = "empty message with a payload")]
    [TestCase("40011234E1FFFF00E1FFFF00", TestName = "option number beyond 65535")]
    public void Rejects_malformed_datagrams_with_the_format_exception_only(string hex)
    {
        Assert.Throws<CoapFormatException>(() => CoapMessage.Decode(Convert.FromHexString(hex)));
    }

    [Test]
    public void Every_truncation_of_a_valid_message_decodes_or_throws_the_format_exception()
    {
        var message = new CoapMessage(CoapMessageType.Confirmable, CoapCode.Post, 42, [9, 8, 7],
            [
                CoapOption.FromString(CoapOptionNumber.UriPath, "est"),
                new CoapOption(CoapOptionNumber.ProxyUri, new byte[300]),
                new CoapOption(2049, new byte[20]),
            ],
            new byte[50]);
        byte[] encoded = message.Encode();

        for (int length = 0; length < encoded.Length; length++)
        {
            byte[] prefix = encoded[..length];
            try
            {
                CoapMessage.Decode(prefix);
            }
            catch (CoapFormatException)
            {
            }
        }

        Assert.Pass($"{encoded.Length} prefixes, none threw anything but CoapFormatException");
    }

    [Test]
    public void Ten_thousand_random_datagrams_decode_or_throw_the_format_exception()
    {
        int seed = Environment.TickCount;
        TestContext.Out.WriteLine($"random seed: {seed}");
        var random = new Random(seed);
        int decoded = 0;
        for (int i = 0; i < 10_000; i++)
        {
            byte[] datagram = RandomDatagrams.Next(random);
            try
            {
                var message = CoapMessage.Decode(datagram);
                Assert.That(CoapMessage.Decode(message.Encode()).Encode(), Is.EqualTo(message.Encode()), $"seed {seed}, datagram {i}");
                decoded++;
            }
            catch (CoapFormatException)
            {
            }
        }

        TestContext.Out.WriteLine($"{decoded} of 10000 decoded");
    }

    [Test]
    public void UInt_values_use_the_fewest_bytes_and_accept_leading_zeros()
    {
        Assert.Multiple(() =>
        {
            Assert.That(UIntOptionValue.Encode(0), Is.Empty);
            Assert.That(UIntOptionValue.Encode(255), Is.EqualTo(new byte[] { 255 }));
            Assert.That(UIntOptionValue.Encode(256), Is.EqualTo(new byte[] { 1, 0 }));
            Assert.That(UIntOptionValue.Encode(uint.MaxValue), Has.Length.EqualTo(4));
            Assert.That(UIntOptionValue.Decode([0, 0, 1]), Is.EqualTo(1));
            Assert.Throws<CoapFormatException>(() => UIntOptionValue.Decode([1, 2, 3, 4, 5]));
        });
    }

    [Test]
    public void Code_helpers_match_the_registry()
    {
        Assert.Multiple(() =>
        {
            Assert.That(CoapCode.Format(CoapCode.Continue), Is.EqualTo("2.31"));
            Assert.That(CoapCode.Format(CoapCode.RequestEntityTooLarge), Is.EqualTo("4.13"));
            Assert.That(CoapCode.Create(4, 8), Is.EqualTo(CoapCode.RequestEntityIncomplete));
            Assert.That(CoapCode.IsRequest(CoapCode.Get), Is.True);
            Assert.That(CoapCode.IsRequest(CoapCode.Empty), Is.False);
            Assert.That(CoapCode.IsResponse(CoapCode.Content), Is.True);
        });
    }
}
