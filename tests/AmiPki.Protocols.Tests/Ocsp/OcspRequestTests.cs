using System.Formats.Asn1;
using AmiPki.Protocols.Ocsp;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Ocsp;

/// <summary>The request parser accepts what clients send and turns every kind of garbage into its one exception.</summary>
public sealed class OcspRequestTests
{
    private static readonly byte[] Serial = [0x41, 0xE2, 0x73, 0x41];

    [Test]
    public void A_plain_request_yields_its_CertID_byte_for_byte()
    {
        var der = Build(certIds: 1);
        var request = OcspRequest.Parse(der);
        Assert.That(request.CertIds, Has.Count.EqualTo(1));
        var certId = request.CertIds[0];
        Assert.That(certId.Hash, Is.EqualTo(OcspHashAlgorithm.Sha1));
        Assert.That(certId.SerialHex, Is.EqualTo("41E27341"));
        Assert.That(certId.IssuerNameHash.Length, Is.EqualTo(20));
        Assert.That(request.Nonce, Is.Null);
        var reader = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence().ReadSequence().ReadSequence();
        Assert.That(certId.Encoded.ToArray(), Is.EqualTo(reader.PeekEncodedValue().ToArray()));
    }

    [Test]
    public void The_nonce_extnValue_is_kept_as_sent()
    {
        var request = OcspRequest.Parse(Build(certIds: 1, nonce: new byte[16]));
        Assert.That(request.Nonce!.Value.ToArray(), Is.EqualTo(new byte[] { 0x04, 0x10 }.Concat(new byte[16]).ToArray()));
    }

    [TestCase(0)]
    [TestCase(129)]
    public void Nonces_out_of_bounds_are_malformed(int length) =>
        Assert.Throws<OcspFormatException>(() => OcspRequest.Parse(Build(certIds: 1, nonce: new byte[length])));

    [Test]
    public void Too_many_certificates_in_one_request_are_refused() =>
        Assert.Throws<OcspFormatException>(() => OcspRequest.Parse(Build(certIds: OcspRequest.MaxRequests + 1)));

    [Test]
    public void An_empty_request_list_is_refused() =>
        Assert.Throws<OcspFormatException>(() => OcspRequest.Parse(Build(certIds: 0)));

    [Test]
    public void Unknown_hash_algorithms_parse_but_match_no_issuer()
    {
        var request = OcspRequest.Parse(Build(certIds: 1, hashOid: "1.2.3.4"));
        Assert.That(request.CertIds[0].Hash, Is.Null);
    }

    [Test]
    public void A_signed_request_and_a_version_are_accepted()
    {
        var request = OcspRequest.Parse(Build(certIds: 2, version: true, signature: true));
        Assert.That(request.CertIds, Has.Count.EqualTo(2));
    }

    [Test]
    public void Every_truncation_of_a_valid_request_is_malformed_never_another_exception()
    {
        var der = Build(certIds: 2, nonce: new byte[16]);
        for (var length = 0; length < der.Length; length++)
        {
            Assert.Throws<OcspFormatException>(() => OcspRequest.Parse(der.AsMemory(0, length)), $"length {length}");
        }
    }

    [Test]
    public void Random_bytes_are_malformed_never_another_exception()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var valid = Build(certIds: 1, nonce: new byte[16]);
        for (var i = 0; i < 2000; i++)
        {
            var mutated = (byte[])valid.Clone();
            mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            try
            {
                OcspRequest.Parse(mutated);
            }
            catch (OcspFormatException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, iteration {i}: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    [Test]
    public void Oversized_requests_are_refused_before_parsing() =>
        Assert.Throws<OcspFormatException>(() => OcspRequest.Parse(new byte[OcspRequest.MaxSize + 1]));

    private static byte[] Build(int certIds, byte[]? nonce = null, string hashOid = "1.3.14.3.2.26", bool version = false, bool signature = false)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                if (version)
                {
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
                    {
                        writer.WriteInteger(0);
                    }
                }
                using (writer.PushSequence())
                {
                    for (var i = 0; i < certIds; i++)
                    {
                        using (writer.PushSequence())
                        using (writer.PushSequence())
                        {
                            using (writer.PushSequence())
                            {
                                writer.WriteObjectIdentifier(hashOid);
                                writer.WriteNull();
                            }
                            writer.WriteOctetString(new byte[20]);
                            writer.WriteOctetString(new byte[20]);
                            writer.WriteInteger(Serial);
                        }
                    }
                }
                if (nonce is not null)
                {
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2, true)))
                    using (writer.PushSequence())
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier("1.3.6.1.5.5.7.48.1.2");
                        var inner = new AsnWriter(AsnEncodingRules.DER);
                        inner.WriteOctetString(nonce);
                        writer.WriteOctetString(inner.Encode());
                    }
                }
            }
            if (signature)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
                using (writer.PushSequence())
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier("1.2.840.10045.4.3.2");
                    }
                    writer.WriteBitString(new byte[8]);
                }
            }
        }
        return writer.Encode();
    }
}
