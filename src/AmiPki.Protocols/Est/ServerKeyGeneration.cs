using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Authorities;
using AmiPki.Core.Issuance;
using AmiPki.Core.Keys;
using AmiPki.Core.Profiles;

namespace AmiPki.Protocols.Est;

/// <summary>
/// /serverkeygen (RFC 7030 §4.4): the client's CSR supplies subject and extensions, its key is only a placeholder. A new
/// key is generated for this request and a CSR signed with it is built, so the certificate goes through the same
/// pipeline; the private key is returned once as PKCS#8 and never stored.
/// </summary>
internal static class ServerKeyGeneration
{
    /// <summary>The client's key type when the profile allows it (the client's hint, RFC 7030 §4.4.1), else the profile's first.</summary>
    public static KeyAlgorithm ChooseAlgorithm(CertificateProfile profile, CertificationRequest clientCsr) =>
        profile.KeyAlgorithms.Contains(clientCsr.KeyAlgorithm) ? clientCsr.KeyAlgorithm : profile.KeyAlgorithms[0];

    /// <returns>The new key (caller disposes) and a DER CSR with the client's subject and requested extensions.</returns>
    public static (AsymmetricAlgorithm Key, byte[] CsrDer) Generate(KeyAlgorithm algorithm, CertificationRequest clientCsr)
    {
        var subject = new X500DistinguishedName(clientCsr.SubjectDer.ToArray());
        var hash = CertificateAuthority.DefaultHashFor(algorithm);
        AsymmetricAlgorithm key;
        CertificateRequest request;
        if (algorithm is KeyAlgorithm.EcP256 or KeyAlgorithm.EcP384 or KeyAlgorithm.EcP521)
        {
            var ecdsa = ECDsa.Create(algorithm switch
            {
                KeyAlgorithm.EcP256 => ECCurve.NamedCurves.nistP256,
                KeyAlgorithm.EcP384 => ECCurve.NamedCurves.nistP384,
                _ => ECCurve.NamedCurves.nistP521,
            });
            key = ecdsa;
            request = new CertificateRequest(subject, ecdsa, hash);
        }
        else
        {
            var rsa = RSA.Create(algorithm switch
            {
                KeyAlgorithm.Rsa2048 => 2048,
                KeyAlgorithm.Rsa3072 => 3072,
                _ => 4096,
            });
            key = rsa;
            request = new CertificateRequest(subject, rsa, hash, RSASignaturePadding.Pkcs1);
        }
        try
        {
            foreach (var extension in clientCsr.RequestedExtensions.Values)
            {
                request.CertificateExtensions.Add(new X509Extension(extension.Oid, extension.Value, extension.Critical));
            }
            return (key, request.CreateSigningRequest());
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>PKCS#8 PrivateKeyInfo, unencrypted: TLS protects it in transit (RFC 7030 §4.4.2).</summary>
    public static byte[] ExportPkcs8(AsymmetricAlgorithm key) => key.ExportPkcs8PrivateKey();
}
