namespace AmiPki.Core.Crl;

/// <summary>
/// Every CRL published (complete and delta), shared by every node and the CLI on one database, so all of them serve the
/// same newest CRL of a CA. A CRL is stored once under (issuer, kind, number); numbers come from the shared CRL sequence,
/// so the highest stored number of a kind is the newest.
/// </summary>
public interface IPublishedCrlStore
{
    /// <summary>Stores a signed CRL (its kind from <see cref="PublishedCrl.IsDelta"/>). False if that issuer, kind and number is stored already.</summary>
    Task<bool> SaveAsync(PublishedCrl crl, CancellationToken cancellationToken);

    /// <summary>The highest stored number of the issuer's complete (or delta) CRLs; null when none is stored. One index lookup.</summary>
    Task<long?> LatestNumberAsync(string issuer, bool delta, CancellationToken cancellationToken);

    /// <summary>The issuer's newest stored complete (or delta) CRL; null when none is stored.</summary>
    Task<PublishedCrl?> FindLatestAsync(string issuer, bool delta, CancellationToken cancellationToken);

    /// <summary>Deletes all but the newest <paramref name="keep"/> stored CRLs of the issuer's kind; returns how many went.</summary>
    Task<int> PruneAsync(string issuer, bool delta, int keep, CancellationToken cancellationToken);
}
