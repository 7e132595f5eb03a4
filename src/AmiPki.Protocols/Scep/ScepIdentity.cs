namespace AmiPki.Protocols.Scep;

/// <summary>Who a SCEP request authenticated as, and the profile that authenticates it for.</summary>
/// <param name="Requester">For audit and the issued certificate's record: <c>challenge:&lt;id&gt;</c>, <c>static:&lt;profile&gt;</c> or <c>cert:&lt;serial&gt;</c>.</param>
/// <param name="OneTimeChallengeId">Set when a one-time challenge must be consumed before issuing.</param>
/// <param name="HoldForApproval">Not authenticated automatically: the request waits for an admin (RFC 8894 §2.3, manual authentication).</param>
public sealed record ScepIdentity(string Requester, string Profile, string? OneTimeChallengeId = null, bool HoldForApproval = false);
