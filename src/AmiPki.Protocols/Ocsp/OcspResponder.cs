using System.Formats.Asn1;
using System.Threading.Channels;
using AmiPki.Core.Authorities;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Ocsp;

/// <summary>
/// The OCSP responder (RFC 6960, RFC 5019 profile): DER request in, DER response out, never an exception.
/// Single-certificate requests without a nonce are answered from pre-signed responses (signed ahead, refreshed before
/// they age, re-signed when the certificate's status changes); requests with a nonce, or for several certificates, are
/// signed on demand. Every answer states the status storage holds when the request is answered: a pre-signed answer is
/// served only after one indexed read (<see cref="ICertificateReader.FindAsync"/>) confirms its status, and is re-signed
/// at once when it differs. So a revocation made by another process or node (the CLI, a second server) is in every
/// answer given after it is committed, without waiting for the revocation watcher's poll; the notifications only
/// re-sign ahead of the next request. Storage is read through <see cref="ICertificateReader"/>, whose read
/// connections never wait for issuance writes.
/// </summary>
public sealed class OcspResponder : IRevocationListener, IDisposable
{
    private static readonly Task<OcspReply> TryLaterReply = Task.FromResult(OcspReply.Error(OcspResponseStatus.TryLater));

    private readonly ICertificateReader _certificates;
    private readonly TimeProvider _time;
    private readonly OcspResponderOptions _options;
    private readonly ILogger _logger;
    private readonly OcspIssuer[] _issuers;
    private readonly Dictionary<string, OcspIssuer> _byName;
    private readonly IReadOnlyDictionary<(string Parent, string Serial), CertificateAuthority> _caCertificates;
    private readonly Channel<(OcspCacheKey Key, ReadOnlyMemory<byte> CertId)> _resign =
        Channel.CreateUnbounded<(OcspCacheKey, ReadOnlyMemory<byte>)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IDisposable _subscription;
    private volatile DelegatedResponderIssuer? _responders;

    public OcspResponder(CaHierarchy authorities, ICertificateReader certificates, RevocationNotifier notifier, TimeProvider time, OcspResponderOptions options,
        ILogger<OcspResponder> logger)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        _certificates = certificates;
        _time = time;
        _options = options;
        _logger = logger;
        _issuers = authorities.All.OrderBy(a => a.Name, StringComparer.Ordinal).Select((a, i) => new OcspIssuer(i, a)).ToArray();
        _byName = _issuers.ToDictionary(i => i.Name, StringComparer.Ordinal);
        // CA certificates are not in the certificates table: their parent's responder answers for them from the hierarchy.
        _caCertificates = authorities.All.Where(a => a.Record.Parent is not null)
            .ToDictionary(a => (a.Record.Parent!, Convert.ToHexString(a.Certificate.SerialNumberBytes.Span)));
        Cache = new OcspResponseCache(options.CacheCapacity);
        _subscription = notifier.Subscribe(this);
    }

    public IReadOnlyList<OcspIssuer> Issuers => _issuers;

    public OcspResponseCache Cache { get; }

    /// <summary>Completes once every issuer has a signer; requests arriving earlier wait for it.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Gives every issuer its responder (<see cref="DelegatedResponderIssuer"/>). Called once at start.</summary>
    public async Task InitializeAsync(DelegatedResponderIssuer responders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(responders);
        _responders = responders;
        try
        {
            foreach (var issuer in _issuers)
            {
                Install(issuer, await responders.CreateAsync(issuer, cancellationToken));
            }
            _ready.TrySetResult();
        }
        catch (Exception e)
        {
            _ready.TrySetException(e);
            throw;
        }
    }

    /// <summary>Answers one DER OCSPRequest. Never throws (except on cancellation by the caller).</summary>
    public Task<OcspReply> RespondAsync(ReadOnlyMemory<byte> der, CancellationToken cancellationToken)
    {
        OcspRequest request;
        try
        {
            request = OcspRequest.Parse(der);
        }
        catch (OcspFormatException)
        {
            return Task.FromResult(OcspReply.Error(OcspResponseStatus.MalformedRequest));
        }
        OcspIssuer? issuer = null;
        foreach (var certId in request.CertIds)
        {
            var match = FindIssuer(certId);
            // One response has one signer: every certificate asked about must belong to the same CA we serve (§2.3 unauthorized).
            if (match is null || (issuer is not null && !ReferenceEquals(match, issuer)))
            {
                return Task.FromResult(OcspReply.Error(OcspResponseStatus.Unauthorized));
            }
            issuer = match;
        }
        if (request.Nonce is null && request.CertIds.Count == 1)
        {
            var certId = request.CertIds[0];
            var key = new OcspCacheKey(issuer!.Index, certId.Hash!.Value, certId.SerialHex);
            if (Cache.TryGet(key, out var cached) && _time.GetUtcNow() < cached.RefreshAt && cached.CertId.Span.SequenceEqual(certId.Encoded.Span))
            {
                return ConfirmAsync(issuer, key, cached, cancellationToken);
            }
            return GuardAsync(() => SignSingleAsync(issuer, key, certId.Encoded, cancellationToken), cancellationToken);
        }
        return GuardAsync(() => SignOnDemandAsync(issuer!, request, cancellationToken), cancellationToken);
    }

    public void OnRevocationChanged(RevocationChange change)
    {
        if (!_byName.TryGetValue(change.Issuer, out var issuer))
        {
            return;
        }
        // Pre-signed answers for these serials are wrong now: drop them, and re-sign the ones clients were asking about.
        foreach (var removed in Cache.Invalidate(issuer.Index, change.SerialHexes))
        {
            _resign.Writer.TryWrite((removed, default));
        }
    }

    /// <summary>Re-signs what revocations invalidated, as they come (run by the background service).</summary>
    public async Task RunResignLoopAsync(CancellationToken cancellationToken)
    {
        await foreach (var (key, _) in _resign.Reader.ReadAllAsync(cancellationToken))
        {
            try
            {
                var issuer = _issuers[key.Issuer];
                await SignSingleAsync(issuer, key, EncodeCertId(issuer, key.Hash, key.SerialHex), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                OcspLog.MaintenanceFailed(_logger, e);
            }
        }
    }

    /// <summary>Re-signs cached answers that are due and renews responder certificates nearing expiry.</summary>
    public async Task MaintainAsync(DelegatedResponderIssuer responders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(responders);
        foreach (var issuer in _issuers)
        {
            await RenewResponderIfDueAsync(issuer, responders, cancellationToken);
        }
        await RefreshResponsesAsync(cancellationToken);
    }

    /// <summary>
    /// Renews an issuer's delegated responder certificate once less than <see cref="OcspResponderOptions.RenewAtRemainingFraction"/>
    /// of its lifetime is left (RFC 6960 §4.2.2.2.1: a short-lived responder certificate instead of revocation checking).
    /// Failures are logged; the current responder keeps answering. True if it was renewed.
    /// </summary>
    public async Task<bool> RenewResponderIfDueAsync(OcspIssuer issuer, DelegatedResponderIssuer responders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(responders);
        var now = _time.GetUtcNow();
        try
        {
            // Re-reads the stored responder first: a node that did not renew it picks up the one another node stored.
            var renewed = await responders.RenewIfDueAsync(issuer,
                signer => signer.IsDelegated && signer.NotAfter - now < (signer.NotAfter - signer.NotBefore) * _options.RenewAtRemainingFraction,
                cancellationToken);
            var current = await responders.CurrentAsync(issuer, cancellationToken);
            if (!ReferenceEquals(current, issuer.Signer))
            {
                Install(issuer, current);
            }
            return renewed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            OcspLog.RenewalFailed(_logger, issuer.Name, e);
            return false;
        }
    }

    /// <summary>Installs the stored responder if another node replaced it (checked every refresh interval; storage failures keep the current one).</summary>
    private async Task RefreshSignerAsync(OcspIssuer issuer, CancellationToken cancellationToken)
    {
        if (_responders is not { } responders)
        {
            return;
        }
        try
        {
            var current = await responders.CurrentAsync(issuer, cancellationToken);
            if (!ReferenceEquals(current, issuer.Signer))
            {
                Install(issuer, current);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            OcspLog.RenewalFailed(_logger, issuer.Name, e);
        }
    }

    /// <summary>Re-signs pre-signed answers that reached their refresh time (run by the scheduler's <c>ocsp-refresh</c> job); returns how many.</summary>
    public async Task<int> RefreshResponsesAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var count = 0;
        foreach (var (key, reply) in Cache.Sweep(now, limit: 50_000))
        {
            if (reply.CertificateStatus == CertificateStatus.Unknown)
            {
                continue; // An unknown answer is not refreshed: the next request asks storage again.
            }
            await SignSingleAsync(_issuers[key.Issuer], key, reply.CertId, cancellationToken);
            count++;
        }
        return count;
    }

    /// <summary>Signs responses for the newest issued certificates of every issuer before anyone asks (SHA-1 CertIDs, as openssl sends).</summary>
    public async Task PreSignAsync(CancellationToken cancellationToken)
    {
        foreach (var issuer in _issuers)
        {
            var count = 0;
            for (var offset = 0; count < _options.PreSignAtStart && Cache.Count < _options.CacheCapacity; offset += 1000)
            {
                var page = await _certificates.ListAsync(new CertificateQuery(Issuer: issuer.Name, State: CertificateState.Issued,
                    Limit: Math.Min(1000, _options.PreSignAtStart - count), Offset: offset), cancellationToken);
                foreach (var record in page)
                {
                    var key = new OcspCacheKey(issuer.Index, OcspHashAlgorithm.Sha1, record.SerialHex.ToUpperInvariant());
                    if (!Cache.TryGet(key, out _))
                    {
                        var generation = Cache.Generation;
                        var reply = Sign(issuer, key, EncodeCertId(issuer, key.Hash, key.SerialHex), StatusOf(record), record.Revocation);
                        Cache.TryAdd(key, reply, generation);
                    }
                    count++;
                }
                if (page.Count < 1000)
                {
                    break;
                }
            }
            OcspLog.PreSigned(_logger, count, issuer.Name);
        }
    }

    public void Dispose()
    {
        _subscription.Dispose();
        foreach (var issuer in _issuers)
        {
            issuer.Signer?.Dispose();
        }
    }

    private void Install(OcspIssuer issuer, OcspSigner signer)
    {
        issuer.Signer = signer;
        Cache.InvalidateIssuer(issuer.Index);
        OcspLog.ResponderReady(_logger, issuer.Name, signer.IsDelegated ? "delegated" : "CA-signed", Convert.ToHexString(signer.KeyHash), signer.NotAfter);
    }

    private OcspIssuer? FindIssuer(OcspCertId certId)
    {
        foreach (var issuer in _issuers)
        {
            if (issuer.Matches(certId))
            {
                return issuer;
            }
        }
        return null;
    }

    private async Task<OcspReply> GuardAsync(Func<Task<OcspReply>> answer, CancellationToken cancellationToken)
    {
        try
        {
            if (!_ready.Task.IsCompleted)
            {
                await _ready.Task.WaitAsync(cancellationToken);
            }
            return await answer();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (StorageUnavailableException.Find(e) is not null)
        {
            // Temporary (RFC 6960 tryLater): the status cannot be read now, the client asks again later.
            OcspLog.StorageUnavailable(_logger, e);
            return OcspReply.Error(OcspResponseStatus.TryLater);
        }
        catch (Exception e)
        {
            OcspLog.InternalError(_logger, e);
            return OcspReply.Error(OcspResponseStatus.InternalError);
        }
    }

    /// <summary>
    /// Serves a pre-signed answer if storage still holds the status (and revocation) it states; otherwise signs the
    /// current status, caches it and serves that. The notifier is not trusted to have arrived: another process's
    /// revocation reaches this node only through storage.
    /// </summary>
    private async Task<OcspReply> ConfirmAsync(OcspIssuer issuer, OcspCacheKey key, OcspReply cached, CancellationToken cancellationToken)
    {
        var generation = Cache.Generation;
        CertificateStatus status;
        RevocationInfo? revocation;
        try
        {
            (status, revocation) = await LookupAsync(issuer, key.SerialHex, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            OcspLog.StatusCheckFailed(_logger, e);
            // Unconfirmed, only an answer that cannot stop being true may go out.
            return cached.IsFinal ? cached : OcspReply.Error(OcspResponseStatus.TryLater);
        }
        if (status == cached.CertificateStatus && Equals(revocation, cached.Revocation))
        {
            return cached;
        }
        return await GuardAsync(() =>
        {
            OcspLog.StaleAnswerReplaced(_logger, issuer.Name, key.SerialHex, cached.CertificateStatus, status);
            var reply = Sign(issuer, key, cached.CertId, status, revocation);
            Cache.TryAdd(key, reply, generation);
            return Task.FromResult(reply);
        }, cancellationToken);
    }

    private async Task<OcspReply> SignSingleAsync(OcspIssuer issuer, OcspCacheKey key, ReadOnlyMemory<byte> certId, CancellationToken cancellationToken)
    {
        await RefreshSignerAsync(issuer, cancellationToken);
        var generation = Cache.Generation;
        var (status, revocation) = await LookupAsync(issuer, key.SerialHex, cancellationToken);
        var reply = Sign(issuer, key, certId, status, revocation);
        Cache.TryAdd(key, reply, generation);
        return reply;
    }

    private OcspReply Sign(OcspIssuer issuer, OcspCacheKey key, ReadOnlyMemory<byte> certId, CertificateStatus status, RevocationInfo? revocation)
    {
        _ = key;
        var signer = issuer.Signer ?? throw new InvalidOperationException($"the OCSP responder of {issuer.Name} is not ready");
        var (thisUpdate, nextUpdate, refreshAt) = Window(signer, status);
        var der = OcspResponseEncoder.Encode(signer, thisUpdate, [new OcspSingleStatus(certId, status, revocation, thisUpdate, nextUpdate)], null);
        return OcspReply.Signed(der, status, thisUpdate, nextUpdate, refreshAt, cacheable: true, certId, status == CertificateStatus.Revoked ? revocation : null);
    }

    private async Task<OcspReply> SignOnDemandAsync(OcspIssuer issuer, OcspRequest request, CancellationToken cancellationToken)
    {
        await RefreshSignerAsync(issuer, cancellationToken);
        var signer = issuer.Signer ?? throw new InvalidOperationException($"the OCSP responder of {issuer.Name} is not ready");
        var responses = new List<OcspSingleStatus>(request.CertIds.Count);
        var thisUpdate = Now();
        var nextUpdate = thisUpdate;
        foreach (var certId in request.CertIds)
        {
            var (status, revocation) = await LookupAsync(issuer, certId.SerialIsPositive ? certId.SerialHex : "", cancellationToken);
            var (_, next, _) = Window(signer, status);
            responses.Add(new OcspSingleStatus(certId.Encoded, status, revocation, thisUpdate, next));
            nextUpdate = nextUpdate == thisUpdate || next < nextUpdate ? next : nextUpdate;
        }
        var der = OcspResponseEncoder.Encode(signer, thisUpdate, responses, request.Nonce);
        var single = responses.Count == 1 ? responses[0] : null;
        // With a nonce the answer is for this request only: no HTTP cache may keep it.
        return OcspReply.Signed(der, single?.Status, thisUpdate, nextUpdate, thisUpdate, cacheable: request.Nonce is null, default,
            single?.Status == CertificateStatus.Revoked ? single.Revocation : null);
    }

    /// <summary>
    /// Good only for a certificate storage holds as Issued (never for a serial never issued, RFC 6960 §2.2); revoked
    /// for any revoked serial, even one still Signing or OutcomeUnknown (DESIGN.md: a reserved serial is treated as issued); otherwise unknown.
    /// </summary>
    private async Task<(CertificateStatus, RevocationInfo?)> LookupAsync(OcspIssuer issuer, string serialHex, CancellationToken cancellationToken)
    {
        if (serialHex.Length == 0 || (Convert.ToByte(serialHex[..2], 16) & 0x80) != 0)
        {
            return (CertificateStatus.Unknown, null);
        }
        var record = await _certificates.FindAsync(issuer.Name, serialHex, cancellationToken);
        if (record is null)
        {
            return _caCertificates.ContainsKey((issuer.Name, serialHex)) ? (CertificateStatus.Good, null) : (CertificateStatus.Unknown, null);
        }
        var status = StatusOf(record);
        return (status, status == CertificateStatus.Revoked ? record.Revocation : null);
    }

    private static CertificateStatus StatusOf(CertificateRecord record) => record switch
    {
        { State: CertificateState.Failed } => CertificateStatus.Unknown,
        { Revocation: not null } => CertificateStatus.Revoked,
        { State: CertificateState.Issued } => CertificateStatus.Good,
        _ => CertificateStatus.Unknown,
    };

    private (DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate, DateTimeOffset RefreshAt) Window(OcspSigner signer, CertificateStatus status)
    {
        var thisUpdate = Now();
        var unknown = status == CertificateStatus.Unknown;
        var nextUpdate = thisUpdate + (unknown ? _options.UnknownValidity : _options.ResponseValidity);
        // A response must not outlive the certificate that vouches for its signature.
        if (nextUpdate > signer.NotAfter)
        {
            nextUpdate = signer.NotAfter;
        }
        var refreshAt = thisUpdate + (unknown ? _options.UnknownRefreshAfter : _options.RefreshAfter);
        return (thisUpdate, nextUpdate, refreshAt < nextUpdate ? refreshAt : nextUpdate);
    }

    private DateTimeOffset Now()
    {
        var ticks = _time.GetUtcNow().UtcTicks;
        return new DateTimeOffset(ticks - ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    /// <summary>The CertID openssl and most clients send: SHA-1 (or another hash) with NULL parameters (RFC 6960 §4.1.1).</summary>
    internal static byte[] EncodeCertId(OcspIssuer issuer, OcspHashAlgorithm hash, string serialHex)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(OcspOids.OidOf(hash));
                writer.WriteNull();
            }
            writer.WriteOctetString(issuer.NameHash(hash));
            writer.WriteOctetString(issuer.KeyHash(hash));
            writer.WriteInteger(Convert.FromHexString(serialHex));
        }
        return writer.Encode();
    }
}
