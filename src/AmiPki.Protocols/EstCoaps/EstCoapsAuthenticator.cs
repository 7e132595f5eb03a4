using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using AmiPki.Coap.Dtls;
using AmiPki.Core.Authorities;
using AmiPki.Core.Authorization;
using AmiPki.Core.Devices;
using AmiPki.Core.Issuance;
using AmiPki.Core.Trust;

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

    private readonly ManufacturerTrustAnchors _anchors;
    private readonly IDeviceRegistry _devices;
    private readonly CurrentCertificateVerifier _current;
    private readonly CaHierarchy _authorities;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, CachedTrustEntry> _trusted = new(StringComparer.Ordinal);

    public EstCoapsAuthenticator(ManufacturerTrustAnchors anchors, IDeviceRegistry devices, CurrentCertificateVerifier current,
        CaHierarchy authorities, TimeProvider time)
    {
        _anchors = anchors;
        _devices = devices;
        _current = current;
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

    /// <summary>/sen and /skg: the factory certificate with the registry's record of it; whether it may obtain the profile is the core's decision.</summary>
    public async Task<EstCoapsIdentity> AuthenticateEnrollAsync(IReadOnlyList<byte[]>? chain, CancellationToken cancellationToken)
    {
        if (chain is not { Count: > 0 })
        {
            throw EstCoapsProblem.Unauthorized("a DTLS client certificate is required (RFC 9148 §3)");
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

        var device = await _devices.FindByIDevIdAsync(fingerprint, cancellationToken).ConfigureAwait(false);
        return new EstCoapsIdentity(Requester.ForFactoryCertificate(new FactoryIdentity(trust.Manufacturer!, fingerprint, name, device)));
    }

    /// <summary>/sren: the DTLS client certificate must be a current AmiPki certificate (RFC 9148 §4.2 by way of RFC 7030 §4.2.2).</summary>
    public async Task<EstCoapsIdentity> AuthenticateRenewalAsync(IReadOnlyList<byte[]>? chain, CancellationToken cancellationToken)
    {
        if (chain is not { Count: > 0 })
        {
            throw EstCoapsProblem.Unauthorized("a DTLS client certificate is required (RFC 9148 §3)");
        }

        try
        {
            var current = await _current.VerifyAsync(chain[0], cancellationToken).ConfigureAwait(false);
            return new EstCoapsIdentity(Requester.ForCurrentCertificate(current), current.Record.Profile);
        }
        catch (CurrentCertificateRefusal refusal) when (refusal.Problem == CurrentCertificateProblem.Malformed)
        {
            throw EstCoapsProblem.Unauthorized("the DTLS client certificate cannot be decoded");
        }
        catch (CurrentCertificateRefusal refusal)
        {
            throw EstCoapsProblem.Forbidden($"client certificate refused for re-enrollment: {refusal.Reason}; /sren renews AmiPki certificates");
        }
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
