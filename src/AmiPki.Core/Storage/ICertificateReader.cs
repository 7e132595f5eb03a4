namespace AmiPki.Core.Storage;

/// <summary>What status lookups, OCSP, EST re-enrollment and the CLI read. Never blocks behind issuance writes.</summary>
public interface ICertificateReader
{
    Task<CertificateRecord?> FindAsync(string issuer, string serialHex, CancellationToken cancellationToken);

    Task<IReadOnlyList<CertificateRecord>> ListAsync(CertificateQuery query, CancellationToken cancellationToken);
}
