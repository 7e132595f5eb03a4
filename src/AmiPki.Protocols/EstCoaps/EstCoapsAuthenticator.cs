using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Coap.Dtls;
using AmiPki.Core.Authorities;
using AmiPki.Core.Devices;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Core.Storage;
using AmiPki.Core.Trust;
using AmiPki.Protocols.Est;

namespace AmiPki.Protocols.EstCoaps;

/// <summary>
/// EST-coaps client authentication: the DTLS client certificate (RFC 9148 §3: certificate mode, no HTTP Basic), judged
/// by the same rules as EST over HTTPS (RFC 7030 §3.3.2) — a factory IDevID chaining to a registered manufacturer anchor
/// and, for meter profiles, present in the device registry; or, for /sren, a current unrevoked AmiPki certificate.
/// Two stages: <see cref="AdmitHandshake"/> runs inside the DTLS handshake (synchronous, no storage) and only admits
/// chains that could be entitled to something; each request then checks registry, records and revocation.
/// </summary>
internal sealed class EstCoapsAuthenticator
{
    /// <summary>A positive chain validation is remembered this long, so a request right after its handshake does not repeat it.</summary>
    private static readonly TimeSpan TrustCacheLifetime = TimeSpan.FromSeconds(60);

    /// <summary>Bound on remembered validations; a flood of distinct certificates only empties the cache.</summary>
    private const int MaxCachedTrust = 100_000;

    private readonly EstOptions _estOptions;
    private readonly ManufacturerTrustAnchors _anchors;
    private readonly IDeviceRegistry _devices;
    private readonly ICertificateReader _certificates;
    private readonly CaHierarchy _authorities;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, CachedTrustEntry> _trusted = new(StringComparer.Ordinal);

    public EstCoapsAuthenticator(EstOptions estOptions, ManufacturerTrustAnchors anchors, IDeviceRegistry devices, ICertificateReader certificates,
        CaHierarchy authorities, TimeProvider time)
    {
        _estOptions = estOptions;
        _anchors = anchors;
        _devices = devices;
        _certificates = certificates;
        _authorities = authorities;
        _time = time;
    }

    /// <summary>
    /// The DTLS handshake's certificate check (DER chain, leaf first): admits a chain to a registered manufacturer
    /// anchor, or a certificate that one of our CAs signed. An unknown IDevID never gets a session (RFC 9148 §3).
    /// </summary>
    public bool AdmitHandshake(IReadOnlyList<byte[]> chain)
    {
        if (chain.Count == 0)
        {
            return false;
        }

        try
        {
            string fingerprint = Fingerprint(chain[0]);
            if (IsCachedTrusted(ManufacturerKey(fingerprint), out _) || IsCachedTrusted(OursKey(fingerprint), out _))
            {
                return true;
            }

            // Inside the handshake the DTLS layer lends OpenSSL's decoded leaf: no second decode of the same DER.
            using var leaf = chain is DtlsPeerChain peerChain ? peerChain.CreateLeafCertificate() : X509CertificateLoader.LoadCertificate(chain[0]);
            if (IssuerOf(leaf) is not null)
            {
                return IssuedByUs(leaf, fingerprint);
            }

            return Trust(leaf, chain, fingerprint).IsTrusted;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>/sen and /skg: a factory certificate allowed for <paramref name="profile"/>.</summary>
    public async Task<EstCoapsIdentity> AuthenticateEnrollAsync(IReadOnlyList<byte[]>? chain, CertificateProfile profile, CancellationToken cancellationToken)
    {
        if (chain is not { Count: > 0 })
        {
            throw EstCoapsProblem.Unauthorized("a DTLS client certificate is required (RFC 9148 §3)");
        }

        var policy = _estOptions.PolicyFor(profile.Name);
        if (!policy.AllowFactoryCertificate)
        {
            throw EstCoapsProblem.Forbidden($"profile {profile.Name} does not accept factory certificates");
        }

        string fingerprint = Fingerprint(chain[0]);
        TrustResult trust;
        string name;
        if (FindCachedTrust(ManufacturerKey(fingerprint)) is { LeafName: { } cachedName } cached)
        {
            // The handshake validated these very bytes moments ago (same SHA-256): no second decode and chain build.
            trust = cached.Result;
            name = cachedName;
        }
        else
        {
            using var leaf = Leaf(chain);
            trust = Trust(leaf, chain, fingerprint);
            if (!trust.IsTrusted)
            {
                throw EstCoapsProblem.Forbidden(IssuerOf(leaf) is not null
                    ? "an AmiPki certificate renews at /sren; /sen needs a factory (IDevID) certificate"
                    : $"client certificate refused: {trust.Reason}");
            }

            name = leaf.GetNameInfo(X509NameType.SimpleName, false);
        }

        var requireRegistered = policy.RequireRegisteredDevice ?? profile.Subject == SubjectRule.DlmsSystemTitle;
        var device = await _devices.FindByIDevIdAsync(fingerprint, cancellationToken).ConfigureAwait(false);
        if (device is null && requireRegistered)
        {
            throw EstCoapsProblem.Forbidden($"the device with IDevID SHA-256 {fingerprint} is not in the device registry");
        }

        var requester = new Requester($"idevid:{trust.Manufacturer}:{(name.Length > 0 ? name : fingerprint[..16])}", RequesterKind.FactoryCertificate);
        if (device is null)
        {
            return new EstCoapsIdentity(requester, new DeviceContext(null, null, null, fingerprint));
        }

        return new EstCoapsIdentity(requester, new DeviceContext(device.SystemTitle, device.Dcu, device.ManufacturerLot, fingerprint),
            RequiredSystemTitle: profile.Subject == SubjectRule.DlmsSystemTitle ? device.SystemTitle : null);
    }

    /// <summary>
    /// /sren: the DTLS client certificate must be one AmiPki issued and recorded, unexpired and unrevoked (RFC 9148 §4.2
    /// by way of RFC 7030 §4.2.2). The handshake proved possession of its key; comparing it byte for byte with our
    /// record proves it is ours.
    /// </summary>
    public async Task<EstCoapsIdentity> AuthenticateRenewalAsync(IReadOnlyList<byte[]>? chain, CancellationToken cancellationToken)
    {
        using var leaf = Leaf(chain);
        var issuer = IssuerOf(leaf) ?? throw EstCoapsProblem.Forbidden("the client certificate was not issued by this CA; /sren renews AmiPki certificates");
        var serial = leaf.SerialNumber;
        var record = await _certificates.FindAsync(issuer.Name, serial, cancellationToken).ConfigureAwait(false);
        if (record is not { State: CertificateState.Issued, Der: { } der } || !der.AsSpan().SequenceEqual(chain![0]))
        {
            throw EstCoapsProblem.Forbidden($"the client certificate (serial {serial}) is not one this CA issued");
        }

        if (record.Revocation is not null)
        {
            throw EstCoapsProblem.Forbidden($"the client certificate (serial {serial}) is revoked");
        }

        var now = _time.GetUtcNow();
        if (now < record.NotBefore || now >= record.NotAfter)
        {
            throw EstCoapsProblem.Forbidden($"the client certificate (serial {serial}) is not valid now (valid {record.NotBefore:u} to {record.NotAfter:u})");
        }

        var device = record.SystemTitle is null && record.Dcu is null && record.ManufacturerLot is null && record.DeviceId is null
            ? null
            : new DeviceContext(record.SystemTitle, record.Dcu, record.ManufacturerLot, record.DeviceId);
        return new EstCoapsIdentity(new Requester($"cert:{issuer.Name}:{serial}", RequesterKind.CurrentCertificate, [record.Profile]), device,
            X509CertificateLoader.LoadCertificate(der), record.Profile);
    }

    private static X509Certificate2 Leaf(IReadOnlyList<byte[]>? chain)
    {
        if (chain is not { Count: > 0 })
        {
            throw EstCoapsProblem.Unauthorized("a DTLS client certificate is required (RFC 9148 §3)");
        }

        try
        {
            return X509CertificateLoader.LoadCertificate(chain[0]);
        }
        catch (CryptographicException)
        {
            throw EstCoapsProblem.Unauthorized("the DTLS client certificate cannot be decoded");
        }
    }

    private CertificateAuthority? IssuerOf(X509Certificate2 leaf) =>
        _authorities.All.FirstOrDefault(a => a.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData));

    /// <summary>Factory trust: the shared manufacturer anchors' validation, remembered briefly when positive.</summary>
    private TrustResult Trust(X509Certificate2 leaf, IReadOnlyList<byte[]>? chain, string fingerprint)
    {
        if (IsCachedTrusted(ManufacturerKey(fingerprint), out var cached))
        {
            return cached;
        }

        var presented = new List<X509Certificate2>();
        try
        {
            foreach (byte[] der in (chain ?? []).Skip(1).Take(4))
            {
                presented.Add(X509CertificateLoader.LoadCertificate(der));
            }

            var result = _anchors.Validate(leaf, presented, _time.GetUtcNow());
            if (result.IsTrusted)
            {
                Remember(ManufacturerKey(fingerprint), result, leaf.GetNameInfo(X509NameType.SimpleName, false));
            }

            return result;
        }
        finally
        {
            foreach (var certificate in presented)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>A certificate naming one of our CAs as issuer must chain to our root with a valid signature, at this time.</summary>
    private bool IssuedByUs(X509Certificate2 leaf, string fingerprint)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        foreach (var authority in _authorities.All)
        {
            (authority.Record.Parent is null ? chain.ChainPolicy.CustomTrustStore : chain.ChainPolicy.ExtraStore).Add(authority.Certificate);
        }

        if (!chain.Build(leaf))
        {
            return false;
        }

        Remember(OursKey(fingerprint), TrustResult.Trusted("amipki"));
        return true;
    }

    private bool IsCachedTrusted(string key, out TrustResult result)
    {
        if (FindCachedTrust(key) is { } entry)
        {
            result = entry.Result;
            return true;
        }

        result = TrustResult.Refused("not cached");
        return false;
    }

    private CachedTrustEntry? FindCachedTrust(string key) =>
        _trusted.TryGetValue(key, out var entry) && _time.GetUtcNow() < entry.Expires ? entry : null;

    private void Remember(string key, TrustResult result, string? leafName = null)
    {
        if (_trusted.Count >= MaxCachedTrust)
        {
            _trusted.Clear();
        }

        _trusted[key] = new CachedTrustEntry(result, _time.GetUtcNow() + TrustCacheLifetime, leafName);
    }

    private static string Fingerprint(byte[] der) => Convert.ToHexString(SHA256.HashData(der));

    // The two kinds of trust are remembered apart: an AmiPki certificate must never pass for a factory one.
    private static string ManufacturerKey(string fingerprint) => "idevid:" + fingerprint;

    private static string OursKey(string fingerprint) => "amipki:" + fingerprint;

    /// <summary>A positive validation; <paramref name="LeafName"/> is the leaf's simple name, kept so a request need not decode it again.</summary>
    private sealed record CachedTrustEntry(TrustResult Result, DateTimeOffset Expires, string? LeafName);
}
