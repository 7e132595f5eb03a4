using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Issuance;

namespace AmiPki.Protocols.Est;

/// <summary>Who an EST client proved to be, and what that binds its request to.</summary>
/// <param name="Renewing">For /simplereenroll: the AmiPki certificate being renewed (the core checks subject and SAN).</param>
/// <param name="RequiredSubject">A Basic account bound to one subject: the CSR's subject must be this DN.</param>
/// <param name="RequiredSystemTitle">A registered device: a DLMS profile's CSR must carry this system title as CN.</param>
internal sealed record EstIdentity(
    Requester Requester,
    DeviceContext? Device = null,
    X509Certificate2? Renewing = null,
    string? RenewingProfile = null,
    string? RequiredSubject = null,
    string? RequiredSystemTitle = null,
    string? OneTimeCredential = null);
