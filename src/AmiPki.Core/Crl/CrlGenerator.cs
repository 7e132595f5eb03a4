using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Storage;

namespace AmiPki.Core.Crl;

/// <summary>
/// Produces an issuer's complete and delta CRLs from storage: allocates the CRL number (durable, monotonic across
/// restarts and nodes, shared by complete and delta CRLs as RFC 5280 §5.2.3 requires), streams the entries into
/// <see cref="CrlEncoder"/>, signs with the CA key and audits the publication.
/// </summary>
public sealed class CrlGenerator
{
    private readonly IRevocationStore _store;
    private readonly TimeProvider _time;
    private readonly IAuditLog? _audit;

    public CrlGenerator(IRevocationStore store, TimeProvider time, IAuditLog? audit = null)
    {
        _store = store;
        _time = time;
        _audit = audit;
    }

    /// <summary>Where the delta CRL of a CA whose CDP is <paramref name="crlUrl"/> is published: <c>…/name-delta.crl</c>.</summary>
    public static string? DeltaUrlFor(string? crlUrl) =>
        crlUrl is not null && crlUrl.EndsWith(".crl", StringComparison.OrdinalIgnoreCase) ? crlUrl[..^4] + "-delta.crl" : null;

    /// <summary>
    /// The distribution point a CRL of <paramref name="issuer"/> names in its Issuing Distribution Point (RFC 5280 §5.2.5),
    /// or null for no IDP at all: the CRL then covers every certificate the CA issued. An issuing CA's CRL names its CDP
    /// URL, which every certificate it issues carries. A root's CRL has no IDP: it must also cover certificates without
    /// a CDP, above all the self-signed root itself, which OpenSSL (<c>-crl_check_all</c>, nginx <c>ssl_crl</c>, Apache
    /// <c>SSLCARevocationCheck chain</c>) checks against it too; an IDP distributionPoint matches no certificate without
    /// a CDP (§6.3.3 b.2.i; OpenSSL: "different CRL scope"). No onlyContainsCACerts either: the root also issues end
    /// entities (its delegated OCSP responder), and an empty IDP is forbidden (§5.2.5), so the complete and delta CRLs
    /// of a root leave the extension out (the same, full scope, §5.2.4).
    /// </summary>
    public static string? ScopeUrlFor(CertificateAuthority issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        return issuer.Record.Parent is null ? null : issuer.Record.CrlUrl;
    }

    /// <summary>A complete CRL: every certificate revoked now (released holds excluded).</summary>
    /// <param name="withFreshest">Name the delta CRL in a Freshest CRL extension (RFC 5280 §5.2.6).</param>
    public async Task<PublishedCrl> BuildFullAsync(CertificateAuthority issuer, TimeSpan validity, bool withFreshest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var number = await _store.NextCrlNumberAsync(issuer.Name, cancellationToken);
        var thisUpdate = TruncateToSeconds(_time.GetUtcNow());
        var parameters = new CrlParameters(number, thisUpdate, thisUpdate + validity, ScopeUrlFor(issuer),
            withFreshest ? DeltaUrlFor(issuer.Record.CrlUrl) : null);
        var encoding = await CrlEncoder.EncodeAsync(issuer, parameters, _store.ListRevokedAsync(issuer.Name, null, cancellationToken), cancellationToken);
        await AuditAsync(issuer.Name, $"complete CRL number={number} entries={encoding.EntryCount} thisUpdate={thisUpdate:O} nextUpdate={parameters.NextUpdate:O}");
        return new PublishedCrl(issuer.Name, number, null, thisUpdate, parameters.NextUpdate, encoding.Der, encoding.EntryCount);
    }

    /// <summary>
    /// A delta CRL on top of the complete CRL numbered <paramref name="baseNumber"/>: every revocation and hold release
    /// recorded since <paramref name="since"/> (released holds as removeFromCRL, RFC 5280 §5.3.1). Listing a change
    /// the base already holds is harmless, so callers pick <paramref name="since"/> a margin before the base was built.
    /// </summary>
    public async Task<PublishedCrl> BuildDeltaAsync(CertificateAuthority issuer, long baseNumber, DateTimeOffset since, TimeSpan validity,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var number = await _store.NextCrlNumberAsync(issuer.Name, cancellationToken);
        var thisUpdate = TruncateToSeconds(_time.GetUtcNow());
        var parameters = new CrlParameters(number, thisUpdate, thisUpdate + validity, ScopeUrlFor(issuer), null, baseNumber);
        var encoding = await CrlEncoder.EncodeAsync(issuer, parameters, _store.ListRevokedAsync(issuer.Name, since, cancellationToken), cancellationToken);
        await AuditAsync(issuer.Name, $"delta CRL number={number} base={baseNumber} entries={encoding.EntryCount} thisUpdate={thisUpdate:O}");
        return new PublishedCrl(issuer.Name, number, baseNumber, thisUpdate, parameters.NextUpdate, encoding.Der, encoding.EntryCount);
    }

    private Task AuditAsync(string issuer, string detail) =>
        _audit?.AppendAsync(new AuditEvent(_time.GetUtcNow(), "crl", $"crl:{issuer}", "success", $"issuer={issuer} {detail}"), CancellationToken.None)
        ?? Task.CompletedTask;

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
