using AmiPki.Core.Issuance;

namespace AmiPki.Protocols.EstCoaps;

/// <summary>Who an EST-coaps client proved to be in its DTLS handshake (the core's authorizer decides what that allows).</summary>
/// <param name="RenewingProfile">For /sren: the profile of the certificate being renewed (renewed under when no label is given).</param>
internal sealed record EstCoapsIdentity(Requester Requester, string? RenewingProfile = null);
