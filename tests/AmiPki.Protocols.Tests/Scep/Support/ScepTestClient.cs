using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Protocols.Scep;

namespace AmiPki.Protocols.Tests.Scep.Support;

/// <summary>
/// A small SCEP client (RFC 8894) built on .NET's CMS types, independent of the server's writers: builds pkiMessages,
/// sends them by POST or GET, and opens CertReps (signature, attributes, decryption).
/// </summary>
public sealed class ScepTestClient(HttpClient http, string path) : IDisposable
{
    public const string Aes128 = "2.16.840.1.101.3.4.1.2";
    public const string DesCbc = "1.3.14.3.2.7";
    public const string DesEde3 = "1.2.840.113549.3.7";

    public HttpClient Http { get; } = http;

    public async Task<string> CaCapsAsync() => await Http.GetStringAsync($"{path}?operation=GetCACaps");

    /// <summary>GetCACert: every certificate, and the RA (the RSA one with keyEncipherment).</summary>
    public async Task<(IReadOnlyList<X509Certificate2> All, X509Certificate2 Ra)> CaCertAsync()
    {
        using var response = await Http.GetAsync($"{path}?operation=GetCACert");
        response.EnsureSuccessStatusCode();
        if (response.Content.Headers.ContentType?.MediaType != "application/x-x509-ca-ra-cert")
        {
            throw new InvalidOperationException($"GetCACert answered {response.Content.Headers.ContentType}");
        }
        var cms = new SignedCms();
        cms.Decode(await response.Content.ReadAsByteArrayAsync());
        var all = cms.Certificates.Cast<X509Certificate2>().ToList();
        var ra = all.Single(c => c.GetRSAPublicKey() is not null
            && c.Extensions.OfType<X509KeyUsageExtension>().Any(k => k.KeyUsages.HasFlag(X509KeyUsageFlags.KeyEncipherment)));
        return (all, ra);
    }

    public static byte[] Build(int messageType, byte[] content, X509Certificate2 signer, AsymmetricAlgorithm signerKey, X509Certificate2 ra,
        string transactionId, byte[] senderNonce, string cipher = Aes128)
    {
        var envelope = new EnvelopedCms(new ContentInfo(content), new AlgorithmIdentifier(new Oid(cipher)));
        envelope.Encrypt(new CmsRecipient(SubjectIdentifierType.IssuerAndSerialNumber, ra, RSAEncryptionPadding.Pkcs1));
        var signed = new SignedCms(new ContentInfo(envelope.Encode()));
        var cmsSigner = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, signer, signerKey) { DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1") };
        cmsSigner.SignedAttributes.Add(new AsnEncodedData(new Oid("2.16.840.1.113733.1.9.2"), Printable(messageType.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        cmsSigner.SignedAttributes.Add(new AsnEncodedData(new Oid("2.16.840.1.113733.1.9.7"), Printable(transactionId)));
        cmsSigner.SignedAttributes.Add(new AsnEncodedData(new Oid("2.16.840.1.113733.1.9.5"), Octets(senderNonce)));
        signed.ComputeSignature(cmsSigner, silent: true);
        return signed.Encode();
    }

    public async Task<HttpResponseMessage> PostAsync(byte[] message, string? pathOverride = null)
    {
        var content = new ByteArrayContent(message);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-pki-message");
        return await Http.PostAsync($"{pathOverride ?? path}?operation=PKIOperation", content);
    }

    public Task<HttpResponseMessage> GetAsync(byte[] message) =>
        Http.GetAsync($"{path}?operation=PKIOperation&message={Uri.EscapeDataString(Convert.ToBase64String(message))}");

    /// <summary>Sends by POST, expects HTTP 200 application/x-pki-message, and opens the CertRep.</summary>
    public async Task<ScepTestReply> SendAsync(byte[] message, X509Certificate2 ra, AsymmetricAlgorithm? requesterKey, X509Certificate2? requester)
    {
        using var response = await PostAsync(message);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentType?.MediaType != "application/x-pki-message")
        {
            throw new InvalidOperationException($"PKIOperation answered {(int)response.StatusCode} {response.Content.Headers.ContentType}: {System.Text.Encoding.UTF8.GetString(body)}");
        }
        return ScepTestReply.Open(body, ra, requesterKey as RSA, requester);
    }

    /// <summary>A PKCS#10 CSR with an optional challengePassword attribute (RFC 2985 §5.4.1) as PrintableString.</summary>
    public static byte[] Csr(string subject, AsymmetricAlgorithm key, string? challenge, params string[] dnsNames)
    {
        var request = key is RSA rsa
            ? new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        if (dnsNames.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in dnsNames)
            {
                san.AddDnsName(name);
            }
            request.CertificateExtensions.Add(san.Build());
        }
        if (challenge is not null)
        {
            request.OtherRequestAttributes.Add(new AsnEncodedData(new Oid("1.2.840.113549.1.9.7"), Printable(challenge)));
        }
        return request.CreateSigningRequest();
    }

    /// <summary>The self-signed certificate a requester signs its PKCSReq with (RFC 8894 §2.3).</summary>
    public static X509Certificate2 SelfSigned(AsymmetricAlgorithm key, string subject = "CN=SCEP SIGNER")
    {
        var request = key is RSA rsa
            ? new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    public static byte[] IssuerAndSerial(X500DistinguishedName issuer, byte[] serialBigEndian)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(issuer.RawData);
            writer.WriteInteger(serialBigEndian);
        }
        return writer.Encode();
    }

    public static byte[] IssuerAndSubject(X500DistinguishedName issuer, X500DistinguishedName subject)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(issuer.RawData);
            writer.WriteEncodedValue(subject.RawData);
        }
        return writer.Encode();
    }

    public static byte[] Printable(string value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.PrintableString, value);
        return writer.Encode();
    }

    public static byte[] Octets(byte[] value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(value);
        return writer.Encode();
    }

    public void Dispose() => Http.Dispose();
}
