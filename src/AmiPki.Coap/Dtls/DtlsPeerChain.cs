using System.Collections;
using System.Security.Cryptography.X509Certificates;

namespace AmiPki.Coap.Dtls;

/// <summary>
/// The chain a DTLS peer presented, as the certificate check sees it inside the handshake: DER, leaf first. OpenSSL has
/// already decoded the leaf by then; <see cref="CreateLeafCertificate"/> hands that decoded certificate to .NET (a
/// reference, not a copy) while the check runs, because decoding the DER again costs OpenSSL 3.0 about 0.13 ms.
/// </summary>
public sealed class DtlsPeerChain : IReadOnlyList<byte[]>
{
    private readonly IReadOnlyList<byte[]> _der;
    private nint _leaf;

    internal DtlsPeerChain(IReadOnlyList<byte[]> der, nint leaf)
    {
        _der = der;
        _leaf = leaf;
    }

    public int Count => _der.Count;

    public byte[] this[int index] => _der[index];

    /// <summary>
    /// The leaf as an <see cref="X509Certificate2"/> the caller disposes: OpenSSL's decoded object during the check,
    /// decoded from the DER afterwards (the handshake's object may be gone by then).
    /// </summary>
    public X509Certificate2 CreateLeafCertificate()
    {
        if (_der.Count == 0)
        {
            throw new InvalidOperationException("the peer presented no certificate");
        }

        // X509Certificate2(IntPtr) takes its own reference to the X509 (X509_up_ref on Unix).
        return _leaf != 0 ? new X509Certificate2(_leaf) : X509CertificateLoader.LoadCertificate(_der[0]);
    }

    public IEnumerator<byte[]> GetEnumerator() => _der.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Called when the check returns: OpenSSL's object is no longer ours to reference.</summary>
    internal void Detach() => _leaf = 0;
}
