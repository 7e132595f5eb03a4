using System.Net.Security;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using AmiPki.Core.Issuance;
using AmiPki.Core.Operations;
using AmiPki.Core.Profiles;
using Microsoft.Extensions.Logging;

namespace AmiPki.Server.Tls;

/// <summary>
/// AmiPki's own HTTPS server certificate: issued by its own CA under profile <c>amipki-tls-server</c> at first start
/// (key generated here, never leaving DATA/tls/, files 0600), reused while valid, and renewed once it enters the
/// profile's renewal window — at start or by the hourly check while running, without dropping connections (new
/// handshakes pick up the new certificate).
/// </summary>
public sealed class ServerTlsCertificate : IDisposable, IOperationalCertificate
{
    public const string ProfileName = "amipki-tls-server";
    private const string KeyFile = "server.key";
    private const string CertificateFile = "server.pem";
    private static readonly TimeSpan CheckPeriod = TimeSpan.FromHours(1);

    private readonly IssuanceService _issuance;
    private readonly string _directory;
    private readonly IReadOnlyList<string> _dnsNames;
    private readonly IReadOnlyList<IPAddress> _addresses;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ITimer? _timer;
    private int _renewing;
    private volatile State? _state;

    public ServerTlsCertificate(IssuanceService issuance, string directory, IReadOnlyList<string> dnsNames, IReadOnlyList<IPAddress> addresses,
        TimeProvider time, ILogger logger)
    {
        _issuance = issuance;
        _directory = directory;
        _dnsNames = dnsNames;
        _addresses = addresses;
        _time = time;
        _logger = logger;
    }

    /// <summary>The certificate handed to new TLS handshakes (leaf plus the issuing chain, prebuilt once).</summary>
    public SslStreamCertificateContext Context => (_state ?? throw new InvalidOperationException("the TLS certificate is not loaded")).Context;

    public X509Certificate2 Certificate => (_state ?? throw new InvalidOperationException("the TLS certificate is not loaded")).Leaf;

    public string Name => "tls-server";

    public DateTimeOffset? NotAfter => _state is { } state ? new DateTimeOffset(state.Leaf.NotAfter.ToUniversalTime()) : null;

    /// <summary>Renews if the certificate entered its profile's renewal window (the scheduler's operational-certificates job).</summary>
    public Task<bool> RenewIfDueAsync(CancellationToken cancellationToken) => CheckAsync();

    public string CertificatePath => Path.Combine(_directory, CertificateFile);

    public string KeyPath => Path.Combine(_directory, KeyFile);

    /// <summary>Loads the stored certificate, or issues a new one if there is none, it does not match, or renewal is due.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (TryLoad() is { } loaded && !IsDue(loaded.Leaf, out _))
        {
            _state = loaded;
            ServerTlsLog.Loaded(_logger, loaded.Leaf.SerialNumber, loaded.Leaf.NotAfter.ToUniversalTime());
            return;
        }
        await RenewAsync(cancellationToken);
    }

    /// <summary>Checks every hour whether renewal is due (a 90-day certificate with a 30-day window renews with weeks to spare).</summary>
    public void StartRenewalChecks()
    {
        _timer ??= _time.CreateTimer(_ => _ = CheckAsync(), null, CheckPeriod, CheckPeriod);
    }

    /// <summary>Renews now if due; false if nothing had to be done. Failures are logged and retried at the next check.</summary>
    public async Task<bool> CheckAsync()
    {
        if (_state is not { } state || !IsDue(state.Leaf, out _) || Interlocked.Exchange(ref _renewing, 1) == 1)
        {
            return false;
        }
        try
        {
            await RenewAsync(CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is IssuanceRefusal or IOException or UnauthorizedAccessException or CryptographicException or InvalidOperationException)
        {
            ServerTlsLog.RenewalFailed(_logger, e);
            return false;
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    public void Dispose() => _timer?.Dispose();

    private bool IsDue(X509Certificate2 leaf, out string why)
    {
        var profile = _issuance.Profiles.Find(ProfileName);
        var window = TimeSpan.FromDays(profile?.RenewalWindowDays ?? 30);
        var now = _time.GetUtcNow();
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());
        var issuer = _issuance.Authorities.Find(profile?.Issuers[0] ?? "");
        why = now >= notAfter - window ? $"it expires {notAfter:u}"
            : issuer is null || !issuer.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData) ? "it was not issued by the current issuing CA"
            : !CoversNames(leaf) ? "its names differ from the listener's"
            : "";
        return why.Length > 0;
    }

    private bool CoversNames(X509Certificate2 leaf)
    {
        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null)
        {
            return false;
        }
        var dns = san.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ips = san.EnumerateIPAddresses().ToHashSet();
        return _dnsNames.All(dns.Contains) && _addresses.All(ips.Contains);
    }

    private State? TryLoad()
    {
        if (!File.Exists(CertificatePath) || !File.Exists(KeyPath))
        {
            return null;
        }
        try
        {
            return BuildState(X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath));
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // A key and certificate that do not match (a crash between the two renames) or a damaged file: issue anew.
            ServerTlsLog.Unreadable(_logger, CertificatePath, e.Message);
            return null;
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=AmiPki TLS server"), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in _dnsNames)
        {
            names.AddDnsName(dns);
        }
        foreach (var address in _addresses)
        {
            names.AddIpAddress(address);
        }
        request.CertificateExtensions.Add(names.Build());
        var issued = await _issuance.IssueAsync(new EnrollmentRequest(request.CreateSigningRequest(), ProfileName,
            Requester.Internal("amipki:tls-server"), EnrollmentProtocol.Internal), cancellationToken);

        var chain = _issuance.Authorities.ChainOf(issued.Issuer.Name);
        var certificatePem = PemEncoding.WriteString("CERTIFICATE", issued.Der) + "\n"
            + string.Concat(chain.Select(ca => PemEncoding.WriteString("CERTIFICATE", ca.Certificate.RawData) + "\n"));
        var keyPem = PemEncoding.WriteString("PRIVATE KEY", key.ExportPkcs8PrivateKey()) + "\n";
        WriteAtomically(KeyPath, keyPem);
        WriteAtomically(CertificatePath, certificatePem);
        _state = BuildState(X509Certificate2.CreateFromPem(certificatePem, keyPem));
        ServerTlsLog.Issued(_logger, issued.SerialHex, issued.NotAfter);
    }

    private State BuildState(X509Certificate2 leaf)
    {
        // The chain goes out in the handshake so clients need only the root (RFC 8446 §4.4.2); built once, offline.
        var intermediates = new X509Certificate2Collection();
        var issuer = _issuance.Authorities.All.FirstOrDefault(a => a.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData));
        if (issuer is not null)
        {
            foreach (var ca in _issuance.Authorities.ChainOf(issuer.Name).Where(ca => ca.Record.Parent is not null))
            {
                intermediates.Add(ca.Certificate);
            }
        }
        return new State(leaf, SslStreamCertificateContext.Create(leaf, intermediates, offline: true));
    }

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

    private sealed record State(X509Certificate2 Leaf, SslStreamCertificateContext Context);
}
