using AmiPki.Core.Revocation;

namespace AmiPki.Core.Storage;

/// <summary>Finding one certificate by serial when the issuer may not be known (<c>amipki show</c>, the admin API).</summary>
public static class CertificateLookup
{
    /// <summary>The certificate with this serial at <paramref name="issuer"/>, or at the first of <paramref name="issuers"/> that has it.</summary>
    /// <exception cref="FormatException">The serial is not hexadecimal.</exception>
    public static async Task<CertificateRecord?> FindAsync(ICertificateReader certificates, string? issuer, IEnumerable<string> issuers, string serial,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        ArgumentNullException.ThrowIfNull(issuers);
        var serialHex = SerialReference.NormalizeSerial(serial);
        foreach (var name in issuer is null ? issuers : [issuer])
        {
            if (await certificates.FindAsync(name, serialHex, cancellationToken) is { } record)
            {
                return record;
            }
        }
        return null;
    }

    /// <summary>
    /// A status filter as admins type it: issued, signing, failed, revoked or valid (issued and not revoked); null: any.
    /// </summary>
    /// <exception cref="ArgumentException">Any other word.</exception>
    public static (CertificateState? State, bool? Revoked) ParseStatus(string? status) => status?.Trim().ToLowerInvariant() switch
    {
        null or "" => (null, null),
        "issued" => (CertificateState.Issued, null),
        "signing" => (CertificateState.Signing, null),
        "outcome-unknown" => (CertificateState.OutcomeUnknown, null),
        "failed" => (CertificateState.Failed, null),
        "revoked" => (null, true),
        "valid" => (CertificateState.Issued, false),
        _ => throw new ArgumentException($"unknown status '{status}' (issued, signing, outcome-unknown, failed, revoked, valid)"),
    };

    /// <summary>The status word of a record, as <see cref="ParseStatus"/> reads it back: revoked, on-hold, issued, signing, outcome-unknown or failed.</summary>
    public static string StatusOf(CertificateRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Revocation switch
        {
            { Reason: RevocationReason.CertificateHold } => "on-hold",
            not null => "revoked",
            _ => StateText(record.State),
        };
    }

    /// <summary>A state as <c>list</c>, <c>show</c> and the admin API print it: the same words <see cref="ParseStatus"/> accepts.</summary>
    public static string StateText(CertificateState state) => state switch
    {
        CertificateState.OutcomeUnknown => "outcome-unknown",
        _ => state.ToString().ToLowerInvariant(),
    };
}
