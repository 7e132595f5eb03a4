namespace AmiPki.Core.Revocation;

/// <summary>
/// Serials of one issuer whose status changed durably. <see cref="Revocation"/> is what was recorded; a released
/// certificateHold is reported with reason <see cref="RevocationReason.RemoveFromCrl"/> (RFC 5280 §5.3.1) and the
/// original revocation time, as a delta CRL lists it.
/// </summary>
public sealed record RevocationChange(string Issuer, IReadOnlyList<string> SerialHexes, RevocationInfo Revocation);
