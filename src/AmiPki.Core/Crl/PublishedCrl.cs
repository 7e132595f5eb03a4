using System.Security.Cryptography;

namespace AmiPki.Core.Crl;

/// <summary>A signed CRL of one issuer, complete or delta, with what HTTP publication needs.</summary>
public sealed record PublishedCrl(string Issuer, long Number, long? DeltaBaseNumber, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate, byte[] Der,
    int EntryCount)
{
    public bool IsDelta => DeltaBaseNumber is not null;

    /// <summary>A strong HTTP entity tag: the CRL's bytes decide it.</summary>
    public string ETag { get; } = "\"" + Convert.ToHexStringLower(SHA256.HashData(Der).AsSpan(0, 16)) + "\"";
}
