using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using AmiPki.Coap.Dtls;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;

namespace AmiPki.Protocols.EstCoaps;

/// <summary>
/// The DTLS listener's own certificate: issued by our CA under profile <c>amipki-tls-server</c> at first start (P-256,
/// as RFC 7925 §4.4.2 wants for ECDHE-ECDSA), kept in DATA/tls/coaps.{pem,key} (0600) and reused while valid and
/// outside the profile's renewal window. It has files of its own so it never races the HTTPS listener's renewal.
/// </summary>
internal sealed class EstCoapsServerCertificate
{
    public const string ProfileName = "amipki-tls-server";
    private const string CertificateFile = "coaps.pem";
    private const string KeyFile = "coaps.key";

    private readonly IssuanceService _issuance;
    private readonly string _directory;
    private readonly IPAddress _listenAddress;
    private readonly TimeProvider _time;

    public EstCoapsServerCertificate(IssuanceService issuance, string directory, IPAddress listenAddress, TimeProvider time)
    {
        _issuance = issuance;
        _directory = directory;
        _listenAddress = listenAddress;
        _time = time;
    }

    public string CertificatePath => Path.Combine(_directory, CertificateFile);

    public string KeyPath => Path.Combine(_directory, KeyFile);

    /// <summary>Loads the stored credentials or issues new ones; <paramref name="issued"/> tells which (for the log).</summary>
    public async Task<(DtlsCredentials Credentials, string Serial, DateTimeOffset NotAfter)> EnsureAsync(Action<string, DateTimeOffset>? issued,
        CancellationToken cancellationToken)
    {
        if (TryLoad() is { } loaded)
        {
            return loaded;
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=AmiPki EST-coaps server"), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IsWildcard(_listenAddress) ? IPAddress.Loopback : _listenAddress);
        request.CertificateExtensions.Add(names.Build());
        var certificate = await _issuance.IssueAsync(new EnrollmentRequest(request.CreateSigningRequest(), ProfileName,
            Requester.Internal("amipki:coaps-server"), EnrollmentProtocol.Internal), cancellationToken).ConfigureAwait(false);

        // Leaf and the intermediates, not the root: the client holds the root, and a DTLS flight is better small (RFC 7925 §4.4.3).
        var chain = _issuance.Authorities.ChainOf(certificate.Issuer.Name).Where(ca => ca.Record.Parent is not null);
        var certificatePem = PemEncoding.WriteString("CERTIFICATE", certificate.Der) + "\n"
            + string.Concat(chain.Select(ca => PemEncoding.WriteString("CERTIFICATE", ca.Certificate.RawData) + "\n"));
        var keyPem = PemEncoding.WriteString("PRIVATE KEY", key.ExportPkcs8PrivateKey()) + "\n";
        WriteAtomically(KeyPath, keyPem);
        WriteAtomically(CertificatePath, certificatePem);
        issued?.Invoke(certificate.SerialHex, certificate.NotAfter);
        return (DtlsCredentials.FromPem(certificatePem, keyPem), certificate.SerialHex, certificate.NotAfter);
    }

    private (DtlsCredentials, string, DateTimeOffset)? TryLoad()
    {
        if (!File.Exists(CertificatePath) || !File.Exists(KeyPath))
        {
            return null;
        }

        try
        {
            using var leaf = X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath);
            var profile = _issuance.Profiles.Find(ProfileName);
            var window = TimeSpan.FromDays(profile?.RenewalWindowDays ?? 30);
            var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());
            var issuer = _issuance.Authorities.Find(profile?.Issuers[0] ?? "");
            if (_time.GetUtcNow() >= notAfter - window
                || issuer is null || !issuer.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData))
            {
                return null;
            }

            return (DtlsCredentials.FromPem(File.ReadAllText(CertificatePath), File.ReadAllText(KeyPath)), leaf.SerialNumber, notAfter);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // A damaged file or a key that does not match (a crash between the two renames): issue anew.
            return null;
        }
    }

    private static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private void WriteAtomically(string path, string content)
    {
        Directory.CreateDirectory(_directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
