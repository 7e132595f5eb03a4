using AmiPki.Core.Issuance;
using AmiPki.Core.Storage;

namespace AmiPki.Core.Authorization;

/// <summary>A certificate AmiPki issued and recorded, current and unrevoked when <see cref="CurrentCertificateVerifier"/> checked it.</summary>
public sealed record CurrentCertificate(CertificateRecord Record, CertificateFields Certificate);
