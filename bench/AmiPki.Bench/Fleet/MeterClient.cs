using System.Security.Cryptography;
using AmiPki.Coap.BlockWise;
using AmiPki.Coap.Dtls;
using AmiPki.Coap.Messages;

namespace AmiPki.Bench.Fleet;

/// <summary>
/// One simulated meter's first enrollment, as a constrained device does it: a DTLS 1.2 handshake with its factory
/// IDevID (RFC 9148 §3, RFC 7925), then the DER CSR POSTed to /.well-known/est/sen in Block1 blocks (RFC 7959 §2.3),
/// each a CON answered by 2.31 Continue, the last by 2.04 with the certificate (fetching Block2 blocks if the answer
/// is larger than one). CON retransmission follows RFC 7252 §4.2 (ACK_TIMEOUT 2 s, doubling, MAX_RETRANSMIT 4).
/// </summary>
public static class MeterClient
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SeparateResponseWait = TimeSpan.FromSeconds(60);
    private const int MaxRetransmit = 4;

    private static readonly CoapOption[] SenPath =
    [
        CoapOption.FromString(CoapOptionNumber.UriPath, ".well-known"),
        CoapOption.FromString(CoapOptionNumber.UriPath, "est"),
        CoapOption.FromString(CoapOptionNumber.UriPath, "sen"),
    ];

    /// <summary>Enrolls one meter; returns the certs-only answer (CF 281). Throws on any failure.</summary>
    public static async Task<byte[]> EnrollAsync(System.Net.IPEndPoint server, DtlsClientContext context, DtlsClientIdentity idevid, byte[] csr,
        int blockSize, CancellationToken cancellationToken)
    {
        await using var client = await DtlsClient.ConnectAsync(server, context, idevid, cancellationToken).ConfigureAwait(false);
        byte[] token = RandomNumberGenerator.GetBytes(4);
        ushort messageId = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
        int sizeExponent = BlockOptionValue.ExponentForSize(blockSize);
        int offset = 0;
        CoapMessage response;
        while (true)
        {
            int size = BlockOptionValue.SizeFromExponent(sizeExponent);
            int number = offset / size;
            int length = Math.Min(size, csr.Length - offset);
            bool more = offset + length < csr.Length;
            var request = new CoapMessage(CoapMessageType.Confirmable, CoapCode.Post, messageId++, token,
                [.. SenPath, CoapOption.FromUInt(CoapOptionNumber.ContentFormat, 286), CoapOption.FromUInt(CoapOptionNumber.Accept, 281),
                    new BlockOptionValue(number, more, sizeExponent).ToOption(CoapOptionNumber.Block1),
                    CoapOption.FromUInt(CoapOptionNumber.Size1, (uint)csr.Length)],
                csr.AsSpan(offset, length));
            response = await ExchangeAsync(client, request, cancellationToken).ConfigureAwait(false);
            if (!more)
            {
                break;
            }

            if (response.Code != CoapCode.Continue)
            {
                throw new InvalidOperationException($"block {number}: {CoapCode.Format(response.Code)} {System.Text.Encoding.UTF8.GetString(response.Payload.Span)}");
            }

            offset += length;

            // The server may ask for smaller blocks (RFC 7959 §2.3): continue at the same offset with its size.
            if (response.FindOption(CoapOptionNumber.Block1) is { } echoed && BlockOptionValue.TryDecode(echoed.Value.Span, out var block1)
                && block1.SizeExponent < sizeExponent)
            {
                sizeExponent = block1.SizeExponent;
            }
        }

        if (response.Code != CoapCode.Changed)
        {
            throw new InvalidOperationException($"/sen: {CoapCode.Format(response.Code)} {System.Text.Encoding.UTF8.GetString(response.Payload.Span)}");
        }

        var body = new List<byte>(response.Payload.ToArray());
        while (response.FindOption(CoapOptionNumber.Block2) is { } block2Option && BlockOptionValue.TryDecode(block2Option.Value.Span, out var block2) && block2.More)
        {
            // RFC 7959 §2.4: ask for the next block of the same representation, with the same request.
            var next = new CoapMessage(CoapMessageType.Confirmable, CoapCode.Post, messageId++, token,
                [.. SenPath, CoapOption.FromUInt(CoapOptionNumber.Accept, 281), new BlockOptionValue(block2.Number + 1, false, block2.SizeExponent).ToOption(CoapOptionNumber.Block2)],
                ReadOnlySpan<byte>.Empty);
            response = await ExchangeAsync(client, next, cancellationToken).ConfigureAwait(false);
            if (response.Code != CoapCode.Changed)
            {
                throw new InvalidOperationException($"/sen Block2: {CoapCode.Format(response.Code)}");
            }

            body.AddRange(response.Payload.Span);
        }

        return [.. body];
    }

    /// <summary>One CON request to its response: piggybacked in the ACK, or separate after an empty ACK (RFC 7252 §5.2).</summary>
    private static async Task<CoapMessage> ExchangeAsync(DtlsClient client, CoapMessage request, CancellationToken cancellationToken)
    {
        byte[] encoded = request.Encode();
        var timeout = AckTimeout;
        for (int attempt = 0; attempt <= MaxRetransmit; attempt++)
        {
            await client.SendAsync(encoded, cancellationToken).ConfigureAwait(false);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(timeout);
            try
            {
                while (true)
                {
                    var message = CoapMessage.Decode(await client.ReceiveAsync(wait.Token).ConfigureAwait(false));
                    if (message.Type == CoapMessageType.Acknowledgement && message.MessageId == request.MessageId)
                    {
                        if (!message.IsEmpty)
                        {
                            return message;
                        }

                        // Empty ACK: the answer follows as a CON of its own; stop retransmitting and wait longer.
                        wait.CancelAfter(SeparateResponseWait);
                        continue;
                    }

                    if (message.Type == CoapMessageType.Confirmable && message.Token.Span.SequenceEqual(request.Token.Span))
                    {
                        await client.SendAsync(CoapMessage.CreateEmpty(CoapMessageType.Acknowledgement, message.MessageId).Encode(), cancellationToken).ConfigureAwait(false);
                        return message;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                timeout *= 2;
            }
        }

        throw new TimeoutException($"no answer after {MaxRetransmit} retransmissions");
    }
}
