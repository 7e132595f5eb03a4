using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Authorities;
using AmiPki.Core.Issuance;
using AmiPki.Core.Operations;
using AmiPki.Core.Profiles;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Scep;

/// <summary>
/// Keeps the RA (RFC 8894 §2.1) usable: an RSA key generated here and a certificate issued through the ordinary pipeline
/// (linted, recorded, audited) under <see cref="ScepOptions.RaProfile"/> over protocol internal. Both live in
/// <c>DATA/scep/</c> (files 0600) and are replaced when the certificate is within <see cref="ScepOptions.RaRenewBeforeDays"/>
/// of expiry or its issuer changed. Without a data directory the RA lives in memory only.
/// </summary>
public sealed class ScepRaProvider : IDisposable, IOperationalCertificate, IOperationalCertificateSource
{
    private const string KeyFile = "ra-key.pem";
    private const string CertificateFile = "ra-cert.pem";

    private readonly IssuanceService _issuance;
    private readonly CaHierarchy _authorities;
    private readonly ScepOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile ScepRa? _current;

    public ScepRaProvider(IssuanceService issuance, CaHierarchy authorities, ScepOptions options, TimeProvider time, ILogger<ScepRaProvider> logger)
    {
        _issuance = issuance;
        _authorities = authorities;
        _options = options;
        _time = time;
        _logger = logger;
    }

    private string? Directory => _options.DataDirectory is { } data ? Path.Combine(data, "scep") : null;

    public async ValueTask<ScepRa> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current && Fresh(current))
        {
            return current;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } again && Fresh(again))
            {
                return again;
            }
            var loaded = TryLoad();
            if (loaded is not null && Fresh(loaded))
            {
                _current = loaded;
                return loaded;
            }
            _current = await CreateAsync(cancellationToken);
            return _current;
        }
        finally
        {
            _gate.Release();
        }
    }

    public string Name => "scep-ra";

    /// <summary>The RA certificate's notAfter; null before the first SCEP request loaded or issued it.</summary>
    public DateTimeOffset? NotAfter => _current?.NotAfter;

    public IReadOnlyList<IOperationalCertificate> OperationalCertificates => [this];

    /// <summary>Replaces the RA certificate once it is within <see cref="ScepOptions.RaRenewBeforeDays"/> of expiry (run by the scheduler).</summary>
    public async Task<bool> RenewIfDueAsync(CancellationToken cancellationToken)
    {
        if (_current is not { } current || Fresh(current))
        {
            return false; // Not used yet (the first request loads or issues it), or not due.
        }
        var renewed = await GetAsync(cancellationToken);
        return !ReferenceEquals(renewed, current);
    }

    private bool Fresh(ScepRa ra) => ra.NotAfter > _time.GetUtcNow().AddDays(_options.RaRenewBeforeDays)
        && ra.Certificate.NotBefore.ToUniversalTime() <= _time.GetUtcNow().AddMinutes(10);

    private ScepRa? TryLoad()
    {
        if (Directory is not { } directory || !File.Exists(Path.Combine(directory, KeyFile)) || !File.Exists(Path.Combine(directory, CertificateFile)))
        {
            return null;
        }
        try
        {
            var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(directory, CertificateFile)));
            var key = RSA.Create();
            key.ImportFromPem(File.ReadAllText(Path.Combine(directory, KeyFile)));
            var issuer = _authorities.All.FirstOrDefault(a => a.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData));
            using var publicKey = certificate.GetRSAPublicKey();
            if (issuer is null || publicKey is null || !publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo())
                || !issuer.Name.Equals(IssuerName(), StringComparison.Ordinal))
            {
                key.Dispose();
                return null;
            }
            ScepLog.RaLoaded(_logger, certificate.Subject, certificate.SerialNumber, certificate.NotAfter.ToUniversalTime());
            return new ScepRa(certificate, key, issuer, _authorities.ChainOf(issuer.Name));
        }
        catch (Exception e) when (e is CryptographicException or IOException or FormatException or ArgumentException)
        {
            ScepLog.RaUnreadable(_logger, directory, e.Message);
            return null;
        }
    }

    private string IssuerName() =>
        _issuance.Profiles.Find(_options.RaProfile)?.Issuers[0]
        ?? _issuance.Profiles.Find(_options.DefaultProfile)?.Issuers[0]
        ?? _authorities.Names.First();

    private async Task<ScepRa> CreateAsync(CancellationToken cancellationToken)
    {
        var profile = _issuance.Profiles.Find(_options.RaProfile);
        if (profile is null || !profile.Protocols.Contains(EnrollmentProtocol.Internal, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"SCEP needs the RA profile '{_options.RaProfile}' allowing protocol internal (RFC 8894 §2.1: RSA RA)");
        }
        var issuerName = profile.Issuers[0];
        var issuer = _authorities.Find(issuerName) ?? throw new InvalidOperationException($"no CA named '{issuerName}' for the SCEP RA");
        var key = RSA.Create(_options.RaKeySize);
        try
        {
            var subject = new X500DistinguishedNameBuilder();
            subject.AddOrganizationName("AmiPki");
            subject.AddCommonName($"AmiPki SCEP RA {issuer.Name}");
            var csr = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest();
            var request = new EnrollmentRequest(csr, profile.Name, Requester.Internal("amipki:scep-ra"),
                EnrollmentProtocol.Internal)
            {
                IssuerName = issuer.Name,
            };
            var issued = await _issuance.IssueAsync(request, cancellationToken);
            var certificate = issued.ToX509();
            Save(certificate, key);
            ScepLog.RaIssued(_logger, certificate.Subject, issued.SerialHex, issued.NotAfter);
            return new ScepRa(certificate, key, issuer, _authorities.ChainOf(issuer.Name));
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private void Save(X509Certificate2 certificate, RSA key)
    {
        if (Directory is not { } directory)
        {
            return;
        }
        System.IO.Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        // Key first, certificate last: a crash in between leaves a key without a matching certificate, which is replaced.
        WritePrivate(Path.Combine(directory, KeyFile), key.ExportPkcs8PrivateKeyPem());
        WritePrivate(Path.Combine(directory, CertificateFile), certificate.ExportCertificatePem() + "\n");
    }

    private static void WritePrivate(string path, string text)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose()
    {
        _current?.Key.Dispose();
        _gate.Dispose();
    }
}
