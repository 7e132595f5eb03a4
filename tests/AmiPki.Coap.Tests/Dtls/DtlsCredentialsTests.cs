using System.Text;
using AmiPki.Coap.Dtls;
using AmiPki.Coap.Tests.Support;
using NUnit.Framework;

namespace AmiPki.Coap.Tests.Dtls;

[TestFixture]
public sealed class DtlsCredentialsTests
{
    [Test]
    public void Accepts_pem_and_der_for_certificates_and_keys()
    {
        using var pki = new TestCertificates();
        byte[] chainPem = Encoding.ASCII.GetBytes(pki.Server.ExportCertificatePem() + pki.Ca.ExportCertificatePem());
        byte[] keyPem = Encoding.ASCII.GetBytes(pki.ServerKey.ExportECPrivateKeyPem());

        var fromPem = DtlsCredentials.FromBytes(chainPem, keyPem);
        var fromDer = DtlsCredentials.FromBytes(pki.Server.RawData, pki.ServerKey.ExportPkcs8PrivateKey());

        Assert.That(fromPem.CertificateChain, Is.EqualTo(new[] { pki.Server.RawData, pki.Ca.RawData }));
        Assert.That(fromPem.PrivateKey, Is.EqualTo(pki.ServerKey.ExportECPrivateKey()));
        Assert.That(fromDer.CertificateChain.Single(), Is.EqualTo(pki.Server.RawData));
    }

    [Test]
    public void A_key_that_does_not_match_the_certificate_is_a_configuration_error()
    {
        using var pki = new TestCertificates();
        var mismatched = DtlsCredentials.FromDer([pki.Server.RawData], pki.ClientKey.ExportPkcs8PrivateKey());

        Assert.That(() => new DtlsServerTransport(FreePort.LoopbackAny(), new DtlsServerOptions
        {
            Credentials = mismatched,
            ClientCertificateValidator = _ => true,
        }), Throws.InstanceOf<DtlsException>());
    }
}
