using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AmiPki.Bench.Fleet;

/// <summary>
/// A throwaway meter manufacturer: an IDevID CA (IEEE 802.1AR) and, per meter, a factory certificate with the DLMS
/// system title as CN and a serialNumber, plus the operational key's CSR the meter will send. Nothing is kept.
/// </summary>
public sealed class FleetManufacturer : IDisposable
{
    /// <summary>FLAG id "FLT" (0x464C54) in the first three bytes of every system title (IEC 62056-5-3 / DLMS).</summary>
    private const long SystemTitleBase = 0x464C54_0000000000;

    private readonly ECDsa _caKey;

    public FleetManufacturer(string name)
    {
        Name = name;
        _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"O={name}, CN={name} IDevID CA", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(20));
    }

    public string Name { get; }

    public X509Certificate2 Certificate { get; }

    public static string SystemTitle(int meter) => (SystemTitleBase + meter).ToString("X16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Makes the meters in parallel: IDevID certificate + key (DER), SHA-256 fingerprint, and the operational CSR.</summary>
    public IReadOnlyList<Meter> MakeMeters(int count)
    {
        var meters = new Meter[count];
        var now = DateTimeOffset.UtcNow;
        Parallel.For(0, count, index =>
        {
            var title = SystemTitle(index);
            using var factoryKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"O={Name}, SERIALNUMBER=FLT-{index:D8}, CN={title}", factoryKey, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            var serial = BitConverter.GetBytes((long)index + 1);
            Array.Reverse(serial);
            byte[] idevid;
            lock (_caKey)
            {
                using var issued = request.Create(Certificate, now.AddDays(-1), now.AddYears(15), serial);
                idevid = issued.RawData;
            }

            using var operationalKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var csr = new CertificateRequest($"CN={title}", operationalKey, HashAlgorithmName.SHA256).CreateSigningRequest();
            meters[index] = new Meter(title, idevid, factoryKey.ExportPkcs8PrivateKey(), Convert.ToHexString(SHA256.HashData(idevid)), csr);
        });
        return meters;
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _caKey.Dispose();
    }

    /// <summary>One simulated meter: its system title, factory certificate and key (DER / PKCS#8), and the CSR it will send.</summary>
    public sealed record Meter(string SystemTitle, byte[] IDevId, byte[] IDevIdKey, string IDevIdSha256, byte[] Csr);
}
