using AmiPki.Coap.Dtls;
using NUnit.Framework;

namespace AmiPki.Coap.Tests.Dtls;

[TestFixture]
public sealed class DtlsRecordPackerTests
{
    private static byte[] Record(int payloadLength, byte contentType = 22, byte firstPayloadByte = 0)
    {
        var record = new byte[13 + payloadLength];
        record[0] = contentType;
        record[1] = 0xFE;
        record[2] = 0xFD;
        record[11] = (byte)(payloadLength >> 8);
        record[12] = (byte)payloadLength;
        if (payloadLength > 0)
        {
            record[13] = firstPayloadByte;
        }

        return record;
    }

    [Test]
    public void Packs_whole_records_into_datagrams_no_larger_than_the_mtu()
    {
        byte[] stream = [.. Record(100), .. Record(100), .. Record(100), .. Record(500)];
        var datagrams = new List<byte[]>();

        DtlsRecordPacker.Pack(stream, 300, datagrams);

        Assert.That(datagrams.Select(datagram => datagram.Length), Is.EqualTo(new[] { 226, 113, 513 }));
        Assert.That(datagrams.SelectMany(datagram => datagram), Is.EqualTo(stream));
    }

    [Test]
    public void A_truncated_trailing_record_is_passed_through_rather_than_lost()
    {
        byte[] stream = [.. Record(10), 22, 0xFE];
        var datagrams = new List<byte[]>();
        DtlsRecordPacker.Pack(stream, 1280, datagrams);
        Assert.That(datagrams.SelectMany(datagram => datagram), Is.EqualTo(stream));
    }

    [Test]
    public void Recognises_an_epoch_zero_client_hello_only()
    {
        byte[] clientHello = Record(40, 22, firstPayloadByte: 1);
        byte[] serverHello = Record(40, 22, firstPayloadByte: 2);
        byte[] applicationData = Record(40, 23, firstPayloadByte: 1);
        byte[] epochOne = Record(40, 22, firstPayloadByte: 1);
        epochOne[4] = 1;

        Assert.Multiple(() =>
        {
            Assert.That(DtlsRecordPacker.IsInitialClientHello(clientHello), Is.True);
            Assert.That(DtlsRecordPacker.IsInitialClientHello(serverHello), Is.False);
            Assert.That(DtlsRecordPacker.IsInitialClientHello(applicationData), Is.False);
            Assert.That(DtlsRecordPacker.IsInitialClientHello(epochOne), Is.False);
            Assert.That(DtlsRecordPacker.IsInitialClientHello(clientHello[..20]), Is.False);
        });
    }
}
