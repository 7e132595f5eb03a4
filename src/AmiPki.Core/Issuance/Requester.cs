using AmiPki.Core.Approvals;
using AmiPki.Core.Authorization;
using AmiPki.Core.Credentials;

namespace AmiPki.Core.Issuance;

/// <summary>
/// An authenticated requester with the evidence it presented. Adapters only authenticate and build one of these; which
/// profiles it may obtain is decided by the core (<see cref="EnrollmentAuthorizer"/>) from the profiles' rules. The
/// constructor is private so that a requester's kind always comes with its evidence.
/// </summary>
public sealed record Requester
{
    private Requester(string identity, RequesterKind kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(identity);
        Identity = identity;
        Kind = kind;
    }

    /// <summary>The audit actor: <c>idevid:…</c>, <c>cert:&lt;issuer&gt;:&lt;serial&gt;</c>, <c>account:…</c>, <c>cmp-ref:…</c>, <c>cli:…</c>.</summary>
    public string Identity { get; }

    public RequesterKind Kind { get; }

    /// <summary>For <see cref="RequesterKind.FactoryCertificate"/>: the IDevID and what the device registry holds for it.</summary>
    public FactoryIdentity? Factory { get; private init; }

    /// <summary>For <see cref="RequesterKind.CurrentCertificate"/>: the verified current certificate and its record.</summary>
    public CurrentCertificate? Holder { get; private init; }

    /// <summary>For <see cref="RequesterKind.ApprovedRequest"/>: the approved held request.</summary>
    public PendingRequest? Approved { get; private init; }

    /// <summary>For <see cref="RequesterKind.Credential"/>: the credential whose secret verified.</summary>
    public EnrollmentCredential? Credential { get; private init; }

    public static Requester Administrator(string identity) => new(identity, RequesterKind.Administrator);

    /// <summary>AmiPki issuing its own operational certificate (<c>amipki:cmp-responder</c>, …).</summary>
    public static Requester Internal(string identity) => new(identity, RequesterKind.Internal);

    public static Requester ForFactoryCertificate(FactoryIdentity factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var name = factory.CommonName is { Length: > 0 } cn ? cn : factory.IDevIdSha256[..16];
        return new Requester($"idevid:{factory.Manufacturer}:{name}", RequesterKind.FactoryCertificate) { Factory = factory };
    }

    public static Requester ForCurrentCertificate(CurrentCertificate holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return new Requester($"cert:{holder.Record.Issuer}:{holder.Record.SerialHex}", RequesterKind.CurrentCertificate) { Holder = holder };
    }

    /// <summary>A requester that proved nothing automatically (e.g. <c>unauthenticated:CN=…</c>); only a held, approved request of it can be issued.</summary>
    public static Requester Unverified(string identity) => new(identity, RequesterKind.Unverified);

    /// <summary>
    /// A held request that an administrator approved, issued on behalf of its original requester (whose evidence was
    /// authorized when the request was submitted). Used where the protocol's poll carries no evidence (SCEP CertPoll).
    /// </summary>
    public static Requester ForApprovedRequest(PendingRequest approved)
    {
        ArgumentNullException.ThrowIfNull(approved);
        return new Requester(approved.Requester, RequesterKind.ApprovedRequest) { Approved = approved };
    }

    /// <param name="identity">How the protocol names it: <c>account:NAME</c>, <c>cmp-ref:REF</c>, <c>challenge:ID</c>.</param>
    public static Requester ForCredential(EnrollmentCredential credential, string identity)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return new Requester(identity, RequesterKind.Credential) { Credential = credential };
    }
}
