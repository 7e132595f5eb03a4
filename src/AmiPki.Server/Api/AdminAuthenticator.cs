using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Authorities;
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
    private readonly CaHierarchy _authorities;
    private readonly ICertificateReader _certificates;
    private readonly TimeProvider _time;

    public AdminAuthenticator(CaHierarchy authorities, ICertificateReader certificates, TimeProvider time)
    {
        _authorities = authorities;
        _certificates = certificates;
        _time = time;
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
        var issuer = _authorities.All.FirstOrDefault(a => a.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData));
        if (issuer is null)
        {
            return AdminAuthentication.Unauthenticated($"the client certificate (issuer {certificate.Issuer}) was not issued by this AmiPki");
        }
        var serial = certificate.SerialNumber;
        var record = await _certificates.FindAsync(issuer.Name, serial, context.RequestAborted);
        if (record is not { State: CertificateState.Issued, Der: { } der } || !der.AsSpan().SequenceEqual(certificate.RawDataMemory.Span))
        {
            return AdminAuthentication.Unauthenticated($"the client certificate (serial {serial}) is not one this AmiPki issued");
        }
        if (record.Revocation is not null)
        {
            return AdminAuthentication.Unauthenticated($"the client certificate (serial {serial}) is revoked");
        }
        var now = _time.GetUtcNow();
        if (now < record.NotBefore || now >= record.NotAfter)
        {
            return AdminAuthentication.Unauthenticated($"the client certificate (serial {serial}) is not valid now (valid {record.NotBefore:u} to {record.NotAfter:u})");
        }
        if (AdminRoles.FromProfile(record.Profile) is not { } role)
        {
            return AdminAuthentication.Forbidden($"the client certificate (serial {serial}) was issued under profile {record.Profile}, which carries no admin role");
        }
        var commonName = certificate.GetNameInfo(X509NameType.SimpleName, false);
        return AdminAuthentication.Success(new AdminIdentity(role, commonName, issuer.Name, serial,
            $"{EnrollmentProtocol.AdminApi}:{commonName}/{issuer.Name}/{serial}"));
    }
}
