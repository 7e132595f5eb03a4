using AmiPki.Core.Issuance;

namespace AmiPki.Protocols.Est;

/// <summary>Who an EST client proved to be (the core's authorizer decides what that allows).</summary>
/// <param name="RenewingProfile">For /simplereenroll: the profile of the certificate being renewed (the profile renewed under when no label is given).</param>
internal sealed record EstIdentity(Requester Requester, string? RenewingProfile = null);
