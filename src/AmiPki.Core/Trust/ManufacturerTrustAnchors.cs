using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AmiPki.Core.Trust;

/// <summary>
/// The registered manufacturer trust anchors (IDevID CAs, IEEE 802.1AR): PEM files in one directory, one file per
/// manufacturer (the file name without extension names the manufacturer). Dropping a file in or removing one takes effect
/// on the next validation (the directory's write time is checked), so adding a manufacturer needs no restart.
/// </summary>
public sealed class ManufacturerTrustAnchors
{
    /// <summary>Bounds the chain a client may present: IDevID chains are short (anchor, maybe one intermediate, leaf).</summary>
    private const int MaxExtraCertificates = 4;

    private readonly string? _directory;
    private readonly Lock _lock = new();
    private Snapshot _snapshot = new(DateTime.MinValue, [], new X509Certificate2Collection());

    /// <param name="directory">Where the anchors live (e.g. DATA/trust/manufacturers); null or missing: no anchor.</param>
    public ManufacturerTrustAnchors(string? directory)
    {
        _directory = directory;
    }

    /// <summary>Anchors given directly (tests, or anchors kept elsewhere).</summary>
    public ManufacturerTrustAnchors(IEnumerable<(string Manufacturer, X509Certificate2 Anchor)> anchors)
    {
        var list = anchors.Select(a => new Anchor(a.Manufacturer, a.Anchor)).ToList();
        _snapshot = new Snapshot(DateTime.MaxValue, list, new X509Certificate2Collection(list.Select(a => a.Certificate).ToArray()));
    }

    public string? Directory => _directory;

    /// <summary>The manufacturers currently registered, by name.</summary>
    public IReadOnlyList<string> Manufacturers => Current().Anchors.Select(a => a.Manufacturer).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Validates a client's factory certificate: it must chain to a registered anchor at <paramref name="at"/>, and the
    /// leaf must not itself be a CA. Revocation is not checked: manufacturers of meters publish no CRLs for IDevIDs, and
    /// the device registry is the revocation list that matters (a device removed from it can no longer enroll).
    /// </summary>
    public TrustResult Validate(X509Certificate2 leaf, IReadOnlyCollection<X509Certificate2>? presentedChain, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        var snapshot = Current();
        if (snapshot.Anchors.Count == 0)
        {
            return TrustResult.Refused("no manufacturer trust anchor is registered");
        }
        if (leaf.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true })
        {
            return TrustResult.Refused("the client certificate is a CA certificate, not a device certificate");
        }
        using var chain = new X509Chain();
        chain.ChainPolicy = PolicyFor(snapshot, at);
        if (presentedChain is not null)
        {
            foreach (var extra in presentedChain.Where(c => !c.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span)).Take(MaxExtraCertificates))
            {
                chain.ChainPolicy.ExtraStore.Add(extra);
            }
        }
        bool built;
        try
        {
            built = chain.Build(leaf);
        }
        catch (CryptographicException e)
        {
            return TrustResult.Refused($"the client certificate chain cannot be built: {e.Message}");
        }
        var elements = chain.ChainElements;
        try
        {
            return Judge(built, chain, snapshot);
        }
        finally
        {
            // The chain's elements are certificate objects of their own (not the caller's): freed now, not by the
            // finalizer thread, which a fleet of meters enrolling keeps busy otherwise.
            foreach (var element in elements)
            {
                element.Certificate.Dispose();
            }
        }
    }

    /// <summary>
    /// The chain policy a TLS handshake builds the client's path with: the anchors registered now as the only roots, no
    /// revocation check, no downloads, verification at <paramref name="at"/>. The TLS layer then hands the chain it built
    /// to <see cref="Evaluate"/>, so a handshake builds the client's path once, not once for TLS and again here.
    /// </summary>
    public X509ChainPolicy CreateChainPolicy(DateTimeOffset at) => PolicyFor(Current(), at);

    /// <summary>
    /// Judges a chain already built under a policy from <see cref="CreateChainPolicy"/> (by the TLS handshake), with the
    /// same rules as <see cref="Validate"/>: the leaf is no CA, the path verified, and it ends at an anchor still registered.
    /// </summary>
    public TrustResult Evaluate(X509Certificate2 leaf, X509Chain builtChain)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(builtChain);
        var snapshot = Current();
        if (snapshot.Anchors.Count == 0)
        {
            return TrustResult.Refused("no manufacturer trust anchor is registered");
        }
        if (leaf.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true })
        {
            return TrustResult.Refused("the client certificate is a CA certificate, not a device certificate");
        }
        if (builtChain.ChainElements.Count == 0 || !builtChain.ChainElements[0].Certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
        {
            return TrustResult.Refused("the client certificate chain was not built for this certificate");
        }
        // X509Chain.Build returns true exactly when no element and no chain status carries a flag.
        var built = builtChain.ChainStatus.All(s => s.Status == X509ChainStatusFlags.NoError)
                    && builtChain.ChainElements.All(e => e.ChainElementStatus.All(s => s.Status == X509ChainStatusFlags.NoError));
        return Judge(built, builtChain, snapshot);
    }

    private static X509ChainPolicy PolicyFor(Snapshot snapshot, DateTimeOffset at)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
            VerificationTime = at.UtcDateTime,
            VerificationTimeIgnored = false,
        };
        policy.CustomTrustStore.AddRange(snapshot.Certificates);
        return policy;
    }

    private static TrustResult Judge(bool built, X509Chain chain, Snapshot snapshot)
    {
        if (!built)
        {
            var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return TrustResult.Refused($"the client certificate does not chain to a registered manufacturer anchor ({status})");
        }
        var root = chain.ChainElements[^1].Certificate;
        var anchor = snapshot.Anchors.FirstOrDefault(a => a.Certificate.RawDataMemory.Span.SequenceEqual(root.RawDataMemory.Span));
        return anchor is null
            ? TrustResult.Refused("the client certificate chains to no registered manufacturer anchor")
            : TrustResult.Trusted(anchor.Manufacturer);
    }

    private Snapshot Current()
    {
        if (_directory is null)
        {
            return _snapshot;
        }
        var stamp = System.IO.Directory.Exists(_directory) ? System.IO.Directory.GetLastWriteTimeUtc(_directory) : DateTime.MinValue;
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot.Stamp == stamp && stamp != DateTime.MinValue)
        {
            return snapshot;
        }
        lock (_lock)
        {
            if (_snapshot.Stamp != stamp || stamp == DateTime.MinValue)
            {
                Volatile.Write(ref _snapshot, Load(_directory, stamp));
            }
            return _snapshot;
        }
    }

    private static Snapshot Load(string directory, DateTime stamp)
    {
        var anchors = new List<Anchor>();
        if (System.IO.Directory.Exists(directory))
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(directory).Where(f => f.EndsWith(".pem", StringComparison.OrdinalIgnoreCase)
                         || f.EndsWith(".crt", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
            {
                var manufacturer = Path.GetFileNameWithoutExtension(file);
                var certificates = new X509Certificate2Collection();
                try
                {
                    certificates.ImportFromPemFile(file);
                }
                catch (CryptographicException)
                {
                    // A broken file must not stop every other manufacturer's devices from enrolling; it simply trusts nothing.
                    continue;
                }
                catch (IOException)
                {
                    continue;
                }
                // Only CA certificates are anchors (RFC 5280 §6.1: the trust anchor issues the path).
                anchors.AddRange(certificates.Where(c => c.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true })
                    .Select(c => new Anchor(manufacturer, c)));
            }
        }
        return new Snapshot(stamp, anchors, new X509Certificate2Collection(anchors.Select(a => a.Certificate).ToArray()));
    }

    private sealed record Anchor(string Manufacturer, X509Certificate2 Certificate);

    private sealed record Snapshot(DateTime Stamp, IReadOnlyList<Anchor> Anchors, X509Certificate2Collection Certificates);
}
