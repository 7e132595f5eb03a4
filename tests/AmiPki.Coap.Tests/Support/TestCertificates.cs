using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Coap.Dtls;

namespace AmiPki.Coap.Tests.Support;

/// <summary>
/// Throwaway P-256 test PKI made at test time (a CA, a server and clients), written as PEM files into a
/// temporary directory for the real peers. Nothing here is ever committed.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificates()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("amipki-dtls-").FullName;
        var caRequest = new CertificateRequest("CN=AmiPki Test CA", _caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        Ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(CaPemPath, Ca.ExportCertificatePem());

        (Server, ServerKey) = Issue("CN=127.0.0.1", serverAuth: true);
        (Client, ClientKey) = Issue("CN=4D4D4D0000BC614E", serverAuth: false);
        WritePem(Server, ServerKey, ServerCertPath, ServerKeyPath);
        WritePem(Client, ClientKey, ClientCertPath, ClientKeyPath);
    }

    public string Directory { get; }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Server { get; }

    public ECDsa ServerKey { get; }

    public X509Certificate2 Client { get; }

    public ECDsa ClientKey { get; }

    public string CaPemPath => Path.Combine(Directory, "ca.pem");

    public string ServerCertPath => Path.Combine(Directory, "server.pem");

    public string ServerKeyPath => Path.Combine(Directory, "server.key");

    public string ClientCertPath => Path.Combine(Directory, "client.pem");

    public string ClientKeyPath => Path.Combine(Directory, "client.key");

    public DtlsCredentials ServerCredentials =>
        DtlsCredentials.FromPem(Server.ExportCertificatePem() + "\n" + Ca.ExportCertificatePem(), ServerKey.ExportPkcs8PrivateKeyPem());

    public DtlsCredentials ClientCredentials => DtlsCredentials.FromDer([Client.RawData], ClientKey.ExportECPrivateKey());

    /// <summary>Accepts a chain whose leaf was issued by the test CA: what a real caller checks with its anchors.</summary>
    public bool IsIssuedByTestCa(IReadOnlyList<byte[]> chain)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(chain[0]);
        using var verifier = new X509Chain();
        verifier.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        verifier.ChainPolicy.CustomTrustStore.Add(Ca);
        verifier.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return verifier.Build(leaf);
    }

    public (X509Certificate2 Certificate, ECDsa Key) Issue(string subject, bool serverAuth, bool selfSigned = false)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        if (selfSigned)
        {
            return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10)), key);
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(Ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), serial);
        return (X509CertificateLoader.LoadCertificate(issued.RawData), key);
    }

    public static void WritePem(X509Certificate2 certificate, ECDsa key, string certificatePath, string keyPath)
    {
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        _caKey.Dispose();
        ServerKey.Dispose();
        ClientKey.Dispose();
        Ca.Dispose();
        Server.Dispose();
        Client.Dispose();
    }
}
