using AmiPki.Core.Issuance;

namespace AmiPki.Protocols.Scep;

/// <summary>Who a SCEP request authenticated as, and the profile it asks for (the core's authorizer decides whether it may).</summary>
/// <param name="Requester">
/// A challenge (<c>challenge:&lt;id&gt;</c> or <c>static:&lt;profile&gt;</c>, credential evidence), the current certificate
/// (<c>cert:&lt;issuer&gt;:&lt;serial&gt;</c>), or nothing verified (<c>unauthenticated:…</c>, held for an admin).
/// </param>
/// <param name="HoldForApproval">Not authenticated automatically: the request waits for an admin (RFC 8894 §2.3, manual authentication).</param>
public sealed record ScepIdentity(Requester Requester, string Profile, bool HoldForApproval = false);
