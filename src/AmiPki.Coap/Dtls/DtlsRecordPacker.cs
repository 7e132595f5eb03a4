namespace AmiPki.Coap.Dtls;

/// <summary>
/// OpenSSL's memory write BIO joins the records of a flight into one byte stream. This splits it on the
/// 13-byte DTLS record header (length in bytes 11–12, RFC 6347 §4.1) and packs whole records into
/// datagrams no larger than the MTU (RFC 6347 §4.1.1: a record never spans datagrams).
/// </summary>
internal static class DtlsRecordPacker
{
    public const int RecordHeaderLength = 13;

    public static void Pack(ReadOnlySpan<byte> stream, int mtu, List<byte[]> datagrams)
    {
        int datagramStart = 0;
        int position = 0;
        while (position < stream.Length)
        {
            int recordLength = stream.Length - position >= RecordHeaderLength
                ? RecordHeaderLength + ((stream[position + 11] << 8) | stream[position + 12])
                : stream.Length - position;
            recordLength = Math.Min(recordLength, stream.Length - position);

            if (position > datagramStart && position + recordLength - datagramStart > mtu)
            {
                datagrams.Add(stream[datagramStart..position].ToArray());
                datagramStart = position;
            }

            position += recordLength;
        }

        if (position > datagramStart)
        {
            datagrams.Add(stream[datagramStart..position].ToArray());
        }
    }

    /// <summary>An epoch-0 handshake record carrying a ClientHello (RFC 6347 §4.1, §4.2.2): a new handshake.</summary>
    public static bool IsInitialClientHello(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= RecordHeaderLength + 12
        && datagram[0] == 22            // ContentType handshake
        && datagram[1] == 0xFE          // DTLS major version
        && datagram[3] == 0 && datagram[4] == 0 // epoch 0
        && datagram[RecordHeaderLength] == 1;   // HandshakeType client_hello
}
