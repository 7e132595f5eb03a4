using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Authorities;
using AmiPki.Core.Authorization;
using AmiPki.Core.Profiles;
using AmiPki.Core.Storage;
using Microsoft.AspNetCore.Http;

namespace AmiPki.Server.Api;

/// <summary>
/// Authenticates admin API calls by TLS client certificate. The HTTPS listener requests a certificate in every handshake
/// and proves the client holds its key (RFC 8446 §4.4.3); here the certificate must be byte-for-byte one AmiPki issued
/// and recorded, unrevoked and valid now, under an <c>admin-*</c> profile (<see cref="AdminRoles"/>). Matching our own
/// record proves it is ours without rebuilding the chain. Checked on every call (one indexed read): a revocation
/// takes effect at once.
/// </summary>
public sealed class AdminAuthenticator
{
    private readonly CurrentCertificateVerifier _current;

    public AdminAuthenticator(CaHierarchy authorities, ICertificateReader certificates, TimeProvider time)
    {
        _current = new CurrentCertificateVerifier(authorities, certificates, time);
    }

    public async Task<AdminAuthentication> AuthenticateAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.IsHttps)
        {
            return AdminAuthentication.Unauthenticated("the admin API is served over HTTPS only, with an admin client certificate");
        }
        var certificate = context.Connection.ClientCertificate;
        if (certificate is null)
        {
            return AdminAuthentication.Unauthenticated("a TLS client certificate issued by AmiPki under an admin profile "
                                                       + $"({string.Join(", ", Enum.GetValues<AdminRole>().Select(AdminRoles.ProfileOf))}) is required");
        }
        CertificateRecord record;
        try
        {
            // The core's one check: ours byte for byte, unrevoked, valid now.
            record = (await _current.VerifyAsync(certificate.RawData, context.RequestAborted)).Record;
        }
        catch (CurrentCertificateRefusal refusal)
        {
            return AdminAuthentication.Unauthenticated($"the client certificate is refused: {refusal.Reason}");
        }
        var serial = record.SerialHex;
        if (AdminRoles.FromProfile(record.Profile) is not { } role)
        {
            return AdminAuthentication.Forbidden($"the client certificate (serial {serial}) was issued under profile {record.Profile}, which carries no admin role");
        }
        var commonName = certificate.GetNameInfo(X509NameType.SimpleName, false);
        return AdminAuthentication.Success(new AdminIdentity(role, commonName, record.Issuer, serial,
            $"{EnrollmentProtocol.AdminApi}:{commonName}/{record.Issuer}/{serial}"));
    }
}
