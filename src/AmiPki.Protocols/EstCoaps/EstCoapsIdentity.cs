using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Issuance;

namespace AmiPki.Protocols.EstCoaps;

/// <summary>Who an EST-coaps client proved to be in its DTLS handshake, and what that binds its request to.</summary>
/// <param name="Renewing">For /sren: the AmiPki certificate being renewed (the core checks subject and SAN).</param>
/// <param name="RequiredSystemTitle">A registered meter: a DLMS profile's CSR must carry this system title as CN.</param>
internal sealed record EstCoapsIdentity(
    Requester Requester,
    DeviceContext? Device = null,
    X509Certificate2? Renewing = null,
    string? RenewingProfile = null,
    string? RequiredSystemTitle = null);
