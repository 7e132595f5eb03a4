namespace AmiPki.Core.Revocation;

/// <summary>
/// Told when certificates change status (revoked, put on hold, hold released) so CRL publishing and the OCSP responder
/// react at once instead of waiting for their timers. Called on the revoking thread: implementations only mark work to
/// do and return quickly; they must not throw.
/// </summary>
public interface IRevocationListener
{
    void OnRevocationChanged(RevocationChange change);
}
